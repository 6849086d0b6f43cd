"""`flask gi backup` / `flask gi restore`: the whole registry in one .tar.gz, and back.

The archive holds, in this order:
  db/<table>.jsonl       every table of the models, in dependency order: one JSON object per row
                         (dates and datetimes as ISO 8601 with their zone, bytes as base64, JSON
                         columns as JSON), so a dump taken on SQLite restores on PostgreSQL too
  files/<root>/<path>    uploads, signing keys (modes kept), label sheets, other instance folders
  config/config.py       only with --with-config (it holds the secret key)
  manifest.json          format, time, alembic revision, row counts, SHA-256 and size of every member

Consistency while the site runs: PostgreSQL is read in one REPEATABLE READ READ ONLY transaction
(a snapshot; writers are not blocked). SQLite is first copied with sqlite3's online backup API in
one step (a read lock for the length of a page copy; WAL or not), and the dump is read from that
copy. The database is read before the files, so every file a row names is in the backup; a file
written meanwhile may be in it too, unreferenced and harmless.

Restore verifies every member against the manifest before it changes anything, then loads the rows
in one transaction (self-references second), resets PostgreSQL sequences, writes the files,
checks row counts and file hashes, and appends its audit entry after the restored chain.
"""

import base64
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path, PurePosixPath
from uuid import UUID

import sqlalchemy as sa
from flask import current_app

from .extensions import db

FORMAT = "gi-registry-backup/1"
MANIFEST = "manifest.json"
SQL_NULL = "__sql_null__"  # per row: the JSON columns holding SQL NULL rather than JSON null
BATCH = 500
# Files the app is still writing (a label sheet being rendered): not a finished artefact.
UNFINISHED = (".part", ".partial", ".tmp")
ACTOR = "command line"
NOT_INSTANCE_DATA = ("backups", "__pycache__")
BACKUP_PREFIX = "gi-registry-backup-"  # never back up a backup
KNOWN_DIRS = ("UPLOAD_DIR", "KEYS_DIR", "LABELS_DIR", "STANDARDS_DIR")  # standards: in the repo


class BackupRefused(Exception):
    """The backup cannot be made or restored; the message says why, and nothing was changed."""


@dataclass
class Report:
    path: Path
    manifest_sha256: str
    tables: int = 0
    rows: int = 0
    files: int = 0
    notes: list[str] = field(default_factory=list)


# -- where the files are -------------------------------------------------------------------------


def file_roots() -> dict[str, Path]:
    """The folders to back up, by name: the configured ones, then other folders of instance/."""
    app = current_app
    instance = Path(app.instance_path)
    roots = {
        "uploads": Path(app.config["UPLOAD_DIR"]),
        "keys": Path(app.config["KEYS_DIR"]),
        "labels": Path(app.config.get("LABELS_DIR") or instance / "labels"),
    }
    # Folders other areas configure later (X_DIR) are included when they live under instance/.
    for key, value in sorted(app.config.items()):
        name = key.removesuffix("_DIR").lower()
        wanted = key.endswith("_DIR") and key not in KNOWN_DIRS and value and name not in roots
        if wanted and _inside(Path(value), instance):
            roots[name] = Path(value)
    taken = {p.resolve() for p in roots.values()}
    children = sorted(instance.iterdir()) if instance.is_dir() else []
    for child in children:
        ours = child.is_dir() and not child.is_symlink() and child.name not in NOT_INSTANCE_DATA
        if ours and child.resolve() not in taken:
            roots[f"instance/{child.name}"] = child
    return roots


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _sqlite_files() -> set[Path]:
    """The SQLite database and its journals: dumped logically, never copied as files."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return set()
    base = Path(url.database).resolve()
    return {base, *(base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal"))}


def _walk(root: Path, skip: set[Path]) -> Iterator[Path]:
    """Regular files under root, sorted, leaving out the skipped folders/files and symlinks."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if (Path(folder) / d).resolve() not in skip)
        for name in sorted(files):
            path = Path(folder) / name
            if (
                not path.is_symlink()
                and path.resolve() not in skip
                and not name.endswith(UNFINISHED)
            ):
                yield path


# -- values in and out of JSON -------------------------------------------------------------------


def _types(column: sa.Column) -> list[sa.types.TypeEngine]:
    """The column's type and, for a TypeDecorator (UTCDateTime, Interval), what it wraps."""
    kinds = [column.type]
    while isinstance(kinds[-1], sa.types.TypeDecorator):
        kinds.append(kinds[-1].impl_instance)
    return kinds


def _is(column: sa.Column, kind: type) -> bool:
    return isinstance(_types(column)[0], kind) or isinstance(_types(column)[-1], kind)


def encode(value):
    """A column value as JSON (JSON columns are passed as they are)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Enum):
        return value.name
    return value


def decode(column: sa.Column, value):
    """The inverse of `encode`, led by the column's type."""
    if value is None:
        return None
    for kind, parse in DECODERS:
        if _is(column, kind):
            return parse(column, value)
    return value


DECODERS = (  # the order matters: Interval wraps DateTime
    (sa.JSON, lambda column, value: value),
    (sa.Interval, lambda column, value: timedelta(seconds=value)),
    (sa.DateTime, lambda column, value: datetime.fromisoformat(value)),
    (sa.Date, lambda column, value: date.fromisoformat(value)),
    (sa.Time, lambda column, value: time.fromisoformat(value)),
    (sa.LargeBinary, lambda column, value: base64.b64decode(value)),
    (sa.Uuid, lambda column, value: UUID(value) if column.type.as_uuid else value),
    (sa.Float, lambda column, value: value),
    (sa.Numeric, lambda column, value: Decimal(value) if _types(column)[-1].asdecimal else value),
)


# -- backup --------------------------------------------------------------------------------------


@contextmanager
def snapshot_connection(workdir: Path) -> Iterator[sa.Connection]:
    """A connection that sees one consistent state of the database (see the module docstring)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        copy = workdir / "snapshot.sqlite3"
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(copy)
            raw.driver_connection.backup(target)  # pages=-1: the whole file in one step
            target.close()
        finally:
            raw.close()
        engine = sa.create_engine(f"sqlite:///{copy}", poolclass=sa.pool.NullPool)
        options = {}
    elif engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    else:
        options = {"isolation_level": "SERIALIZABLE"}
    with engine.connect() as conn, conn.execution_options(**options).begin():
        yield conn


def alembic_revisions(conn: sa.Connection) -> list[str]:
    if not sa.inspect(conn).has_table("alembic_version"):
        return []
    return sorted(conn.scalars(sa.text("SELECT version_num FROM alembic_version")))


def dump_table(
    conn: sa.Connection, table: sa.Table, columns: list[str], out: Path
) -> tuple[int, str]:
    """Write the rows of `table` (the given columns) to `out`; the row count and its SHA-256."""
    cols = [table.c[name] for name in columns]
    json_cols = [c for c in cols if _is(c, sa.JSON)]
    as_json = {c.name for c in json_cols}
    nulls = [c.is_(None).label(f"{SQL_NULL}{c.name}") for c in json_cols]
    order = list(table.primary_key.columns) or cols
    query = sa.select(*cols, *nulls).order_by(*order)
    count = 0
    with open(out, "wb") as handle:
        for row in conn.execution_options(yield_per=1000).execute(query).mappings():
            data = {n: row[n] if n in as_json else encode(row[n]) for n in columns}
            if sql_nulls := sorted(n for n in as_json if row[f"{SQL_NULL}{n}"]):
                data[SQL_NULL] = sql_nulls
            line = (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            handle.write(line)
            count += 1
    return count


def dump_database(workdir: Path) -> tuple[dict, list[tuple[str, Path]]]:
    """Dump every table of the models from one snapshot; the manifest part and the files made."""
    members, tables, notes = [], [], []
    with snapshot_connection(workdir) as conn:
        inspector = sa.inspect(conn)
        present = set(inspector.get_table_names())
        revisions = alembic_revisions(conn)
        for table in db.metadata.sorted_tables:
            if table.name not in present:
                notes.append(f"table {table.name} is not in the database (not migrated yet?)")
                continue
            existing = {c["name"] for c in inspector.get_columns(table.name)}
            columns = [c.name for c in table.columns if c.name in existing]
            out = workdir / f"{table.name}.jsonl"
            rows = dump_table(conn, table, columns, out)
            tables.append({"name": table.name, "columns": columns, "rows": rows})
            members.append((f"db/{table.name}.jsonl", out))
    part = {"dialect": db.engine.dialect.name, "alembic_revisions": revisions, "tables": tables}
    return part | {"notes": notes}, members


def default_name() -> str:
    return f"{BACKUP_PREFIX}{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar.gz"


def output_path(out: str | None) -> Path:
    """The file to write: --out as a file, or a new name inside --out (default instance/backups)."""
    target = Path(out) if out else Path(current_app.instance_path) / "backups"
    if target.is_dir() or out is None or str(out).endswith(os.sep):
        target.mkdir(parents=True, exist_ok=True)
        target = target / default_name()
    if target.exists():
        raise BackupRefused(f"{target} already exists; choose another name.")
    return target


def _spool(source: Path, spool) -> tuple[int, str]:
    """Copy a file once, hashing exactly the bytes that go into the archive."""
    sha, size = hashlib.sha256(), 0
    with open(source, "rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            size += len(chunk)
            spool.write(chunk)
    spool.seek(0)
    return size, sha.hexdigest()


def _add(tar: tarfile.TarFile, name: str, source: Path, mode: int, mtime: float) -> dict:
    """Add one file as `name`; its manifest entry."""
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        size, sha = _spool(source, spool)
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, mode, int(mtime)
        tar.addfile(info, spool)
    return {"member": name, "size": size, "sha256": sha, "mode": f"{mode:04o}"}


def create_backup(out: str | None = None, with_config: bool = False) -> Report:
    """Write one consistent backup file (database, instance files, manifest) and audit it."""
    from .audit.services import record

    started = datetime.now(UTC)
    target = output_path(out)
    roots = file_roots()
    partial = target.with_name(target.name + ".partial")
    skip = _sqlite_files() | {target.resolve(), partial.resolve()}
    skip |= {p.resolve() for p in roots.values()}  # a root inside another root is its own root
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # it holds the keys
    try:
        with tempfile.TemporaryDirectory() as work, os.fdopen(fd, "wb") as raw:
            database, db_members = dump_database(Path(work))
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                manifest = _write_members(tar, database, db_members, roots, skip, with_config)
                manifest["created_at"] = started.isoformat()
                body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = (
                    len(body),
                    0o600,
                    int(datetime.now(UTC).timestamp()),
                )
                tar.addfile(info, io.BytesIO(body))
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    manifest_sha = hashlib.sha256(body).hexdigest()
    report = Report(target, manifest_sha, len(database["tables"]),
                    sum(t["rows"] for t in database["tables"]), len(manifest["files"]),
                    database["notes"])  # fmt: skip
    record("backup.create", "backup", manifest_sha, None, actor_label=ACTOR,
           after={"file": target.name, "tables": report.tables, "rows": report.rows,
                  "files": report.files, "alembic_revisions": database["alembic_revisions"]})  # fmt: skip
    db.session.commit()
    return report


def _write_members(
    tar, database: dict, db_members, roots: dict[str, Path], skip, with_config
) -> dict:
    by_name = {t["name"]: t for t in database["tables"]}
    for name, path in db_members:
        entry = _add(tar, name, path, 0o600, datetime.now(UTC).timestamp())
        by_name[PurePosixPath(name).stem].update(
            member=name, sha256=entry["sha256"], size=entry["size"]
        )
    files, root_modes = [], {}
    for root, folder in roots.items():
        if not folder.is_dir():
            continue
        root_modes[root] = f"{folder.stat().st_mode & 0o777:04o}"
        for path in _walk(folder, skip - {folder.resolve()}):
            rel = path.relative_to(folder).as_posix()
            try:
                stat = path.stat()
                entry = _add(tar, f"files/{root}/{rel}", path, stat.st_mode & 0o777, stat.st_mtime)
            except FileNotFoundError:  # removed while we were working: it is not part of the state
                continue
            files.append({"root": root, "path": rel, **entry})
    config = Path(current_app.instance_path) / "config.py"
    if with_config and config.is_file():
        files.append({"root": "config", "path": "config.py",
                      **_add(tar, "config/config.py", config, 0o600, config.stat().st_mtime)})  # fmt: skip
    return {
        "format": FORMAT,
        "database": database,
        "roots": {
            name: {"source": str(roots[name]), "mode": mode} for name, mode in root_modes.items()
        },
        "files": files,
    }
