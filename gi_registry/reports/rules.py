"""Who must report for which year, and by when: the registry's own rules, set in the configuration.

The national rules ask legal users to report their use of the mark regularly to the local office
but set no date; the deadline (default 31 March of the following year) and the grace period before
a rectification flag (default 30 days) are this registry's choices (USE_REPORT_DEADLINE "MM-DD",
USE_REPORT_GRACE_DAYS).
"""

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import String, cast

from ..clock import SHANGHAI
from ..extensions import db
from ..models import AuditEntry, Authorization, AuthorizationStatus

DEFAULT_DEADLINE = "03-31"
DEFAULT_GRACE_DAYS = 30


def deadline(year: int) -> date:
    """The last day to file the report for `year` (in the following year)."""
    month, day = (
        int(part)
        for part in current_app.config.get("USE_REPORT_DEADLINE", DEFAULT_DEADLINE).split("-")
    )
    return date(year + 1, month, day)


def grace_days() -> int:
    return int(current_app.config.get("USE_REPORT_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def flag_date(year: int) -> date:
    """From the day after this, a missing report raises a rectification flag."""
    return deadline(year) + timedelta(days=grace_days())


def year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=SHANGHAI)


def active_during(year: int):
    """SQL: the authorization was valid at some time in `year` and not revoked before it began."""
    revoked_before = (
        db.select(AuditEntry.id)
        .where(
            AuditEntry.object_type == "authorization",
            AuditEntry.object_id == cast(Authorization.id, String),
            AuditEntry.action == "authorization.revoke",
            AuditEntry.at < year_start(year),
        )
        .exists()
    )
    return (
        (Authorization.valid_from <= date(year, 12, 31))
        & (Authorization.valid_until >= date(year, 1, 1))
        & ~revoked_before
    )


def obligated_ids(year: int):
    """SELECT of the enterprises that must report for `year` (active legal users in that year)."""
    return db.select(Authorization.enterprise_id).where(active_during(year)).distinct()


def is_obligated(enterprise_id: int, year: int) -> bool:
    return (
        db.session.scalar(
            db.select(Authorization.id)
            .where(Authorization.enterprise_id == enterprise_id, active_during(year))
            .limit(1)
        )
        is not None
    )


def holds_authorization(enterprise_id: int):
    """SQL: the enterprise still holds an authorization that is not revoked (something to act on)."""
    return (
        db.select(Authorization.id)
        .where(
            Authorization.enterprise_id == enterprise_id,
            Authorization.status != AuthorizationStatus.REVOKED,
        )
        .exists()
    )


def years_to_report(enterprise_id: int, today: date) -> list[int]:
    """Finished years in which the enterprise was a legal user, newest first."""
    first = db.session.scalar(
        db.select(db.func.min(Authorization.valid_from)).where(
            Authorization.enterprise_id == enterprise_id
        )
    )
    if first is None:
        return []
    return [y for y in range(today.year - 1, first.year - 1, -1) if is_obligated(enterprise_id, y)]
