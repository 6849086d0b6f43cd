"""The dashboard's running totals of verification scans, so that the page never re-reads the log."""

from datetime import date

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ScanTally(db.Model):
    """Scans counted per day (in Boshan) and kind (certificate or label)."""

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class ScanTallyMark(db.Model):
    """How far the tallies have read the scan log: every scan with a higher id is still uncounted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    last_scan_id: Mapped[int] = mapped_column(BigInteger, default=0)
