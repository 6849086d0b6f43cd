"""`flask gi backup` / `flask gi restore`: every row of every table and every file come back."""

import io
import json
import shutil
import stat
import tarfile
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa

from gi_registry import backup, categories
from gi_registry.extensions import db
from gi_registry.models import Role

from . import helpers


def all_rows() -> dict[str, list[dict]]:
    """Every row of every table of the models, as dicts, in primary-key order."""
    db.session.remove()
    with db.engine.connect() as conn:
        return {
            table.name: [
                dict(row)
                for row in conn.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                ).mappings()
            ]
            for table in db.metadata.sorted_tables
        }


def all_files() -> dict[tuple[str, str], tuple[bytes, int]]:
    """Every backed-up file: (root, relative path) -> (bytes, permission bits)."""
    found = {}
    for root, folder in backup.file_roots().items():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            found[(root, path.relative_to(folder).as_posix())] = (
                path.read_bytes(),
                stat.S_IMODE(path.stat().st_mode),
            )
    return found


def build_registry(client) -> dict:
    """Data in every area, made through the services (and a few public pages)."""
    from gi_registry.authorization.services import change_authorization
    from gi_registry.certificates.reports import create_report
    from gi_registry.certificates.services import certificate_for, reissue_certificate
    from gi_registry.demo import seed_demo

    producer = helpers.make_producer()  # loads the standards too
    seed_demo(categories.slugs())  # officials, producers, an application in each state, stations
    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    for state in ("draft", "returned", "review_passed", "rejected", "withdrawn"):
        helpers.make_application(helpers.make_producer(), state, reviewer, approver)
    helpers.make_application(producer, "approved", reviewer, approver)
    authorization = producer.enterprise.authorizations[0]
    # A reissue makes a certificate point at a later one (a self-reference restored second).
    current = reissue_certificate(certificate_for(authorization), approver, "名称更正")
    batch = helpers.label_batch(producer, quantity=3)
    helpers.registry_objects(producer, approver)
    serial = db.session.scalars(
        db.select(db.metadata.tables["label"].c.serial).where(
            db.metadata.tables["label"].c.batch_id == batch.id
        )
    ).first()
    assert client.get(f"/v/{current.code}").status_code == 200
    assert client.get(f"/l/{serial}").status_code == 200
    create_report(
        {"code": current.code, "where_bought": "博山", "what_seen": "颜色不对"},
        helpers.png_upload("fake.png"),
    )
    other = helpers.make_producer()
    helpers.make_application(other, "approved", reviewer, approver)
    change_authorization(other.enterprise.authorizations[0], "suspend", approver, "整改",
                         date.today() + timedelta(days=30))  # fmt: skip
    return {"certificate_code": current.code}


@pytest.fixture
def site(app, tmp_path):
    """The test app with its own instance folder: an extra data folder, and a config.py."""
    app.instance_path = str(tmp_path / "instance")
    extra = tmp_path / "instance" / "exports"
    extra.mkdir(parents=True)
    (extra / "2026.csv").write_text("年份,数量\n2026,3\n", encoding="utf-8")
    (tmp_path / "instance" / "config.py").write_text('SECRET_KEY = "not-in-the-backup"\n')
    # The test databases are made by create_all, not by the migrations: give restore a scripts
    # folder without revisions so that it takes its create_all path for them too. Restoring
    # across real revisions is covered by tests/test_migrations.py's upgrade tests.
    scripts = tmp_path / "migrations"
    shutil.copytree(Path(app.extensions["migrate"].directory), scripts,
                    ignore=shutil.ignore_patterns("*.py[co]", "__pycache__", "versions"))  # fmt: skip
    (scripts / "versions").mkdir()
    app.extensions["migrate"].directory = str(scripts)
    return app


def run(runner, *args):
    result = runner.invoke(args=["gi", *args])
    return result.exit_code, result.output


def wipe(database: bool = True) -> None:
    """Lose everything: the tables themselves and every data folder."""
    db.session.remove()
    if database:
        db.drop_all()
    for folder in backup.file_roots().values():
        shutil.rmtree(folder, ignore_errors=True)


def only_file(folder: Path) -> Path:
    (found,) = list(folder.iterdir())
    return found


def test_round_trip_restores_every_row_and_file(site, client, runner, tmp_path):
    facts = build_registry(client)
    rows, files = all_rows(), all_files()
    empty = sorted(name for name, content in rows.items() if not content)
    print("tables without rows in this test:", empty)
    for name in ("user", "application", "attachment", "authorization", "certificate",
                 "label_batch", "label", "scan", "fake_report", "announcement", "audit_entry"):  # fmt: skip
        assert rows[name], f"the test made no {name} rows"
    assert {root for root, _ in files} >= {"uploads", "keys", "labels", "instance/exports"}
    key_modes = {mode for (root, name), (_, mode) in files.items() if name.endswith(".pem")}
    assert key_modes == {0o600}

    code, output = run(runner, "backup", "--out", str(tmp_path / "out") + "/")
    assert code == 0, output
    archive = only_file(tmp_path / "out")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the signing keys
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert not any("config.py" in name for name in tar.getnames())
    assert {t["name"]: t["rows"] for t in manifest["database"]["tables"]} == {
        name: len(content) for name, content in rows.items()
    }
    assert len(manifest["files"]) == len(files)

    try:
        wipe()
        assert all_files() == {}
        code, output = run(runner, "restore", str(archive))
        assert code == 0, output
        assert "all matching the manifest" in output
        restored = all_rows()
        *chain, last = restored.pop("audit_entry")
        assert chain == rows.pop("audit_entry")
        assert last["action"] == "backup.restore" and last["prev_hash"] == chain[-1]["hash"]
        assert restored == rows
        assert all_files() == files
        code, output = run(runner, "audit-verify")
        assert code == 0 and "intact" in output, output
        # The restored keys still verify the restored certificate, and new rows get new ids.
        page = client.get(f"/v/{facts['certificate_code']}?lang=en")
        assert page.status_code == 200
        helpers.make_user(Role.REVIEWER)
        code, output = run(runner, "audit-verify")
        assert code == 0, output
    finally:
        db.session.remove()
        db.create_all()


def test_config_only_with_the_flag(site, runner, tmp_path):
    helpers.make_user(Role.ADMIN)
    code, output = run(runner, "backup", "--with-config", "--out", str(tmp_path / "b.tar.gz"))
    assert code == 0, output
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        assert tar.extractfile("config/config.py").read() == b'SECRET_KEY = "not-in-the-backup"\n'
    config = Path(site.instance_path) / "config.py"
    config.unlink()
    wipe()
    try:
        code, output = run(runner, "restore", str(tmp_path / "b.tar.gz"))
        assert code == 0 and "--with-config" in output, output
        assert not config.exists()
    finally:
        db.session.remove()
        db.create_all()


def test_a_tampered_backup_is_refused_and_nothing_changes(site, runner, tmp_path):
    producer = helpers.make_producer()
    helpers.make_application(producer, "approved")
    code, output = run(runner, "backup", "--out", str(tmp_path / "good.tar.gz"))
    assert code == 0, output
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(tmp_path / "good.tar.gz") as good, tarfile.open(bad, "w:gz") as out:
        for member in good:
            data = good.extractfile(member).read()
            if member.name.startswith("files/uploads/"):
                data = data.replace(b"%%EOF", b"%%EOF\n% changed")
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    wipe(database=False)

    code, output = run(runner, "restore", str(bad))
    assert code == 1
    assert "does not match the SHA-256 recorded in the manifest" in output
    assert "Nothing was restored" in output
    assert all(not content for content in all_rows().values())
    assert all_files() == {}


def test_restore_refuses_a_database_with_data_unless_told(site, runner, tmp_path):
    helpers.make_application(helpers.make_producer(), "submitted")
    rows = all_rows()
    code, output = run(runner, "backup", "--out", str(tmp_path / "b.tar.gz"))
    assert code == 0, output
    created = all_rows()["audit_entry"][-1]
    assert created["action"] == "backup.create" and created["after"]["file"] == "b.tar.gz"
    helpers.make_user(Role.ADMIN)  # a change after the backup

    code, output = run(runner, "restore", str(tmp_path / "b.tar.gz"))
    assert code == 1 and "the database has rows in" in output and "--yes" in output
    assert len(all_rows()["user"]) == len(rows["user"]) + 1

    code, output = run(runner, "restore", "--yes", str(tmp_path / "b.tar.gz"))
    assert code == 0, output
    restored = all_rows()
    assert restored["user"] == rows["user"]
    assert restored["audit_entry"][:-1] == rows["audit_entry"]
    assert run(runner, "audit-verify")[0] == 0


def test_a_commit_made_during_the_dump_is_not_in_it(site, monkeypatch, tmp_path):
    """The dump is one snapshot: what others commit once it has started is left out."""
    helpers.make_user(Role.ADMIN)
    other = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    counter = db.metadata.tables["counter"]
    real_dump, calls = backup.dump_table, []

    def dump_and_commit_meanwhile(conn, table, columns, out):
        if not calls:  # the snapshot is taken: now a writer commits, without waiting
            with other.begin() as writer:
                writer.execute(counter.insert().values(name="written-meanwhile", value=1))
        calls.append(table.name)
        return real_dump(conn, table, columns, out)

    monkeypatch.setattr(backup, "dump_table", dump_and_commit_meanwhile)
    try:
        database, _members = backup.dump_database(tmp_path)
    finally:
        other.dispose()
    assert calls.index("counter") > 0 or calls[0] == "counter"
    assert {t["name"]: t["rows"] for t in database["tables"]}["counter"] == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(counter)) == 1


def set_journal(mode: str) -> None:
    db.session.remove()
    db.engine.dispose()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql(f"PRAGMA journal_mode={mode}").scalar() == mode


@pytest.mark.parametrize("journal", ["default", "wal"])
def test_an_open_write_does_not_block_the_dump(site, tmp_path, journal, request):
    """The site keeps writing during a backup: an uncommitted change neither blocks nor leaks."""
    if journal == "wal":
        if db.engine.dialect.name != "sqlite":
            pytest.skip("WAL is a SQLite journal mode")
        set_journal("wal")
        request.addfinalizer(lambda: set_journal("delete"))  # the file is shared by later tests
    helpers.make_user(Role.ADMIN)
    other = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    users = db.metadata.tables["user"]
    with other.connect() as writer:
        pending = writer.begin()
        writer.execute(users.update().values(name="uncommitted"))
        try:
            database, _members = backup.dump_database(tmp_path)
        finally:
            pending.rollback()
    other.dispose()
    assert {t["name"]: t["rows"] for t in database["tables"]}["user"] == 1
    assert "uncommitted" not in (tmp_path / "user.jsonl").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "column_type, value",
    [
        (sa.DateTime(timezone=True), datetime(2026, 3, 1, 8, 30, 1, 5, tzinfo=UTC)),
        (sa.DateTime(), datetime(2026, 3, 1, 8, 30)),
        (sa.Date(), date(2026, 2, 28)),
        (sa.Time(), time(23, 59, 58)),
        (sa.Interval(), timedelta(days=2, seconds=5)),
        (sa.LargeBinary(), bytes(range(256))),
        (sa.Numeric(10, 2), Decimal("12345678.90")),
        (sa.Uuid(), UUID("12345678-1234-5678-1234-567812345678")),
        (sa.JSON(), {"a": [1, "二", None], "b": {"c": 1.5}}),
        (sa.Boolean(), False),
        (sa.Float(), 0.1),
        (sa.String(), "琉璃 \u202e"),
    ],
    ids=lambda v: type(v).__name__,
)
def test_values_keep_their_type_through_json(column_type, value):
    column = sa.Column("x", column_type)
    encoded = value if isinstance(column_type, sa.JSON) else backup.encode(value)
    assert backup.decode(column, json.loads(json.dumps(encoded))) == value
