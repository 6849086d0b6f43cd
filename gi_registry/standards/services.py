"""Standard versions in the database: loading them from STANDARDS_DIR, and finding the one in force.

The files in STANDARDS_DIR are where a version is written and reviewed; the database is the record
of what was published and when, with the content hash that freezes each published version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app

from ..audit.services import record
from ..clock import local_today
from ..exceptions import DomainError
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, User
from ..models.base import utcnow
from ..models.standards import StandardVersion
from .spec import (
    Category,
    Clause,
    Limits,
    Problem,
    Reference,
    Standard,
    Text,
    check_directory,
    load_directory,
    to_json,
)

# The code of the standard that applications for the special mark of 博山琉璃 are made against.
DEFAULT_CODE = "BSLL-WS"
SYNC_ACTOR = "system (flask gi standards-sync)"


class SyncRefused(DomainError):
    """The files cannot be loaded; `problems` says why, one line each. Nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class SyncReport:
    """What a sync changed, one line per change (empty when the database was already up to date)."""

    changes: list[str] = field(default_factory=list)


def standard_code() -> str:
    """The code of the standard applications are made against (config GI_STANDARD_CODE)."""
    return current_app.config.get("GI_STANDARD_CODE", DEFAULT_CODE)


def published_hashes() -> dict[tuple[str, str], str]:
    """(code, version) → content hash of every published version in the database."""
    rows = db.session.execute(
        db.select(StandardVersion.code, StandardVersion.version, StandardVersion.content_hash)
        .where(StandardVersion.status != "draft")
    )  # fmt: skip
    return {(code, version): digest for code, version, digest in rows}


def check_files(directory: str | Path) -> list[Problem]:
    """Every problem of the files, including edits to versions the database records as published."""
    return check_directory(directory, published_hashes())


def _refusals(directory: Path) -> list[str]:
    """Why the files cannot be loaded: file problems, and rules that need the database."""
    problems = check_files(directory)
    lines = [f"{p} [{p.reason}]" for p in problems]
    for p in problems:
        if p.reason == "published-changed":
            lines.append(
                f"{p.file}: a published version is immutable. Restore this file as it was "
                "published and put the change in a new version (a new file with a higher "
                "version number, see standards/README.md)."
            )
    if problems:
        return lines
    on_disk = {(s.code, s.version): s for s in load_directory(directory)}
    for row in db.session.scalars(db.select(StandardVersion)):
        standard = on_disk.get((row.code, row.version))
        if standard is None and row.published:
            lines.append(f"{row.code} {row.version}: published, but its file is missing from "
                         f"{directory}; restore {row.file_name}.")  # fmt: skip
        elif (
            standard is not None and row.status == "superseded" and standard.status != "superseded"
        ):
            lines.append(f"{row.code} {row.version}: superseded versions cannot come back into "
                         "effect; publish a new version instead.")  # fmt: skip
    return lines


def sync_standards(directory: str | Path | None = None, actor: User | None = None) -> SyncReport:
    """Load every standard file into the database, refusing edits to published versions; commits.

    New versions are added, drafts follow their files, and status changes (publication,
    supersession) are recorded with their time. Every change is audited; nothing is written
    when anything is refused.
    """
    directory = Path(directory or current_app.config["STANDARDS_DIR"])
    if refusals := _refusals(directory):
        raise SyncRefused(refusals)
    report = SyncReport()
    rows = {(r.code, r.version): r for r in db.session.scalars(db.select(StandardVersion))}
    for standard in load_directory(directory):
        row = rows.pop((standard.code, standard.version), None)
        _apply(standard, row, actor, report)
    for row in rows.values():  # only drafts are left: their files were deleted
        _audit("standard.drop_draft", row, actor, before=_summary(row))
        db.session.delete(row)
        report.changes.append(f"{row.code} {row.version}: draft removed (its file is gone)")
    db.session.commit()
    return report


def _summary(row: StandardVersion) -> dict:
    return {"status": row.status, "content_hash": row.content_hash,
            "effective_from": row.effective_from, "superseded_on": row.superseded_on}  # fmt: skip


def _audit(action: str, row: StandardVersion, actor: User | None, **changes) -> None:
    record(action, "standard", f"{row.code} {row.version}", actor,
           actor_label=None if actor else SYNC_ACTOR, **changes)  # fmt: skip


def _apply(standard: Standard, row: StandardVersion | None, actor, report: SyncReport) -> None:
    """Bring one database row in line with its (already checked) file."""
    now = utcnow()
    if row is None:
        row = StandardVersion(code=standard.code, version=standard.version)
        db.session.add(row)
        before = None
    elif (
        row.content_hash == standard.content_hash
        and row.status == standard.status
        and (row.superseded_on == standard.superseded_on)
    ):
        return
    else:
        before = _summary(row)
    was_published = before is not None and before["status"] != "draft"
    row.status, row.content_hash = standard.status, standard.content_hash
    row.issued, row.effective_from = standard.issued, standard.effective_from
    row.superseded_on, row.data = standard.superseded_on, to_json(standard)
    row.file_name = Path(standard.source).name
    if standard.published and row.published_at is None:
        row.published_at = now
    if standard.status == "superseded" and row.superseded_at is None:
        row.superseded_at = now
    if before is None:
        action, words = ("standard.publish", "published") if standard.published else (
            "standard.load_draft", "draft loaded")  # fmt: skip
    elif standard.status == "superseded" and before["status"] != "superseded":
        action, words = "standard.supersede", f"superseded on {standard.superseded_on}"
    elif standard.published and not was_published:
        action, words = "standard.publish", "published"
    else:
        action, words = "standard.update_draft", "draft updated"
    _audit(action, row, actor, before=before, after=_summary(row))
    report.changes.append(f"{standard.code} {standard.version}: {words}")


def load_standards_if_missing() -> None:
    """Load the files when the database holds no standard at all (a fresh database)."""
    if db.session.scalar(db.select(db.func.count(StandardVersion.id))) == 0:
        sync_standards()


# ---- Reading versions back -------------------------------------------------------------------


def _text(value: dict | None) -> Text | None:
    return None if value is None else Text(value["zh"], value["en"])


def _clause(c: dict) -> Clause:
    limits = c.get("limits")
    return Clause(
        id=c["id"], heading=_text(c["heading"]), text=_text(c["text"]), kind=c["kind"],
        mandatory=c["mandatory"], categories=tuple(c["categories"]), unit=c["unit"],
        limits=Limits(limits["min"], limits["max"]) if limits else None,
        evidence=_text(c["evidence"]), method=_text(c["method"]),
        condition=_text(c["condition"]), references=tuple(c["references"]),
    )  # fmt: skip


def as_standard(row: StandardVersion) -> Standard:
    """The version as a `spec.Standard`, rebuilt from the JSON stored at publication."""
    d = row.data
    return Standard(
        code=d["code"], version=d["version"], title=_text(d["title"]), status=row.status,
        issued=date.fromisoformat(d["issued"]), effective_from=date.fromisoformat(d["effective_from"]),
        superseded_on=row.superseded_on, notice=_text(d["notice"]), scope=_text(d["scope"]),
        production_area=tuple(d["production_area"]),
        categories=tuple(Category(c["id"], c["zh"], c["en"]) for c in d["categories"]),
        clauses=tuple(_clause(c) for c in d["clauses"]),
        references=tuple(Reference(r["code"], _text(r["title"]), _text(r["note"]))
                         for r in d["references"]),
        content_hash=row.content_hash, source=row.file_name,
    )  # fmt: skip


def versions(code: str, include_drafts: bool = False) -> list[StandardVersion]:
    """The versions of a standard, newest first."""
    query = db.select(StandardVersion).where(StandardVersion.code == code)
    if not include_drafts:
        query = query.where(StandardVersion.status != "draft")
    return sorted(db.session.scalars(query), key=lambda r: r.version_key, reverse=True)


def codes() -> list[str]:
    """The codes of every standard with a published version."""
    query = db.select(StandardVersion.code).where(StandardVersion.status != "draft").distinct()
    return sorted(db.session.scalars(query))


def get_version(code: str, version: str) -> StandardVersion | None:
    """One version of a standard, or None."""
    return db.session.scalar(
        db.select(StandardVersion).where(
            StandardVersion.code == code, StandardVersion.version == version
        )
    )


def in_force(code: str, on: date | None = None) -> StandardVersion | None:
    """The published version of `code` in force on a day (today in Boshan by default)."""
    on = on or local_today()
    current = [
        row for row in versions(code)
        if row.effective_from <= on and (row.superseded_on is None or on < row.superseded_on)
    ]  # fmt: skip
    return max(current, key=lambda r: r.version_key, default=None)


def version_status(code: str, version: str) -> tuple[bool, str | None]:
    """Whether `version` of `code` is the one in force today, and which one is (None if none).

    For the public verification page: "authorized under BSLL-WS 2026.1; 2026.2 is now in effect".
    """
    current = in_force(code)
    current_version = current.version if current else None
    return current_version == version, current_version


def outdated_authorizations() -> list[tuple[Authorization, StandardVersion | None]]:
    """Active or suspended, unexpired authorizations granted under a version no longer in force,
    with the version in force now."""
    query = (
        db.select(Authorization)
        .where(Authorization.status.in_((AuthorizationStatus.ACTIVE, AuthorizationStatus.SUSPENDED)),
               Authorization.valid_until >= local_today(), Authorization.standard_code != "")
        .order_by(Authorization.standard_code, Authorization.standard_version, Authorization.number)
    )  # fmt: skip
    current: dict[str, StandardVersion | None] = {}
    result = []
    for authorization in db.session.scalars(query):
        code = authorization.standard_code
        if code not in current:
            current[code] = in_force(code)
        now = current[code]
        if now is None or now.version != authorization.standard_version:
            result.append((authorization, now))
    return result
