"""Trademark brand guidance stations (商标品牌指导站): records, service ledger, articles, consent."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class HostType(enum.StrEnum):
    """The kinds of host organisation (依托单位) that CNIPA's 2021 notice names."""

    SERVICE_CENTRE = "service_centre"
    INDUSTRIAL_PARK = "industrial_park"
    UNIVERSITY = "university"
    INDUSTRY_ASSOCIATION = "industry_association"


class StationStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class LedgerKind(enum.StrEnum):
    """What a ledger (台账) entry records; the order is the order of the inspectors' indicators."""

    CONSULTATION = "consultation"
    TRAINING = "training"
    REGISTRATION_GUIDANCE = "registration_guidance"
    GI_MARK_HELP = "gi_mark_help"
    RIGHTS_PROTECTION = "rights_protection"
    PUBLICITY = "publicity"


class AttachmentKind(enum.StrEnum):
    PHOTO = "photo"
    SIGN_IN_SHEET = "sign_in_sheet"


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class GuidanceStation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    host_organisation: Mapped[str] = mapped_column(String(200))
    host_type: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(300))
    town: Mapped[str] = mapped_column(String(20), index=True)
    service_scope: Mapped[str] = mapped_column(Text, default="")
    contact_person: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(30))
    established_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=StationStatus.ACTIVE, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    operator_rows: Mapped[list["StationOperator"]] = relationship(
        back_populates="station", cascade="all, delete-orphan", order_by="StationOperator.user_id"
    )

    def has_operator(self, user) -> bool:
        return any(row.user_id == user.id for row in self.operator_rows)

    def __repr__(self) -> str:
        return f"<GuidanceStation {self.name}>"


class StationOperator(db.Model):
    """A user who keeps one station's ledger and articles."""

    station_id: Mapped[int] = mapped_column(ForeignKey("guidance_station.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    station: Mapped[GuidanceStation] = relationship(back_populates="operator_rows")
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821


class LedgerEntry(db.Model):
    """One service the station gave; corrected only through LedgerRevision, never overwritten."""

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("guidance_station.id"), index=True)
    entry_date: Mapped[date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    people_count: Mapped[int] = mapped_column(default=1)
    summary: Mapped[str] = mapped_column(Text)
    # Enterprises that are not registered here, one name per line.
    other_enterprises: Mapped[str] = mapped_column(Text, default="")
    is_published: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revision: Mapped[int] = mapped_column(default=1)

    station: Mapped[GuidanceStation] = relationship()
    enterprise_links: Mapped[list["LedgerEnterprise"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", lazy="selectin"
    )
    attachments: Mapped[list["LedgerAttachment"]] = relationship(
        back_populates="entry", order_by="LedgerAttachment.id"
    )
    revisions: Mapped[list["LedgerRevision"]] = relationship(
        back_populates="entry", order_by="LedgerRevision.number.desc()"
    )

    @property
    def enterprises(self) -> list:
        return sorted((link.enterprise for link in self.enterprise_links), key=lambda e: e.name)

    @property
    def other_names(self) -> list[str]:
        return [n.strip() for n in self.other_enterprises.splitlines() if n.strip()]


class LedgerEnterprise(db.Model):
    """A registered enterprise served by a ledger entry."""

    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id"), primary_key=True, index=True
    )

    entry: Mapped[LedgerEntry] = relationship(back_populates="enterprise_links")
    enterprise: Mapped["Enterprise"] = relationship(lazy="joined")  # noqa: F821


class LedgerRevision(db.Model):
    """The content of an entry as it was before one correction, with who, when and why."""

    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"), index=True)
    number: Mapped[int]  # the revision that this content was
    previous: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    entry: Mapped[LedgerEntry] = relationship(back_populates="revisions")
    changed_by: Mapped["User | None"] = relationship()  # noqa: F821


class LedgerAttachment(db.Model):
    """A photo or sign-in sheet of an entry; removal is recorded, the file and row are kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    removal_reason: Mapped[str] = mapped_column(Text, default="")

    entry: Mapped[LedgerEntry] = relationship(back_populates="attachments")


class GuidanceArticle(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("guidance_station.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered only through stations.markdown
    language: Mapped[str] = mapped_column(String(5), default="zh")
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    station: Mapped[GuidanceStation] = relationship()

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class GuidanceConsent(db.Model):
    """A producer agrees to show publicly which station helped it with its GI application."""

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("guidance_station.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    station: Mapped[GuidanceStation] = relationship()
    enterprise: Mapped["Enterprise"] = relationship()  # noqa: F821
