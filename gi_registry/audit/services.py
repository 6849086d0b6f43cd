"""Appending to and verifying the hash-chained audit log."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from sqlalchemy import text

from ..extensions import db
from ..models import AuditEntry, User
from ..models.base import utcnow

GENESIS = "0" * 64
# Any constant works; it only has to be the same for every writer of the chain.
POSTGRES_CHAIN_LOCK = 7_304_2026


def jsonable(value):
    """Dates, enums and sets as plain JSON values, so the hash is the same after a round trip."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj, *fields: str) -> dict:
    """The named attributes of `obj` as a JSON-ready dict (the before/after of an entry)."""
    return {f: jsonable(getattr(obj, f)) for f in fields}


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 of the entry's content and the previous entry's hash."""
    content = {
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "action": entry.action,
        "before": entry.before,
        "after": entry.after,
        "grounds": entry.grounds,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    action: str,
    object_type: str,
    object_id,
    actor: User | None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    grounds: str = "",
    actor_label: str | None = None,
) -> AuditEntry:
    """Append an entry to the chain inside the caller's transaction (the caller commits)."""
    # Flushing the caller's change first takes SQLite's write lock; on PostgreSQL an advisory
    # lock does the same. Either way no other writer can read the same chain tail.
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": POSTGRES_CHAIN_LOCK})
    prev = db.session.scalar(db.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email if actor else "system"),
        object_type=object_type,
        object_id=str(object_id),
        action=action,
        before=jsonable(before),
        after=jsonable(after),
        grounds=grounds or "",
        prev_hash=prev or GENESIS,
    )
    entry.hash = entry_hash(entry)
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify_chain(batch: int = 1000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return the number of entries checked and the first break."""
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = db.session.scalars(
            db.select(AuditEntry)
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch)
        ).all()
        if not rows:
            return checked, None
        for entry in rows:
            if entry.prev_hash != prev:
                return checked, ChainBreak(entry.id, "previous-hash link does not match")
            if entry_hash(entry) != entry.hash:
                return checked, ChainBreak(entry.id, "content does not match its hash")
            prev, last_id, checked = entry.hash, entry.id, checked + 1
        db.session.expunge_all()


def entries_for(*objects: tuple[str, object]) -> list[AuditEntry]:
    """The entries about the given (object_type, object_id) pairs, oldest first (a timeline)."""
    conditions = [
        (AuditEntry.object_type == kind) & (AuditEntry.object_id == str(oid))
        for kind, oid in objects
    ]
    if not conditions:
        return []
    return list(
        db.session.scalars(db.select(AuditEntry).where(db.or_(*conditions)).order_by(AuditEntry.id))
    )
