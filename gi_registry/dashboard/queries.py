"""The dashboard's figures, each one aggregated in SQL (GROUP BY) in one query, whatever the size
of the registry: the page runs a fixed number of queries."""

import statistics
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, case, cast, func

from ..clock import SHANGHAI
from ..extensions import db
from ..models import Application, AuditEntry, Authorization, AuthorizationStatus, Enterprise
from ..models.certificates import FakeReport
from ..models.labels import Label
from ..models.stations import GuidanceStation, LedgerEntry

DECISIONS = ("application.approve", "application.reject")


def dialect() -> str:
    return db.session.get_bind().dialect.name


def local(column, pattern: str):
    """A UTC timestamp column as text in Asia/Shanghai: pattern "month" (YYYY-MM) or "day"."""
    if dialect() == "postgresql":
        fmt = {"month": "YYYY-MM", "day": "YYYY-MM-DD"}[pattern]
        return func.to_char(func.timezone("Asia/Shanghai", column), fmt)
    return func.strftime({"month": "%Y-%m", "day": "%Y-%m-%d"}[pattern], column, "+8 hours")


def seconds_between(start, end):
    if dialect() == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400


def since(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def months_back(today: date, count: int) -> list[str]:
    """The last `count` months as YYYY-MM, oldest first, this month last."""
    year, month, months = today.year, today.month, []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def days_back(today: date, count: int) -> list[str]:
    return [(today - timedelta(days=n)).isoformat() for n in range(count - 1, -1, -1)]


def applications_by_state() -> dict[str, int]:
    rows = db.session.execute(
        db.select(Application.state, func.count(Application.id)).group_by(Application.state)
    )
    return dict(rows.tuples().all())


def applications_by_month(today: date, months: int = 12) -> list[dict]:
    """Per month: applications submitted for the first time, approved and rejected."""
    keys = months_back(today, months)
    month = local(AuditEntry.at, "month")
    rows = db.session.execute(
        db.select(month, AuditEntry.action, func.count(AuditEntry.id))
        .where(AuditEntry.action.in_(("application.submit", *DECISIONS)),
               AuditEntry.at >= since(date.fromisoformat(keys[0] + "-01")))
        .group_by(month, AuditEntry.action)
    ).tuples()  # fmt: skip
    table = {key: {"month": key, "submit": 0, "approve": 0, "reject": 0} for key in keys}
    for key, action, count in rows:
        if key in table:
            table[key][action.split(".")[1]] = count
    return list(table.values())


def review_times(today: date, days: int = 365) -> dict:
    """Median days from first submission to decision, for decisions in the last `days` days."""
    first_submit = (
        db.select(AuditEntry.object_id, func.min(AuditEntry.at).label("at"))
        .where(AuditEntry.object_type == "application", AuditEntry.action == "application.submit")
        .group_by(AuditEntry.object_id).subquery()
    )  # fmt: skip
    durations = db.session.scalars(
        db.select(seconds_between(first_submit.c.at, Application.decided_at))
        .join(first_submit, first_submit.c.object_id == cast(Application.id, String))
        .where(Application.decided_at >= since(today - timedelta(days=days)))
    ).all()  # fmt: skip
    values = [float(d) / 86400 for d in durations if d is not None]
    return {"count": len(values), "median_days": statistics.median(values) if values else None}


def public_status(today: date):
    """SQL: an authorization's status as the public sees it (expiry follows from the dates)."""
    return case(
        (Authorization.status == AuthorizationStatus.REVOKED, AuthorizationStatus.REVOKED.value),
        (Authorization.valid_until < today, AuthorizationStatus.EXPIRED.value),
        else_=Authorization.status,
    )


def authorizations_by_town(today: date) -> list[tuple[str, str, int]]:
    """(town, status, count) for every authorization; totals by status are sums of these."""
    status = public_status(today)
    return list(db.session.execute(
        db.select(Enterprise.town, status, func.count(Authorization.id))
        .join(Authorization.enterprise).group_by(Enterprise.town, status)
    ).tuples())  # fmt: skip


def scans_per_day(today: date, days: int = 30) -> list[dict]:
    """Certificate and label scans per day, from the running tallies (see `tally`)."""
    from .tally import daily_counts  # builds on this module's helpers

    keys = days_back(today, days)
    counts = daily_counts(date.fromisoformat(keys[0]))
    return [{"day": key, "certificate": counts.get((key, "certificate"), 0),
             "label": counts.get((key, "label"), 0)} for key in keys]  # fmt: skip


def copy_warnings(today: date, days: int = 30) -> dict:
    """Labels flagged as possibly copied: in the last `days` days, and ever."""
    recent = since(today - timedelta(days=days - 1))
    total, latest = db.session.execute(
        db.select(func.count(Label.id), func.count(Label.id).filter(Label.copy_flagged_at >= recent))
        .where(Label.copy_flagged_at.is_not(None))
    ).one()  # fmt: skip
    return {"total": total, "recent": latest}


def fake_reports_by_state() -> dict[str, int]:
    rows = db.session.execute(
        db.select(FakeReport.state, func.count(FakeReport.id)).group_by(FakeReport.state)
    )
    return dict(rows.tuples().all())


def station_activity(today: date, months: int = 12) -> dict:
    """Ledger entries of the last `months` months, by kind and by station."""
    start = date.fromisoformat(months_back(today, months)[0] + "-01")
    rows = db.session.execute(
        db.select(GuidanceStation.name, LedgerEntry.kind, func.count(LedgerEntry.id),
                  func.coalesce(func.sum(LedgerEntry.people_count), 0))
        .join(LedgerEntry.station).where(LedgerEntry.entry_date >= start)
        .group_by(GuidanceStation.name, LedgerEntry.kind)
    ).tuples()  # fmt: skip
    by_kind: dict[str, dict] = {}
    by_station: dict[str, int] = {}
    for name, kind, count, people in rows:
        entry = by_kind.setdefault(kind, {"count": 0, "people": 0})
        entry["count"] += count
        entry["people"] += people
        by_station[name] = by_station.get(name, 0) + count
    return {"since": start, "by_kind": by_kind, "by_station": sorted(by_station.items())}
