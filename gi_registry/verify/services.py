"""What the public verification pages say, and the record of each scan.

Lean on purpose: these are the pages printed on products. A certificate check is one query (plus
one when it was superseded), a label check one query, and recording the scan one INSERT (plus the
label's counters). Recording never fails the page: `record_scan` is the single place to swap for
a batched writer.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask import Request, current_app
from sqlalchemy import update

from ..audit.services import record
from ..certificates.services import live_keyset
from ..clock import local_today
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Enterprise
from ..models.base import utcnow
from ..models.certificates import Certificate, CertificateStatus, Scan, ScanKind
from ..models.labels import BatchState, Label, LabelBatch

# Verdicts shown to consumers, in the order they are decided.
VALID, NOT_FOUND = "valid", "not_found"


@dataclass(frozen=True)
class CertificateCheck:
    """The verdict on a certificate code, with what the page shows."""

    state: str
    certificate: Certificate | None = None
    current_number: str | None = None  # the certificate that superseded this one
    current_code: str | None = None
    standard: tuple[bool, str | None] | None = None  # (is the version in force, which one is)

    @property
    def ok(self) -> bool:
        return self.state == VALID


def certificate_state(certificate: Certificate, compromised: set[str], today: date) -> str:
    """The verdict, in the order an offline verifier decides it: key, status list, dates."""
    authorization = certificate.authorization
    if certificate.kid in compromised:
        return "key_compromised"
    if authorization.status == AuthorizationStatus.REVOKED:
        return "revoked"
    if authorization.status == AuthorizationStatus.SUSPENDED:
        return "suspended"
    if certificate.status == CertificateStatus.SUPERSEDED:
        return "superseded"
    if today > min(certificate.valid_until, authorization.valid_until):
        return "expired"
    if today < certificate.valid_from:
        return "not_yet_valid"
    return VALID


def check_certificate(code: str) -> CertificateCheck:
    """The verdict on the certificate with this verification code (canonical form)."""
    certificate = db.session.scalar(
        db.select(Certificate).join(Certificate.authorization)
        .options(db.contains_eager(Certificate.authorization)).where(Certificate.code == code)
    )  # fmt: skip
    if certificate is None:
        return CertificateCheck(NOT_FOUND)
    compromised = {k.kid for k in live_keyset().keys.values() if k.status == "compromised"}
    state = certificate_state(certificate, compromised, local_today())
    current = None
    if certificate.status == CertificateStatus.SUPERSEDED:
        current = db.session.execute(
            db.select(Certificate.number, Certificate.code)
            .where(Certificate.authorization_id == certificate.authorization_id,
                   Certificate.status == CertificateStatus.CURRENT).limit(1)
        ).first()  # fmt: skip
    return CertificateCheck(
        state, certificate, *(current or (None, None)),
        standard=standard_status(certificate.standard_code, certificate.standard_version),
    )  # fmt: skip


_standard_cache: dict[tuple[str, str], tuple[float, tuple[bool, str | None] | None]] = {}
STANDARD_TTL = 60.0  # seconds: a new standard version takes effect on a date, not to the second


def standard_status(code: str, version: str) -> tuple[bool, str | None] | None:
    """Whether the certificate's standard version is the one in force, cached for a minute."""
    if not code:
        return None
    now = time.monotonic()
    cached = _standard_cache.get((code, version))
    if cached is None or now - cached[0] > STANDARD_TTL:
        try:
            from ..standards.services import version_status
        except ImportError:
            return None
        cached = (now, version_status(code, version))
        _standard_cache[(code, version)] = cached
    return cached[1]


_category_cache: dict[tuple[str, str], tuple[float, str]] = {}


def category_names(slugs) -> list[str]:
    """Product category names in the current language, cached for a minute (they change only
    with a new standard version)."""
    from flask_babel import get_locale

    from .. import categories

    now, locale, names = time.monotonic(), str(get_locale()), []
    for slug in slugs:
        cached = _category_cache.get((slug, locale))
        if cached is None or now - cached[0] > STANDARD_TTL:
            cached = (now, categories.label(slug))
            _category_cache[(slug, locale)] = cached
        names.append(cached[1])
    return names


@dataclass(frozen=True)
class LabelCheck:
    """The verdict on a label serial and its scan history, this scan included."""

    state: str
    label: Label | None = None
    batch: LabelBatch | None = None
    authorization: Authorization | None = None
    enterprise: Enterprise | None = None
    first_scan_at: datetime | None = None
    scan_count: int = 0
    first_time: bool = False
    copy_warning: bool = False


def label_state(authorization: Authorization, today: date) -> str:
    """A label is as good as its authorization today."""
    status = authorization.status_on(today)
    return VALID if status == AuthorizationStatus.ACTIVE else status.value


def find_label(serial: str):
    """(label, batch, authorization, enterprise) for a serial, or None; one query."""
    return db.session.execute(
        db.select(Label, LabelBatch, Authorization, Enterprise)
        .join(LabelBatch, Label.batch_id == LabelBatch.id)
        .join(Authorization, LabelBatch.authorization_id == Authorization.id)
        .join(Enterprise, Authorization.enterprise_id == Enterprise.id)
        .where(Label.serial == serial, LabelBatch.state != BatchState.FAILED)
    ).first()  # fmt: skip


def check_label(serial: str, request: Request) -> LabelCheck:
    """The verdict on a label, recording this scan: first time, how often, and a possible copy."""
    row = find_label(serial)
    if row is None:
        return LabelCheck(NOT_FOUND)
    label, batch, authorization, enterprise = row
    before = (label.first_scan_at, label.scan_count, label.distinct_scanners)
    outcome = record_scan(ScanKind.LABEL, label.id, request)
    new_scanner = outcome.new_scanner if outcome else True
    first_scan_at, count, distinct = before
    threshold = current_app.config.get("LABEL_COPY_THRESHOLD", 5)
    return LabelCheck(
        label_state(authorization, local_today()), label, batch, authorization, enterprise,
        first_scan_at=first_scan_at or (outcome.at if outcome else utcnow()),
        scan_count=count + 1, first_time=first_scan_at is None,
        copy_warning=distinct + (1 if new_scanner else 0) > threshold,
    )  # fmt: skip


# --- recording scans --------------------------------------------------------------------------


def scanner_key() -> bytes:
    """The HMAC key for scanner hashes, derived from SECRET_KEY (instance/config.py)."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"gi-registry scanner hash v1", hashlib.sha256).digest()


def scanner_id(request: Request) -> str:
    """A keyed hash of the visitor's address and browser: counts distinct scanners, reveals
    neither (the raw address is never stored)."""
    agent = request.headers.get("User-Agent", "")[:300]
    message = f"{request.remote_addr or ''}\n{agent}".encode()
    return hmac.new(scanner_key(), message, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class ScanOutcome:
    at: datetime
    new_scanner: bool


def record_scan(kind: str, target_id: int, request: Request) -> ScanOutcome | None:
    """Record one verification (and a label's counters); never raises: a failure is logged and
    the page goes on. Returns None when nothing could be recorded."""
    try:
        scanner, now = scanner_id(request), utcnow()
        new_scanner = True
        if kind == ScanKind.LABEL:
            new_scanner = _count_label_scan(target_id, scanner, now)
        db.session.add(Scan(kind=str(kind), target_id=target_id, at=now, scanner=scanner))
        commit_keeping_loaded()
        return ScanOutcome(now, new_scanner)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("could not record a %s scan of %s", kind, target_id)
        return None


def commit_keeping_loaded() -> None:
    """Commit without expiring what the page is about to show (it would all be queried again)."""
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def _count_label_scan(label_id: int, scanner: str, now: datetime) -> bool:
    """Update the label's counters; flag it once when too many distinct scanners saw it."""
    seen = db.session.scalar(
        db.select(Scan.id).where(Scan.kind == ScanKind.LABEL, Scan.target_id == label_id,
                                 Scan.scanner == scanner).limit(1)
    )  # fmt: skip
    distinct, flagged_at = db.session.execute(
        update(Label).where(Label.id == label_id).values(
            scan_count=Label.scan_count + 1,
            first_scan_at=db.func.coalesce(Label.first_scan_at, now),
            distinct_scanners=Label.distinct_scanners + (0 if seen else 1),
        ).returning(Label.distinct_scanners, Label.copy_flagged_at)
    ).one()  # fmt: skip
    threshold = current_app.config.get("LABEL_COPY_THRESHOLD", 5)
    if distinct > threshold and flagged_at is None:
        # The condition on copy_flagged_at makes the flag (and its audit entry) happen once.
        flagged = db.session.execute(
            update(Label).where(Label.id == label_id, Label.copy_flagged_at.is_(None))
            .values(copy_flagged_at=now)
        )  # fmt: skip
        if flagged.rowcount == 1:
            record("label.copy_flag", "label", label_id, None, actor_label="system (scans)",
                   after={"distinct_scanners": distinct, "threshold": threshold})  # fmt: skip
    return seen is None


# --- what a consumer types --------------------------------------------------------------------

NUMBER = re.compile(r"BSLL-?C-?(\d{4})-?(\d{1,6})")
AUTHORIZATION_NUMBER = re.compile(r"BSLL-?(\d{4})-?(\d{1,6})")
_SPACES = re.compile(r"[\s\u3000]+")


def certificate_code_for_number(text: str) -> str | None:
    """The verification code of a certificate (or an authorization's current certificate) typed
    by its number, e.g. BSLL-C-2026-000123 or BSLL-2026-0001."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text)).upper().replace("—", "-")
    if match := NUMBER.fullmatch(text):
        number = f"BSLL-C-{match[1]}-{int(match[2]):06d}"
        return db.session.scalar(db.select(Certificate.code).where(Certificate.number == number))
    if match := AUTHORIZATION_NUMBER.fullmatch(text):
        number = f"BSLL-{match[1]}-{int(match[2]):04d}"
        return db.session.scalar(
            db.select(Certificate.code).join(Certificate.authorization)
            .where(Authorization.number == number, Certificate.status == CertificateStatus.CURRENT)
        )  # fmt: skip
    return None
