"""Applications to use the special mark, their attachments, and the authorizations they lead to."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class ApplicationState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    REVIEW_PASSED = "review_passed"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class AuthorizationStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"  # never stored: derived from valid_until


class Application(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=ApplicationState.DRAFT, index=True)
    route: Mapped[str] = mapped_column(String(32))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    production_address: Mapped[str] = mapped_column(String(300))
    production_town: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    standard_code: Mapped[str] = mapped_column(String(40), default="")
    standard_version: Mapped[str] = mapped_column(String(20), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Guards against two officials acting on the same application at once.
    version_id: Mapped[int] = mapped_column(default=1)

    enterprise: Mapped["Enterprise"] = relationship(back_populates="applications")  # noqa: F821
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="application", order_by="Attachment.id"
    )
    authorization: Mapped["Authorization | None"] = relationship(back_populates="application")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def number(self) -> str:
        return f"SQ-{self.created_at.year}-{self.id:05d}"

    @property
    def is_editable(self) -> bool:
        return self.state in (ApplicationState.DRAFT, ApplicationState.RETURNED)


class Attachment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="attachments")


class Authorization(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    gi_name: Mapped[str] = mapped_column(String(40), default="博山琉璃")
    route: Mapped[str] = mapped_column(String(32))
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default=AuthorizationStatus.ACTIVE, index=True)
    rectification_deadline: Mapped[date | None]
    status_grounds: Mapped[str] = mapped_column(Text, default="")
    standard_code: Mapped[str] = mapped_column(String(40), default="")
    standard_version: Mapped[str] = mapped_column(String(20), default="")
    standard_hash: Mapped[str] = mapped_column(String(64), default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    enterprise: Mapped["Enterprise"] = relationship(back_populates="authorizations")  # noqa: F821
    application: Mapped[Application] = relationship(back_populates="authorization")

    __mapper_args__ = {"version_id_col": version_id}

    def status_on(self, day: date) -> AuthorizationStatus:
        """The status a consumer should see on `day`: expiry follows from the dates."""
        status = AuthorizationStatus(self.status)
        if status == AuthorizationStatus.REVOKED:
            return status
        if day > self.valid_until:
            return AuthorizationStatus.EXPIRED
        return status


class Counter(db.Model):
    """Named sequences (e.g. authorization numbers per year): numbers are never reused."""

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
