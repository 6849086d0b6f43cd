"""Daily scan counts without re-reading the scan log: each refresh counts only the scans recorded
since the previous one (a range of primary keys), adds them to per-day tallies, and moves a mark.

The scan log grows with every product checked; grouping a month of it by day on each dashboard
view would cost seconds at a million scans. The newest few ids are left to the live count, because
on PostgreSQL a writer may commit an id after a higher one is already visible.
"""

from datetime import date

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models.certificates import Scan
from ..models.dashboard import ScanTally, ScanTallyMark
from .queries import dialect, local

SETTLE = 200  # ids newer than (newest - SETTLE) are counted live, never tallied yet


def insert_for(model):
    return (postgresql.insert if dialect() == "postgresql" else sqlite.insert)(model)


def refresh_tallies() -> int:
    """Tally the scans recorded since the last refresh; returns the mark (the last id tallied).
    Two officials refreshing at once cannot count a scan twice: only one moves the mark."""
    newest = db.session.scalar(db.select(func.max(Scan.id))) or 0
    last = db.session.scalar(db.select(ScanTallyMark.last_scan_id).where(ScanTallyMark.id == 1))
    if last is None:  # the first refresh ever
        db.session.execute(insert_for(ScanTallyMark).values(id=1, last_scan_id=0)
                           .on_conflict_do_nothing())  # fmt: skip
        last = 0
    upto = newest - SETTLE
    if upto <= last:
        db.session.commit()
        return last
    claimed = db.session.execute(
        update(ScanTallyMark).where(ScanTallyMark.id == 1, ScanTallyMark.last_scan_id == last)
        .values(last_scan_id=upto)
    ).rowcount  # fmt: skip
    if claimed != 1:  # someone else is tallying this range
        db.session.rollback()
        return db.session.scalar(db.select(ScanTallyMark.last_scan_id)) or 0
    day = local(Scan.at, "day")
    counts = db.session.execute(
        db.select(day, Scan.kind, func.count(Scan.id))
        .where(Scan.id > last, Scan.id <= upto).group_by(day, Scan.kind)
    ).all()  # fmt: skip
    if counts:
        statement = insert_for(ScanTally).values(
            [{"day": date.fromisoformat(d), "kind": k, "count": n} for d, k, n in counts]
        )
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[ScanTally.day, ScanTally.kind],
            set_={"count": ScanTally.count + statement.excluded["count"]},
        ))  # fmt: skip
    db.session.commit()
    return upto


def daily_counts(since: date) -> dict[tuple[str, str], int]:
    """(YYYY-MM-DD, kind) -> scans from `since` on: the tallies plus the live count of the rest."""
    mark = refresh_tallies()
    totals: dict[tuple[str, str], int] = {}
    for day, kind, count in db.session.execute(
        db.select(ScanTally.day, ScanTally.kind, ScanTally.count).where(ScanTally.day >= since)
    ):
        totals[(day.isoformat(), kind)] = count
    day = local(Scan.at, "day")
    for key, kind, count in db.session.execute(
        db.select(day, Scan.kind, func.count(Scan.id)).where(Scan.id > mark)
        .group_by(day, Scan.kind)
    ):  # fmt: skip
        totals[(key, kind)] = totals.get((key, kind), 0) + count
    return totals
