"""Product standard versions as published, and each application's clause-by-clause conformance."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class StandardVersion(db.Model):
    """One version of a product standard as loaded from its file; its content never changes once
    published (effective or superseded): a change is a new version."""

    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)  # draft / effective / superseded
    issued: Mapped[date]
    effective_from: Mapped[date]
    superseded_on: Mapped[date | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    # The version as `spec.to_json` gives it: pages, downloads and PDFs are made from this.
    data: Mapped[dict] = mapped_column(JSON)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def version_key(self) -> tuple[int, int]:
        """Sortable form of the version: "2026.10" sorts after "2026.9"."""
        year, number = self.version.split(".")
        return int(year), int(number)

    @property
    def published(self) -> bool:
        return self.status != "draft"

    def title(self, lang: str) -> str:
        """The title in a language ("zh" or "en")."""
        return self.data["title"]["en" if lang == "en" else "zh"]


class ClauseAnswer(db.Model):
    """The producer's answer to one clause of the standard version its application is made under."""

    __table_args__ = (UniqueConstraint("application_id", "clause_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    clause_id: Mapped[str] = mapped_column(String(60))
    # declaration / document / measured / inspection, or not_applicable when the clause's
    # condition does not hold for this producer.
    kind: Mapped[str] = mapped_column(String(20))
    attachment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    value: Mapped[str] = mapped_column(String(40), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Bumped on every change, so that a reviewer's verdict on an older answer no longer counts.
    revision: Mapped[int] = mapped_column(default=1)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped["Application"] = relationship()  # noqa: F821


class ClauseReview(db.Model):
    """A reviewer's result for one clause of an application: pass, fail or a comment. Rows are
    only ever added; the latest pass/fail on the current answer is the clause's verdict."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    clause_id: Mapped[str] = mapped_column(String(60))
    result: Mapped[str] = mapped_column(String(10))  # pass / fail / comment
    note: Mapped[str] = mapped_column(Text, default="")
    answer_revision: Mapped[int] = mapped_column(default=0)  # 0: the clause had no answer
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer: Mapped["User | None"] = relationship()  # noqa: F821
