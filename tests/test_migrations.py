"""Migrations: an empty database upgrades to head and matches the models, on SQLite and
PostgreSQL; a database with data at the previous head upgrades to the new head and keeps it.

GI_TEST_MIGRATIONS_DIR points the tests at another migrations folder (to try a throwaway
revision without touching gi_registry/migrations).
"""

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from gi_registry import create_app
from gi_registry.extensions import db
from gi_registry.restore import keep_logging

from . import helpers

MIGRATIONS = Path(
    os.environ.get("GI_TEST_MIGRATIONS_DIR")
    or Path(__file__).resolve().parent.parent / "gi_registry" / "migrations"
)


def scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def revisions() -> list[str]:
    """Every revision, newest first."""
    return [script.revision for script in scripts().walk_revisions()]


def needs_revisions(count: int):
    """Skip, saying why, while the migrations folder holds fewer than `count` revisions."""
    found = len(revisions())
    return pytest.mark.skipif(
        found < count,
        reason=f"{found} migration revision(s) in {MIGRATIONS / 'versions'}: this test needs "
        f"{count} (the lead generates the migrations at the end; see the module docstring)",
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path, worker_id):
    """The URL of a database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("the PostgreSQL variant needs TEST_DATABASE_URL")
    from gi_registry.config import normalise_database_url

    url = sa.engine.make_url(normalise_database_url(base))
    name = f"{url.database}_migrations_{re.sub(r'[^a-z0-9]', '', worker_id)}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def migrated(empty_database, tmp_path):
    """An app on the empty database, and `upgrade(revision)` with the migrations under test."""
    app = create_app(helpers.test_config(empty_database, tmp_path))
    with app.app_context():

        def upgrade(revision: str = "head") -> None:
            with keep_logging():
                flask_migrate.upgrade(directory=str(MIGRATIONS), revision=revision)

        yield upgrade
        db.session.remove()
        db.engine.dispose()


def schema_differences() -> list:
    """What autogenerate would still write to make the database match the models."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def current_heads() -> set[str]:
    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


@needs_revisions(1)
def test_empty_database_upgrades_to_head_matching_the_models(migrated):
    migrated("head")
    assert current_heads() == set(scripts().get_heads())
    assert schema_differences() == []


@needs_revisions(2)
def test_data_at_the_previous_head_survives_the_upgrade(migrated):
    head = scripts().get_revision(scripts().get_current_head())
    if not isinstance(head.down_revision, str):
        pytest.skip(f"head {head.revision} is a merge of {head.down_revision}: no single previous")
    migrated(head.down_revision)
    insert_a_row_everywhere()
    before = snapshot()
    assert before, "no tables at the previous head"

    migrated("head")
    assert current_heads() == {head.revision}
    after = snapshot()
    for name, (types, rows) in before.items():
        assert name in after, f"table {name} was lost"
        new_types, new_rows = after[name]
        assert len(new_rows) == len(rows) == 1, name
        same = [c for c in types if new_types.get(c) == types[c]]  # a retyped column may convert
        assert {c: new_rows[0][c] for c in same} == {c: rows[0][c] for c in same}, name
    assert schema_differences() == []


def reflect() -> sa.MetaData:
    metadata = sa.MetaData()
    metadata.reflect(db.engine)
    metadata.remove(metadata.tables["alembic_version"])
    return metadata


def sample(column: sa.Column, parents: dict[str, dict]):
    """A value of the column's type; a foreign key takes the referenced row's value."""
    for fk in column.foreign_keys:
        parent = parents.get(fk.column.table.name)
        return parent[fk.column.name] if parent else None
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.Integer | sa.Float | sa.Numeric):
        return 1
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 5, 1, 8, 0, tzinfo=UTC) if kind.timezone else datetime(2026, 5, 1)
    if isinstance(kind, sa.Date):
        return date(2026, 5, 1)
    if isinstance(kind, sa.JSON):
        return ["carving"]
    if isinstance(kind, sa.LargeBinary):
        return b"\x00\x01"
    if isinstance(kind, sa.String):
        return "博山琉璃"[: kind.length or None]
    return None


def insert_a_row_everywhere() -> None:
    """One row in every table of the previous head, through plain SQL (no models)."""
    parents = {}
    with db.engine.begin() as conn:
        for table in reflect().sorted_tables:
            row = {c.name: sample(c, parents) for c in table.columns}
            conn.execute(table.insert().values(row))
            parents[table.name] = row


def snapshot() -> dict[str, tuple[dict[str, str], list[dict]]]:
    """Every table as it is in the database: its column types and its rows."""
    found = {}
    with db.engine.connect() as conn:
        for table in reflect().sorted_tables:
            types = {c.name: repr(c.type) for c in table.columns}
            found[table.name] = (
                types,
                [dict(r) for r in conn.execute(sa.select(table)).mappings()],
            )
    return found
