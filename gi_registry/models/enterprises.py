"""Enterprises (producers) and the legal-user route under which they may use the mark."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Route(enum.StrEnum):
    """The four kinds of legal user (合法使用人) of the GI special mark, CNIPA announcement 354."""

    PROTECTED_PRODUCT = "protected_product"
    COLLECTIVE_MEMBER = "collective_member"
    CERTIFICATION_LICENSEE = "certification_licensee"
    OTHER_RECORDED = "other_recorded"


class Enterprise(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    # An official may accept a code that fails the GB 32100 check; the reason is kept for good.
    credit_code_exception: Mapped[str] = mapped_column(Text, default="")
    legal_representative: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300))
    town: Mapped[str] = mapped_column(String(20), index=True)
    phone: Mapped[str] = mapped_column(String(30))
    route: Mapped[str] = mapped_column(String(32), index=True)
    # Route details: the GI trademark (collective/certification routes), the licence (licensee
    # route), or the protection announcement / CNIPA record (other routes).
    trademark_name: Mapped[str] = mapped_column(String(100), default="")
    trademark_reg_no: Mapped[str] = mapped_column(String(50), default="")
    trademark_valid_until: Mapped[date | None]
    licence_start: Mapped[date | None]
    licence_end: Mapped[date | None]
    announcement_no: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    owner: Mapped["User | None"] = relationship(  # noqa: F821
        back_populates="enterprise", foreign_keys=[owner_id]
    )
    applications: Mapped[list["Application"]] = relationship(  # noqa: F821
        back_populates="enterprise", order_by="Application.id.desc()"
    )
    authorizations: Mapped[list["Authorization"]] = relationship(  # noqa: F821
        back_populates="enterprise", order_by="Authorization.id.desc()"
    )

    def __repr__(self) -> str:
        return f"<Enterprise {self.credit_code} {self.name}>"
