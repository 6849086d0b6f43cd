"""Special-mark certificates, the record of every verification scan, and consumers' fake reports."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..exceptions import InvalidTransition
from ..extensions import db
from .base import UTCDateTime, utcnow


class CertificateStatus(enum.StrEnum):
    CURRENT = "current"
    SUPERSEDED = "superseded"


class Certificate(db.Model):
    """An issued certificate: a snapshot of what was certified, signed; never changed afterwards.

    A reissue is a new row; the old row may only move from current to superseded, pointing at it.
    What a consumer is told (valid, suspended, revoked, expired) follows the authorization's live
    status, never a copy stored here.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)  # BSLL-C-2026-000123
    code: Mapped[str] = mapped_column(String(17), unique=True)  # unguessable, in the QR's URL
    authorization_id: Mapped[int] = mapped_column(ForeignKey("authorization.id"), index=True)
    gi_name: Mapped[str] = mapped_column(String(40))
    holder_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    route: Mapped[str] = mapped_column(String(32))
    route_annotation: Mapped[str] = mapped_column(String(300))
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    standard_code: Mapped[str] = mapped_column(String(40), default="")
    standard_version: Mapped[str] = mapped_column(String(20), default="")
    standard_hash: Mapped[str] = mapped_column(String(64), default="")
    issuing_office: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(300))  # the signed URL: {PUBLIC_BASE_URL}/v/{code}
    kid: Mapped[str] = mapped_column(String(16), index=True)
    payload: Mapped[str] = mapped_column(Text)  # "GI1~kid~...~signature"
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reissue_reason: Mapped[str] = mapped_column(Text, default="")
    # active_history: the guard must see the old status even when the attribute was expired.
    status: Mapped[str] = mapped_column(
        String(20), default=CertificateStatus.CURRENT, index=True, active_history=True
    )
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    authorization: Mapped["Authorization"] = relationship()  # noqa: F821
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id])

    # An authorization's current certificate in one index step (a superseded certificate's page
    # links to it; reissues leave dozens of superseded ones under the same authorization).
    __table_args__ = (Index("ix_certificate_authorization_status", "authorization_id", "status"),)

    @property
    def qr_text(self) -> str:
        """The text of the certificate's QR: the URL a phone opens, and the signed payload."""
        return f"{self.url}#{self.payload}"

    @property
    def is_current(self) -> bool:
        return self.status == CertificateStatus.CURRENT

    @property
    def issue_date(self) -> date:
        from ..clock import SHANGHAI

        return self.issued_at.astimezone(SHANGHAI).date()

    @property
    def verdict(self) -> str:
        """The authorization's status as a consumer sees it today (for the public registry)."""
        from ..clock import local_today

        if not self.is_current:
            return CertificateStatus.SUPERSEDED.value
        return self.authorization.status_on(local_today()).value


class CertificateImmutable(InvalidTransition):
    """Raised on any change to an issued certificate other than its supersession."""


# The only columns that may change after issue, and only once: current -> superseded.
SUPERSESSION = frozenset({"status", "superseded_by_id", "superseded_at", "superseded_by"})


def _guard_certificate(mapper, connection, target: Certificate) -> None:
    state = inspect(target)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    if not changed:
        return
    status = state.attrs.status.history
    superseding = (
        changed <= SUPERSESSION
        and list(status.deleted) == [CertificateStatus.CURRENT]
        and list(status.added) == [CertificateStatus.SUPERSEDED]
        and target.superseded_by_id is not None
    )
    if not superseding:
        raise CertificateImmutable(
            f"certificate {target.number} is issued and cannot change ({', '.join(sorted(changed))});"
            " reissue it instead"
        )


def _refuse_delete(mapper, connection, target: Certificate) -> None:
    raise CertificateImmutable(f"certificate {target.number} is issued and cannot be deleted")


event.listen(Certificate, "before_update", _guard_certificate)
event.listen(Certificate, "before_delete", _refuse_delete)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state) -> None:
    """Bulk ORM UPDATE/DELETE bypasses the mapper events: refuse it for certificates."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is Certificate:
        raise CertificateImmutable("certificates cannot be changed in bulk")


class ScanKind(enum.StrEnum):
    CERTIFICATE = "certificate"
    LABEL = "label"


class Scan(db.Model):
    """One verification of a certificate or label; the scanner is a keyed hash, never an address."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    target_id: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    scanner: Mapped[str] = mapped_column(String(32))  # HMAC-SHA256(IP + user agent), truncated

    __table_args__ = (Index("ix_scan_target", "kind", "target_id", "scanner"),)


class ReportState(enum.StrEnum):
    NEW = "new"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


class FakeReport(db.Model):
    """A consumer's report of a suspected fake, and the officials' handling of it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), default="")  # as given (normalised if known)
    kind: Mapped[str] = mapped_column(String(12), default="")  # certificate | label | ""
    target_id: Mapped[int | None]
    where_bought: Mapped[str] = mapped_column(String(300), default="")
    bought_on: Mapped[date | None]
    what_seen: Mapped[str] = mapped_column(Text, default="")
    photo_stored_name: Mapped[str] = mapped_column(String(64), default="")
    photo_content_type: Mapped[str] = mapped_column(String(60), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default=ReportState.NEW, index=True)
    official_notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}
