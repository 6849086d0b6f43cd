"""The public registry's own records: numbered announcements (公告) and photos of genuine items."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from ..exceptions import InvalidTransition
from ..extensions import db
from .base import UTCDateTime, utcnow


class AnnouncementKind(enum.StrEnum):
    APPROVAL = "approval"  # 核准: authorizations approved and not yet announced
    CHANGE = "change"  # 变更: announced facts that have since changed
    CANCELLATION = "cancellation"  # 注销: revoked authorizations
    CORRECTION = "correction"  # 更正: re-lists entries of an earlier announcement


class Announcement(db.Model):
    """A published announcement: written once, never changed (a correction is a new one)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    issuing_office: Mapped[str] = mapped_column(String(100))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("announcement.id"), index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    entries: Mapped[list["AnnouncementEntry"]] = relationship(
        back_populates="announcement", order_by="AnnouncementEntry.position"
    )
    corrects: Mapped["Announcement | None"] = relationship(remote_side=[id])

    @property
    def published_on(self) -> date:
        from ..clock import SHANGHAI

        return self.published_at.astimezone(SHANGHAI).date()


class AnnouncementEntry(db.Model):
    """One line of an announcement's list, copied at publication in the authorities' shape."""

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id"), index=True)
    position: Mapped[int]  # 序号
    authorization_id: Mapped[int] = mapped_column(ForeignKey("authorization.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))  # 企业名称
    credit_code: Mapped[str] = mapped_column(String(18))  # 统一社会信用代码
    address: Mapped[str] = mapped_column(String(300))  # 地址
    products: Mapped[str] = mapped_column(String(500))  # 产品, in words as published
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)  # the slugs, to detect changes
    event_date: Mapped[date]  # 核准日期 / 变更日期 / 注销日期
    reason: Mapped[str] = mapped_column(Text, default="")  # 变更事项 / 注销原因 / 更正说明

    announcement: Mapped[Announcement] = relationship(back_populates="entries")

    __table_args__ = (db.UniqueConstraint("announcement_id", "position"),)


class PublishedRecordImmutable(InvalidTransition):
    """Raised on any attempt to change or delete a published announcement or one of its rows."""


IMMUTABLE = (Announcement, AnnouncementEntry)


def _refuse_change(mapper, connection, target) -> None:
    session = object_session(target)
    # A dirty flag from a relationship elsewhere (a new correction pointing here) is not a change.
    if session is not None and not session.is_modified(target, include_collections=False):
        return
    raise PublishedRecordImmutable(
        f"{type(target).__name__} {target.id} is published and cannot change; "
        "publish a correction instead."
    )


def _refuse_delete(mapper, connection, target) -> None:
    raise PublishedRecordImmutable(
        f"{type(target).__name__} {target.id} is published and cannot be deleted."
    )


for _model in IMMUTABLE:
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_delete)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state) -> None:
    """Bulk UPDATE/DELETE through the ORM bypasses the mapper events: refuse it too."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ in IMMUTABLE:
        raise PublishedRecordImmutable("Published announcements cannot be changed in bulk.")


class PhotoState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ProductPhoto(db.Model):
    """A photo of a genuine item a producer submitted; public only once an official approves it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    caption: Mapped[str] = mapped_column(String(200), default="")
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(20), default=PhotoState.PENDING, index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")

    enterprise: Mapped["Enterprise"] = relationship()  # noqa: F821
