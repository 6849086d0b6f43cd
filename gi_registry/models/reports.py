"""Yearly use reports of the special mark, and the reminders and rectification flags for missing ones."""

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class UseReport(db.Model):
    """A legal user's report of its use of the mark during one calendar year (filed the year after).

    Corrections keep the same row; every change is in the audit log with its before and after.
    """

    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    output_value_yuan: Mapped[int] = mapped_column(BigInteger, default=0)  # 产值, whole yuan
    labels_used: Mapped[int] = mapped_column(BigInteger, default=0)  # marks/labels applied
    production_changes: Mapped[str] = mapped_column(Text, default="")
    ownership_changes: Mapped[str] = mapped_column(Text, default="")
    remarks: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enterprise: Mapped["Enterprise"] = relationship()  # noqa: F821
    lines: Mapped[list["UseReportLine"]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="UseReportLine.position",
        lazy="selectin",
    )


class UseReportLine(db.Model):
    """One product sold under the mark in the year: category, what it is, how many."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("use_report.id"), index=True)
    position: Mapped[int]
    category: Mapped[str] = mapped_column(String(40))
    product: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(10))

    report: Mapped[UseReport] = relationship(back_populates="lines")


class NoticeKind(enum.StrEnum):
    REMINDER = "reminder"  # the deadline has passed without a report
    RECTIFICATION = "rectification"  # the grace period has passed too: officials should act


class NoticeResolution(enum.StrEnum):
    FILED = "filed"  # the report came in
    SUSPENDED = "suspended"  # an approver suspended the authorization from the flag
    DISMISSED = "dismissed"  # an official closed it with grounds


class ReportNotice(db.Model):
    """A reminder or rectification flag raised for a missing yearly report (at most one of each
    kind per enterprise and year, so that running the check again changes nothing)."""

    __table_args__ = (UniqueConstraint("enterprise_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str] = mapped_column(String(20), default="")
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    enterprise: Mapped["Enterprise"] = relationship()  # noqa: F821

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
