"""`flask gi restore`: check a backup against its manifest, then bring it back (format: backup.py).

Nothing is changed before every member of the archive has been read and matched its SHA-256 in
the manifest. The rows go in through one transaction, in dependency order; foreign keys that point
at the same table (a superseded certificate) or later are filled in once every row is there.
"""

import hashlib
import io
import json
import logging
import os
import tarfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from flask import current_app

from .backup import ACTOR, BATCH, FORMAT, MANIFEST, SQL_NULL, BackupRefused, Report, decode
from .backup import file_roots as site_roots
from .extensions import db

DAMAGED = (tarfile.TarError, EOFError, OSError, zlib.error)


# -- pass 1: is the archive intact? --------------------------------------------------------------


def check_backup(path: Path) -> tuple[dict, str]:
    """The manifest and its SHA-256, once every member matched it; raises BackupRefused."""
    hashes, body = {}, None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if not member.isfile():
                    raise BackupRefused(f"Backup refused: unexpected entry {member.name!r}.")
                handle = tar.extractfile(member)
                if member.name == MANIFEST:
                    body = handle.read()
                    continue
                digest = hashlib.sha256()
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                hashes[member.name] = (digest.hexdigest(), member.size)
    except DAMAGED as error:
        raise BackupRefused(f"Backup refused: {path} is not a readable backup ({error}).") from None
    if body is None:
        raise BackupRefused(f"Backup refused: {path} has no {MANIFEST}.")
    manifest = json.loads(body)
    if manifest.get("format") != FORMAT:
        raise BackupRefused(f"Backup refused: unknown format {manifest.get('format')!r}.")
    expected = {t["member"]: (t["sha256"], t["size"]) for t in manifest["database"]["tables"]}
    expected |= {f["member"]: (f["sha256"], f["size"]) for f in manifest["files"]}
    for name, want in expected.items():
        if name not in hashes:
            raise BackupRefused(f"Backup refused: {name} is listed in the manifest but missing.")
        if hashes[name] != want:
            raise BackupRefused(
                f"Backup refused: {name} does not match the SHA-256 recorded in the manifest; "
                "the backup is damaged or was altered. Nothing was restored."
            )
    if extra := sorted(set(hashes) - set(expected)):
        raise BackupRefused(f"Backup refused: {extra[0]} is not listed in the manifest.")
    return manifest, hashlib.sha256(body).hexdigest()


def destinations(manifest: dict, with_config: bool) -> tuple[dict[str, dict], list[str]]:
    """Where each file member goes on this site (member -> entry with `dest`); notes."""
    roots, instance = site_roots(), Path(current_app.instance_path)
    out, notes = {}, []
    for entry in manifest["files"]:
        root, rel = entry["root"], PurePosixPath(entry["path"])
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise BackupRefused(f"Backup refused: unsafe path {entry['path']!r}.")
        if root == "config":
            if not with_config:
                notes.append("config.py is in the backup but was not restored (use --with-config).")
                continue
            base = instance
        elif root in roots:
            base = roots[root]
        elif root.startswith("instance/") and PurePosixPath(root).name == root[len("instance/") :]:
            base = instance / PurePosixPath(root).name
        else:
            raise BackupRefused(f"Backup refused: this site has no folder for {root!r}.")
        root_mode = manifest["roots"].get(root, {}).get("mode", "0755")
        out[entry["member"]] = entry | {"dest": base.joinpath(*rel.parts), "base": base,
                                        "root_mode": int(root_mode, 8)}  # fmt: skip
    return out, notes


# -- the schema ----------------------------------------------------------------------------------


@contextmanager
def keep_logging():
    """Alembic's env.py reconfigures logging (and disables existing loggers): undo that after."""
    manager = logging.root.manager
    disabled = {
        n: lg.disabled for n, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)
    }
    handlers, level = list(logging.root.handlers), logging.root.level
    try:
        yield
    finally:
        for name, logger in manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.disabled = disabled.get(name, False)
        logging.root.handlers[:], logging.root.level = handlers, level


def upgrade(revision: str) -> None:
    import flask_migrate

    with keep_logging():
        flask_migrate.upgrade(migrations_directory(), revision=revision)


def migrations_directory() -> str:
    return current_app.extensions["migrate"].directory


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(migrations_directory())
    return {script.revision for script in scripts.walk_revisions()}


def prepare_schema(manifest: dict) -> bool:
    """Bring the database to the backup's schema; True if it must be upgraded to head afterwards.

    With migration scripts: an empty database is upgraded to the backup's revision (then, after
    the load, to head); a database already at that revision is used as it is. Without scripts
    (a site whose tables come from db.create_all), missing tables are created.
    """
    from alembic.migration import MigrationContext

    known, wanted = known_revisions(), manifest["database"]["alembic_revisions"]
    if not known:
        db.create_all()
        return False
    if unknown := [r for r in wanted if r not in known]:
        raise BackupRefused(f"Backup refused: it was made at schema revision {unknown[0]}, which "
                            "this version of the registry does not know.")  # fmt: skip
    with db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        tables = set(sa.inspect(conn).get_table_names()) & set(db.metadata.tables)
    if not current and not tables:
        upgrade(wanted[0] if len(wanted) == 1 else "heads")
    elif wanted and current != set(wanted):
        raise BackupRefused(
            f"Backup refused: the database is at revision {', '.join(sorted(current)) or 'none'} "
            f"but the backup was made at {', '.join(wanted)}. Restore into an empty database "
            "(restore then migrates it) or one at the backup's revision."
        )
    return True


# -- pass 2: load ----------------------------------------------------------------------------------


def occupied(conn: sa.Connection, files: dict[str, dict]) -> list[str]:
    """What a restore would overwrite: tables with rows, files with other content."""
    present = set(sa.inspect(conn).get_table_names())
    tables = [t.name for t in db.metadata.sorted_tables
              if t.name in present and conn.scalar(sa.select(1).select_from(t).limit(1))]  # fmt: skip
    changed = [
        e["dest"] for e in files.values() if e["dest"].exists() and sha256(e["dest"]) != e["sha256"]
    ]
    found = [f"the database has rows in {', '.join(tables)}"] if tables else []
    return found + (
        [f"{len(changed)} file(s) would be replaced, e.g. {changed[0]}"] if changed else []
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Loader:
    """Inserts the rows table by table, keeping what must be filled in at the end."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.order = {t.name: i for i, t in enumerate(db.metadata.sorted_tables)}
        self.fixups: list[tuple[sa.Table, str, list[dict]]] = []  # (table, column, [pk + value])
        self.notes: list[str] = []

    def later_columns(self, table: sa.Table) -> set[str]:
        """Foreign keys to this table or to one loaded after it (a cycle): set once all is in."""
        me = self.order[table.name]
        return {fk.parent.name for fk in table.foreign_keys
                if self.order.get(fk.column.table.name, -1) >= me}  # fmt: skip

    def load(self, entry: dict, lines) -> None:
        table = db.metadata.tables.get(entry["name"])
        if table is None:
            self.notes.append(f"table {entry['name']} is not in this version's models: skipped")
            return
        columns = [c for c in entry["columns"] if c in table.c]
        if dropped := sorted(set(entry["columns"]) - set(columns)):
            self.notes.append(f"{table.name}: columns no longer in the models skipped: {dropped}")
        later, pk = self.later_columns(table), [c.name for c in table.primary_key.columns]
        pending: dict[str, list[dict]] = {}
        batch = []
        for line in lines:
            raw = json.loads(line)
            row = {c: decode(table.c[c], raw[c]) for c in columns}
            keys = {f"pk_{k}": row[k] for k in pk}
            for name in later | set(raw.get(SQL_NULL, ())):
                if row.get(name) is not None or name in raw.get(SQL_NULL, ()):
                    pending.setdefault(name, []).append(keys | {"value": row[name]})
                    row[name] = None
            batch.append(row)
            if len(batch) >= BATCH:
                self.conn.execute(table.insert(), batch)
                batch = []
        if batch:
            self.conn.execute(table.insert(), batch)
        self.fixups += [(table, name, rows) for name, rows in pending.items()]

    def finish(self) -> None:
        """Fill in the deferred foreign keys and SQL NULLs of JSON columns."""
        for table, name, rows in self.fixups:
            where = sa.and_(*(c == sa.bindparam(f"pk_{c.name}") for c in table.primary_key.columns))
            if isinstance(table.c[name].type, sa.JSON):  # SQL NULL rather than JSON null
                self.conn.execute(sa.update(table).where(where).values({name: sa.null()}), rows)
            else:
                self.conn.execute(sa.update(table).where(where).values({name: sa.bindparam("value")}),
                                  rows)  # fmt: skip


def reset_sequences(conn: sa.Connection) -> None:
    """PostgreSQL: the next id of every serial column follows the restored rows."""
    if conn.dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    quote = conn.dialect.identifier_preparer
    for table in db.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = conn.scalar(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": quote.format_table(table), "c": column.name})  # fmt: skip
        if sequence:
            top = conn.scalar(sa.select(sa.func.max(column)))
            conn.execute(sa.text("SELECT setval(:s, :v, :called)"),
                         {"s": sequence, "v": top or 1, "called": top is not None})  # fmt: skip


def write_file(entry: dict, handle) -> None:
    """Write one file next to its place, then move it there; mode and time as backed up."""
    base, dest = entry["base"], entry["dest"]
    if not base.is_dir():
        base.mkdir(parents=True)
        os.chmod(base, entry["root_mode"])
    dest.parent.mkdir(parents=True, exist_ok=True)
    temporary = dest.with_name(dest.name + ".restoring")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := handle.read(1 << 20):
            out.write(chunk)
    os.chmod(temporary, int(entry["mode"], 8))
    os.replace(temporary, dest)


def restore_backup(path: str | Path, replace: bool = False, with_config: bool = False) -> Report:
    """Check the backup, load it into this site's database and folders, verify, and audit."""
    from .audit.services import record

    path = Path(path)
    manifest, manifest_sha = check_backup(path)
    files, notes = destinations(manifest, with_config)
    upgrade_after = prepare_schema(manifest)
    tables = {t["member"]: t for t in manifest["database"]["tables"]}
    conn = db.session.connection()
    if (found := occupied(conn, files)) and not replace:
        db.session.rollback()
        raise BackupRefused(f"Restore refused: {'; '.join(found)}. Run with --yes to replace them.")
    try:
        if replace:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        loader = Loader(conn)
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.name in tables:
                    loader.load(
                        tables[member.name], io.TextIOWrapper(tar.extractfile(member), "utf-8")
                    )
                elif member.name in files:
                    write_file(files[member.name], tar.extractfile(member))
        loader.finish()
        reset_sequences(conn)
        problems = verify(conn, manifest, files)
        if problems:
            raise BackupRefused("Restore failed its check: " + "; ".join(problems))
        report = Report(path, manifest_sha, len(tables), sum(t["rows"] for t in tables.values()),
                        len(files), notes + manifest["database"].get("notes", []) + loader.notes)  # fmt: skip
        record("backup.restore", "backup", manifest_sha, None, actor_label=ACTOR,
               after={"file": path.name, "created_at": manifest["created_at"],
                      "tables": report.tables, "rows": report.rows, "files": report.files})  # fmt: skip
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if upgrade_after:
        upgrade("head")
    return report


def verify(conn: sa.Connection, manifest: dict, files: dict[str, dict]) -> list[str]:
    """Row counts and file hashes against the manifest; the differences found."""
    problems = []
    for entry in manifest["database"]["tables"]:
        table = db.metadata.tables.get(entry["name"])
        if table is not None:
            count = conn.scalar(sa.select(sa.func.count()).select_from(table))
            if count != entry["rows"]:
                problems.append(f"{table.name} has {count} rows, the backup {entry['rows']}")
    for entry in files.values():
        if sha256(entry["dest"]) != entry["sha256"]:
            problems.append(f"{entry['dest']} does not match its SHA-256 after writing")
    return problems
