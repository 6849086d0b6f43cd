"""`flask gi standards-check` and `standards-sync`: the files, the database, and immutability."""

import shutil
from pathlib import Path

import pytest

from gi_registry.extensions import db
from gi_registry.models import AuditEntry
from gi_registry.models.standards import StandardVersion
from gi_registry.standards.spec import content_hash

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = ROOT / "standards"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "standards"
CURRENT = STANDARDS / "BSLL-WS-2026.1.toml"


def publish_new_version(directory: Path) -> Path:
    """Write version 2026.2 (one clause changed, one added, one removed) and supersede 2026.1."""
    old = directory / "BSLL-WS-2026.1.toml"
    text = old.read_text(encoding="utf-8")
    old.write_text(text.replace('status = "effective"',
                                'status = "superseded"\nsuperseded_on = 2026-11-25'),
                   encoding="utf-8")  # fmt: skip
    new = text.replace('version = "2026.1"', 'version = "2026.2"')
    new = new.replace("不小于0.8 mm", "不小于1.0 mm").replace("at least 0.8 mm", "at least 1.0 mm")
    new = new.replace("limits = { min = 0.8 }", "limits = { min = 1.0 }")
    start = new.index('[[clauses]]\nid = "mark-carriers"')
    end = new.index("[[clauses]]", start + 5)
    new = new[:start] + new[end:]  # mark-carriers removed
    new += """
[[clauses]]
id = "bead-string-strength"
kind = "declaration"
mandatory = false
categories = ["bead"]
heading = { zh = "穿绳牢度", en = "Strength of the string" }
text.zh = "串珠所用的绳线应牢固。"
text.en = "The string of a strung bead is strong."
"""
    path = directory / "BSLL-WS-2026.2.toml"
    path.write_text(new, encoding="utf-8")
    return path


@pytest.fixture
def standards_dir(app, tmp_path):
    """A copy of the shipped standards that the test may change, used as STANDARDS_DIR."""
    directory = tmp_path / "standards"
    shutil.copytree(STANDARDS, directory, ignore=shutil.ignore_patterns("*.md"))
    app.config["STANDARDS_DIR"] = str(directory)
    return directory


def audit_count() -> int:
    return db.session.scalar(db.select(db.func.count(AuditEntry.id)))


def test_every_shipped_standard_passes_the_check(runner):
    result = runner.invoke(args=["gi", "standards-check"])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


BROKEN = [
    # fixture, the specific words of its problem (reason key and message)
    ("missing-field.toml", "clauses[1].text: missing required field 'text' [missing]"),
    ("bad-limit-min-above-max.toml", "clauses[1].limits.min: min 60 is greater than max 35 [bad-limit]"),
    ("bad-limit-not-a-number.toml", "clauses[1].limits.max: max must be a number, got 'ten' [bad-limit]"),
    ("duplicate-clause-id.toml", "clauses[2].id: duplicate id 'area-processing' [duplicate-id]"),
    ("unknown-category.toml", "clauses[1].categories[1]: unknown category 'beads'"),
    ("unknown-division.toml", "production_area[1]: unknown division '南博山镇'"),
    ("unknown-field.toml", "clauses[1].mandatroy: unknown field 'mandatroy'"),
    ("invalid-toml.toml", "invalid TOML"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_check_names_file_line_field_and_reason_of_each_broken_fixture(runner, tmp_path, name,
                                                                        expected):  # fmt: skip
    shutil.copy(FIXTURES / name, tmp_path / name)
    result = runner.invoke(args=["gi", "standards-check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    line = next((ln for ln in result.output.splitlines() if expected.split(" [")[0] in ln), None)
    assert line is not None, result.output
    assert line.startswith(f"{tmp_path / name}:")
    assert line.split(":")[1].isdigit(), "the line number is given"
    assert expected in line


def test_sync_loads_every_version_with_its_hash_and_audits_it(app, runner):
    result = runner.invoke(args=["gi", "standards-sync"])
    assert result.exit_code == 0, result.output
    assert "BSLL-WS 2026.1: published" in result.output
    row = db.session.scalar(db.select(StandardVersion))
    assert (row.code, row.version, row.status) == ("BSLL-WS", "2026.1", "effective")
    assert row.content_hash == content_hash(CURRENT)
    assert row.data["clauses"][0]["id"] == "area-processing" and row.published_at is not None
    entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.object_id) == ("standard.publish", "BSLL-WS 2026.1")

    before = audit_count()
    again = runner.invoke(args=["gi", "standards-sync"])
    assert again.exit_code == 0 and "up to date" in again.output
    assert audit_count() == before


def test_editing_a_published_version_is_refused(app, runner, standards_dir):
    assert runner.invoke(args=["gi", "standards-sync"]).exit_code == 0
    recorded = db.session.scalar(db.select(StandardVersion.content_hash))
    before = audit_count()
    path = standards_dir / "BSLL-WS-2026.1.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("不小于0.8 mm", "不小于0.7 mm"),
                    encoding="utf-8")  # fmt: skip

    result = runner.invoke(args=["gi", "standards-sync"])
    assert result.exit_code == 1
    assert "published BSLL-WS 2026.1 was edited; publish a new version instead" in result.output
    assert "a published version is immutable" in result.output
    assert "new version" in result.output and "Refused: nothing was loaded." in result.output
    db.session.expire_all()
    assert db.session.scalar(db.select(StandardVersion.content_hash)) == recorded
    assert audit_count() == before

    check = runner.invoke(args=["gi", "standards-check"])
    assert check.exit_code == 1 and "[published-changed]" in check.output


def test_a_new_version_supersedes_the_previous_one_audited(app, runner, standards_dir):
    assert runner.invoke(args=["gi", "standards-sync"]).exit_code == 0
    publish_new_version(standards_dir)
    result = runner.invoke(args=["gi", "standards-sync"])
    assert result.exit_code == 0, result.output
    assert "BSLL-WS 2026.1: superseded on 2026-11-25" in result.output
    assert "BSLL-WS 2026.2: published" in result.output
    rows = {r.version: r for r in db.session.scalars(db.select(StandardVersion))}
    assert rows["2026.1"].status == "superseded" and rows["2026.1"].superseded_at is not None
    assert rows["2026.1"].content_hash == content_hash(CURRENT), "superseding keeps the hash"
    assert rows["2026.2"].status == "effective"
    actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["standard.supersede", "standard.publish"]


def test_a_superseded_version_cannot_come_back_into_effect(app, runner, standards_dir):
    publish_new_version(standards_dir)
    assert runner.invoke(args=["gi", "standards-sync"]).exit_code == 0
    (standards_dir / "BSLL-WS-2026.2.toml").unlink()
    old = standards_dir / "BSLL-WS-2026.1.toml"
    old.write_text(old.read_text(encoding="utf-8").replace(
        'status = "superseded"\nsuperseded_on = 2026-11-25', 'status = "effective"'),
        encoding="utf-8")  # fmt: skip
    result = runner.invoke(args=["gi", "standards-sync"])
    assert result.exit_code == 1
    assert "2026.2: published, but its file is missing" in result.output
    assert "superseded versions cannot come back into effect" in result.output


def test_a_draft_follows_its_file_until_published(app, runner, standards_dir):
    assert runner.invoke(args=["gi", "standards-sync"]).exit_code == 0
    text = (standards_dir / "BSLL-WS-2026.1.toml").read_text(encoding="utf-8")
    draft = standards_dir / "BSLL-WS-2027.1.toml"
    draft.write_text(text.replace('version = "2026.1"', 'version = "2027.1"')
                     .replace('status = "effective"', 'status = "draft"'), encoding="utf-8")  # fmt: skip
    assert "2027.1: draft loaded" in runner.invoke(args=["gi", "standards-sync"]).output
    draft.write_text(draft.read_text(encoding="utf-8").replace("不小于0.8 mm", "不小于0.9 mm"),
                     encoding="utf-8")  # fmt: skip
    result = runner.invoke(args=["gi", "standards-sync"])
    assert result.exit_code == 0 and "2027.1: draft updated" in result.output
    row = db.session.scalar(db.select(StandardVersion).where(StandardVersion.version == "2027.1"))
    assert row.status == "draft" and row.published_at is None
    assert "0.9 mm" in str(row.data)
