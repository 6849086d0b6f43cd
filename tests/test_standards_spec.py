"""Tests for the product standard data files and their loader, checker, comparison and search."""

from __future__ import annotations

import ast
import json
import shutil
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gi_registry.standards.diff import compare
from gi_registry.standards.search import search
from gi_registry.standards.spec import (
    DIVISIONS,
    SpecError,
    Standard,
    check_directory,
    check_measured,
    content_hash,
    in_force,
    load_directory,
    load_standard,
    to_json,
)

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = ROOT / "standards"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "standards"
CURRENT = STANDARDS / "BSLL-WS-2026.1.toml"


def problems_of(path: Path) -> list:
    """Return the problems load_standard reports for a file."""
    with pytest.raises(SpecError) as caught:
        load_standard(path)
    return caught.value.problems


def write_version(directory: Path, text: str, version: str) -> Path:
    """Write a copy of the current standard as another version in `directory`."""
    text = text.replace('version = "2026.1"', f'version = "{version}"')
    path = directory / f"BSLL-WS-{version}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def current() -> Standard:
    return load_standard(CURRENT)


# ---- The shipped data ------------------------------------------------------------------------


def test_every_shipped_standard_passes_the_checker():
    assert check_directory(STANDARDS) == []
    standards = load_directory(STANDARDS)
    assert [s.status for s in standards if s.code == "BSLL-WS"].count("effective") == 1


def test_working_specification_says_it_is_not_a_national_standard(current):
    assert "工作规范" in current.title.zh and "working specification" in current.title.en
    assert "不是国家标准" in current.notice.zh
    assert "not a national" in current.notice.en
    assert "registry's own requirement" in current.notice.en


def test_working_specification_covers_area_categories_and_marking(current):
    assert sorted(current.production_area) == sorted(DIVISIONS) and len(DIVISIONS) == 10
    assert [c.id for c in current.categories] == [
        "carving", "flower-ball", "bead", "screen",
        "jiyouhuang", "bracelet", "inside-painted", "vessel",
    ]  # fmt: skip
    assert "软化的水晶料" in current.clause("process-flower-ball").text.zh
    assert "统一社会信用代码" in current.clause("mark-credit-code").text.zh
    assert "注册号" in current.clause("mark-trademark").text.zh
    assert "公告号" in current.clause("mark-protected-product").text.zh


def test_food_contact_clause_references_gb_4806_5_without_inventing_limits(current):
    clause = current.clause("food-contact")
    assert clause.references == ("GB 4806.5-2016",) and clause.categories == ("vessel",)
    assert clause.condition is not None
    assert "mg" not in clause.text.en and "limits" in clause.text.en


def test_clauses_for_a_category_include_general_and_specific_clauses(current):
    ids = [c.id for c in current.clauses_for("bead")]
    assert "bead-hole-diameter" in ids and "area-processing" in ids
    assert "process-flower-ball" not in ids


def test_standards_code_needs_only_the_standard_library():
    # The checker must run from CI or a shell without the web stack; Flask only reaches it
    # through the parent package's __init__, never through these modules. (The package's web
    # modules, services/views/forms/pdf/conformance, are the site's and may use Flask.)
    for file_name in ("spec.py", "diff.py", "search.py"):
        module = ROOT / "gi_registry" / "standards" / file_name
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or name.startswith("gi_registry.standards.")


# ---- Broken fixtures -------------------------------------------------------------------------

BROKEN = [
    # file, field path, reason, text on the reported line
    ("missing-field.toml", "clauses[1].text", "missing", "[[clauses]]"),
    ("bad-limit-min-above-max.toml", "clauses[1].limits.min", "bad-limit", "min = 60, max = 35"),
    ("bad-limit-not-a-number.toml", "clauses[1].limits.max", "bad-limit", 'max = "ten"'),
    ("duplicate-clause-id.toml", "clauses[2].id", "duplicate-id", 'id = "area-processing"'),
    ("unknown-category.toml", "clauses[1].categories[1]", "unknown-category", '"beads"'),
    ("unknown-division.toml", "production_area[1]", "unknown-division", '"南博山镇"'),
    ("bad-status.toml", "status", "bad-status", 'status = "active"'),
    ("bad-date-quoted.toml", "issued", "bad-date", 'issued = "2026-01-05"'),
    ("bad-date-order.toml", "effective_from", "bad-date", "effective_from = 2026-02-01"),
    ("bad-date-superseded.toml", "superseded_on", "bad-date", 'status = "superseded"'),
    ("measured-without-unit.toml", "clauses[1].unit", "missing", "[[clauses]]"),
    ("limits-on-declaration.toml", "clauses[1].limits", "not-allowed", "limits = { max = 18 }"),
    ("unknown-field.toml", "clauses[1].mandatroy", "unknown-field", "mandatroy = true"),
    ("invalid-toml.toml", "", "toml-syntax", 'zh = "料珠穿孔孔径, en'),
]


@pytest.mark.parametrize(("name", "field", "reason", "line_text"), BROKEN)
def test_broken_fixture_reports_its_specific_problem(name, field, reason, line_text):
    path = FIXTURES / name
    found = [p for p in problems_of(path) if p.field == field and p.reason == reason]
    assert found, f"{name}: expected {reason} at {field}"
    problem = found[0]
    assert problem.file == str(path)
    assert line_text in path.read_text(encoding="utf-8").splitlines()[problem.line - 1]


def test_every_broken_fixture_is_covered_by_a_case():
    assert {p.name for p in FIXTURES.glob("*.toml")} == {case[0] for case in BROKEN}


def test_problem_messages_name_the_bad_value():
    (limit,) = problems_of(FIXTURES / "bad-limit-min-above-max.toml")
    assert limit.message == "min 60 is greater than max 35"
    (division,) = problems_of(FIXTURES / "unknown-division.toml")
    assert "南博山镇" in division.message


# ---- Across files and immutability -----------------------------------------------------------


def test_two_effective_versions_of_one_code_are_refused(tmp_path):
    shutil.copy(CURRENT, tmp_path)
    write_version(tmp_path, CURRENT.read_text(encoding="utf-8"), "2026.2")
    reasons = [(p.reason, Path(p.file).name) for p in check_directory(tmp_path)]
    assert reasons == [("multiple-effective", "BSLL-WS-2026.2.toml")]


def test_duplicate_version_and_wrong_file_name_are_refused(tmp_path):
    shutil.copy(CURRENT, tmp_path)
    shutil.copy(CURRENT, tmp_path / "copy.toml")
    reasons = {p.reason for p in check_directory(tmp_path)}
    assert {"file-name", "duplicate-version", "multiple-effective"} <= reasons


def test_empty_directory_is_a_problem(tmp_path):
    assert [p.reason for p in check_directory(tmp_path)] == ["empty"]


def test_editing_a_published_version_is_refused(tmp_path):
    recorded = {("BSLL-WS", "2026.1"): content_hash(CURRENT)}
    edited = CURRENT.read_text(encoding="utf-8").replace("不小于0.8 mm", "不小于0.7 mm")
    (tmp_path / CURRENT.name).write_text(edited, encoding="utf-8")
    (problem,) = check_directory(tmp_path, published=recorded)
    assert problem.reason == "published-changed" and problem.field == "version"


def test_superseding_a_published_version_keeps_its_hash(tmp_path):
    recorded = {("BSLL-WS", "2026.1"): content_hash(CURRENT)}
    text = CURRENT.read_text(encoding="utf-8").replace(
        'status = "effective"', 'status = "superseded"\nsuperseded_on = 2027-06-01'
    )
    (tmp_path / CURRENT.name).write_text(text, encoding="utf-8")
    assert check_directory(tmp_path, published=recorded) == []


def test_content_hash_ignores_comments_and_layout_but_not_content():
    raw = CURRENT.read_bytes()
    assert content_hash(raw) == content_hash(CURRENT) == load_standard(CURRENT).content_hash
    tidied = raw.replace(b"# Working specification", b"#   Working  specification") + b"\n\n"
    assert content_hash(tidied) == content_hash(raw)
    assert content_hash(raw.replace("鸡油黄".encode(), "鸡油黃".encode(), 1)) != content_hash(raw)
    assert content_hash(raw.replace(b"min = 35", b"min = 30")) != content_hash(raw)
    assert len(content_hash(raw)) == 64


def test_in_force_follows_the_dates(current):
    assert in_force([current], "BSLL-WS", date(2026, 11, 25)) is current
    assert in_force([current], "BSLL-WS", date(2026, 11, 24)) is None


# ---- Comparing versions ----------------------------------------------------------------------


def test_compare_reports_added_removed_and_changed_clauses(tmp_path, current):
    text = CURRENT.read_text(encoding="utf-8")
    text = text.replace("产品须经退火。", "产品须经充分退火。")
    text = text.replace("The product is annealed.", "The product is fully annealed.")
    text = text.replace("limits = { min = 0.8 }", "limits = { min = 1.0 }")
    start = text.index('[[clauses]]\nid = "mark-carriers"')
    text = text[:start] + text[text.index("[[clauses]]", start + 1) :]
    text = text.replace("# ---- References", ADDED_CLAUSE + "\n# ---- References")
    text = text.replace('status = "effective"', 'status = "draft"')
    new = load_standard(write_version(tmp_path, text, "2026.2"))

    result = compare(current, new)

    assert result.added == ("vessel-wall-check",)
    assert result.removed == ("mark-carriers",)
    assert [c.id for c in result.changed] == ["annealing-check", "bead-hole-diameter"]
    assert [(f.field, f.old, f.new) for f in result.fields] == [("status", "effective", "draft")]
    bead = result.changed[1].changes
    assert [(f.field, f.old, f.new) for f in bead] == [("limits.min", 0.8, 1.0)]
    assert not result.reordered and not result.unchanged


def test_redline_is_per_character_in_chinese_and_per_word_in_english(tmp_path, current):
    text = CURRENT.read_text(encoding="utf-8")
    text = text.replace("产品须经退火。", "产品须经充分退火。")
    text = text.replace("The product is annealed.", "The product is fully annealed.")
    new = load_standard(write_version(tmp_path, text, "2026.2"))
    changes = {f.field: f for f in compare(current, new).changed[0].changes}

    zh = changes["text.zh"].redline
    assert [(s.op, s.text) for s in zh if s.op != "equal"] == [("insert", "充分")]
    assert (
        "".join(s.text for s in zh if s.op != "insert") == current.clause("annealing-check").text.zh
    )
    en = changes["text.en"].redline
    assert [(s.op, s.text.strip()) for s in en if s.op != "equal"] == [("insert", "fully")]
    assert "".join(s.text for s in en if s.op != "delete") == new.clause("annealing-check").text.en


def test_compare_of_a_version_with_itself_is_unchanged(current):
    assert compare(current, current).unchanged


ADDED_CLAUSE = """
[[clauses]]
id = "vessel-wall-check"
kind = "inspection"
mandatory = true
categories = ["vessel"]
heading = { zh = "器壁检查", en = "Wall check" }
text = { zh = "器壁无气泡。", en = "The wall has no bubbles." }
method = { zh = "目视检查。", en = "Visual check." }
"""


# ---- Measured values, JSON and search --------------------------------------------------------


def test_check_measured_accepts_values_within_inclusive_limits(current):
    qr = current.clause("mark-qr-size")
    assert check_measured(qr, 35) is None and check_measured(qr, "60") is None
    assert check_measured(current.clause("bead-hole-diameter"), "0.8") is None


def test_check_measured_refuses_out_of_range_values_with_a_message(current):
    bead, qr = current.clause("bead-hole-diameter"), current.clause("mark-qr-size")
    low = check_measured(bead, Decimal("0.79"))
    assert low.code == "below-min" and low.params["min"] == "0.8"
    assert low.message("zh") == "料珠穿孔孔径：测量值 0.79 mm 小于下限 0.8 mm。"
    high = check_measured(qr, 60.5)
    assert high.code == "above-max"
    assert "above the maximum of 60 mm" in high.message("en")


@pytest.mark.parametrize("value", ["", "abc", "0.8 mm", "nan", "1e999999999", True])
def test_check_measured_refuses_values_that_are_not_numbers(current, value):
    issue = check_measured(current.clause("bead-hole-diameter"), value)
    assert issue.code == "not-a-number"


def test_check_measured_is_only_for_measured_clauses(current):
    with pytest.raises(ValueError):
        check_measured(current.clause("area-processing"), 1)


def test_to_json_has_a_stable_shape(current):
    data = to_json(current)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["format"] == "gi-registry-standard/1"
    assert data["content_hash"] == content_hash(CURRENT)
    keys = {tuple(sorted(c)) for c in data["clauses"]}
    assert len(keys) == 1  # every clause has every key, absent ones as null
    bead = next(c for c in data["clauses"] if c["id"] == "bead-hole-diameter")
    assert bead["limits"] == {"min": 0.8, "max": None} and bead["unit"] == "mm"


def test_search_finds_clauses_in_chinese_and_english(current):
    assert [h.clause_id for h in search(current, "花球")] == ["process-flower-ball"]
    hits = search(current, "FLOWER BALLS")
    assert [h.clause_id for h in hits] == ["process-flower-ball"]
    match = hits[0].matches[0]
    assert match.match.lower() in ("flower", "balls")
    assert search(current, "花球", lang="en") == []
    assert search(current, "   ") == []


def test_search_puts_heading_matches_first(current):
    ids = [h.clause_id for h in search(current, "退火")]
    assert ids == ["annealing-check", "process-flower-ball"]
