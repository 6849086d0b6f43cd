"""Per-item labels (一物一码): batches ordered by a producer and the serialized labels they hold."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

MAX_BATCH_QUANTITY = 50_000


class BatchState(enum.StrEnum):
    QUEUED = "queued"
    ISSUING = "issuing"
    READY = "ready"
    FAILED = "failed"


class LabelBatch(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    authorization_id: Mapped[int] = mapped_column(ForeignKey("authorization.id"), index=True)
    # A product category slug (gi_registry.categories) within the authorization's scope.
    category: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int]
    state: Mapped[str] = mapped_column(String(16), default=BatchState.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)  # labels done so far
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # File name of the label-sheet PDF under instance/labels/; empty until the batch is ready.
    pdf_name: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")

    authorization: Mapped["Authorization"] = relationship()  # noqa: F821

    @property
    def number(self) -> str:
        return f"LB-{self.created_at.year}-{self.id:06d}"

    @property
    def is_finished(self) -> bool:
        return self.state in (BatchState.READY, BatchState.FAILED)


class Label(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("label_batch.id"), index=True)
    # Normalised serial (12 random + 1 check character, no separators); see certificates.serials.
    serial: Mapped[str] = mapped_column(String(13), unique=True)
    first_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scan_count: Mapped[int] = mapped_column(default=0)
    distinct_scanners: Mapped[int] = mapped_column(default=0)
    copy_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    batch: Mapped[LabelBatch] = relationship()

    # Only the few flagged labels are indexed: the officials' list (newest first) and the
    # dashboard's count read them without touching the million others.
    __table_args__ = (
        Index("ix_label_flagged", "copy_flagged_at", "id",
              sqlite_where=text("copy_flagged_at IS NOT NULL"),
              postgresql_where=text("copy_flagged_at IS NOT NULL")),
    )  # fmt: skip
