"""What the public verification pages say, and the record of each scan.

Lean on purpose: these are the pages printed on products, and the load that grows with every
product sold. A certificate check is ONE indexed query by code that reads only the columns the
page shows (the current certificate of a superseded one comes in the same query, by a join), and
builds small frozen objects instead of ORM instances: no identity map, no lazy loads. Its scan row
goes to the batched writer (scanlog.py) and costs the request no database write.

A label check is one query too (which also tells whether this phone has scanned the label
before). Its scan is counted by a single UPDATE ... RETURNING that bumps the label's counters and
decides in SQL whether the scanner is new, with the scan row inserted in the same transaction,
so the database's counters are exact even when two phones scan at the same moment. In
production that happens in the scan log's batches (scanlog.py), and the page shows the counters
it read plus this process's scans still queued plus this one; in tests (and with SCAN_BATCH off)
it happens in the request, which shows what the UPDATE returned. On PostgreSQL the counters
commit without waiting for the WAL flush (synchronous_commit off): a crash of the database server
may forget the last fraction of a second of scan counters, never corrupts them. Recording never
fails the page.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import Flask, Request, current_app, has_app_context
from sqlalchemy import and_, case, exists, insert, text, update

from ..audit.services import record
from ..certificates.services import live_keyset
from ..clock import SHANGHAI, local_today
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Enterprise
from ..models.base import utcnow
from ..models.certificates import Certificate, CertificateStatus, Scan, ScanKind
from ..models.labels import BatchState, Label, LabelBatch
from . import scanlog

# Verdicts shown to consumers, in the order they are decided.
VALID, NOT_FOUND = "valid", "not_found"


@dataclass(frozen=True, slots=True)
class AuthorizationFacts:
    """What a verification page needs of an authorization (read in the page's one query)."""

    id: int
    status: str
    valid_until: date
    enterprise_id: int
    number: str = ""
    gi_name: str = ""

    status_on = Authorization.status_on  # the model's own rule, on these facts


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """What the certificate page shows; the same names as the Certificate model's."""

    id: int
    number: str
    code: str
    gi_name: str
    holder_name: str
    credit_code: str
    route: str
    route_annotation: str
    scope: list
    valid_from: date
    valid_until: date
    standard_code: str
    standard_version: str
    issuing_office: str
    kid: str
    payload: str
    issued_at: datetime
    status: str
    authorization_id: int
    authorization: AuthorizationFacts

    @property
    def issue_date(self) -> date:
        return self.issued_at.astimezone(SHANGHAI).date()

    @property
    def is_current(self) -> bool:
        return self.status == CertificateStatus.CURRENT


@dataclass(frozen=True)
class CertificateCheck:
    """The verdict on a certificate code, with what the page shows."""

    state: str
    certificate: CertificateFacts | None = None
    current_number: str | None = None  # the certificate that superseded this one
    current_code: str | None = None
    standard: tuple[bool, str | None] | None = None  # (is the version in force, which one is)

    @property
    def ok(self) -> bool:
        return self.state == VALID


def certificate_state(certificate, compromised: set[str] | frozenset[str], today: date) -> str:
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


CERTIFICATE_COLUMNS = ("id", "number", "code", "gi_name", "holder_name", "credit_code", "route",
                       "route_annotation", "scope", "valid_from", "valid_until", "standard_code",
                       "standard_version", "issuing_office", "kid", "payload", "issued_at",
                       "status", "authorization_id")  # fmt: skip


def _certificate_query():
    """Built once: the certificate by code, its authorization, and the current certificate of
    the same authorization when this one is superseded."""
    cert, auth = Certificate.__table__, Authorization.__table__
    current = Certificate.__table__.alias("current_certificate")
    return (
        db.select(*(cert.c[name] for name in CERTIFICATE_COLUMNS),
                  auth.c.status.label("a_status"), auth.c.valid_until.label("a_valid_until"),
                  auth.c.enterprise_id.label("a_enterprise_id"),
                  current.c.number.label("current_number"), current.c.code.label("current_code"))
        .join(auth, auth.c.id == cert.c.authorization_id)
        .outerjoin(current, and_(cert.c.status == CertificateStatus.SUPERSEDED.value,
                                 current.c.authorization_id == cert.c.authorization_id,
                                 current.c.status == CertificateStatus.CURRENT.value))
        .where(cert.c.code == db.bindparam("code"))
        .limit(1)
    )  # fmt: skip


_queries: dict[str, object] = {}


def _query(name: str, build):
    if name not in _queries:
        _queries[name] = build()
    return _queries[name]


_raw: dict[tuple[str, str], tuple[str, list[str] | None, dict]] = {}
SQLITE_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's DateTime as text on SQLite (in UTC)


def raw_statement(name: str, dialect, values: dict) -> tuple[str, list | dict]:
    """(SQL, parameters) of one of these statements for the DB-API cursor of `dialect`: the
    lean path (fastpath.py) and the scan writer run them on raw connections."""
    key = (name, dialect.name)
    found = _raw.get(key)
    if found is None:
        build = {"certificate": _certificate_query, "label": _label_query,
                 "label_counters": _label_counters}[name]  # fmt: skip
        compiled = _query(name, build).compile(dialect=dialect)
        fixed = {key: value for key, value in compiled.params.items() if value is not None}
        found = _raw[key] = (str(compiled), compiled.positiontup, fixed)
    sql, order, fixed = found
    merged = {**fixed, **values}
    return sql, ([merged[key] for key in order] if order else merged)


_compromised: dict[str, tuple[float, int, frozenset[str]]] = {}
KEYSET_RECHECK = 1.0  # seconds: a withdrawn key takes effect within a second on every worker


def within(app: Flask | None):
    """A context of `app` for what is read through Flask (a cache refreshed), unless its own is
    current (None: the current app's): the lean path (fastpath.py) runs without one."""
    if app is None or (has_app_context() and current_app._get_current_object() is app):
        return contextlib.nullcontext()
    return app.app_context()


def compromised_kids(app: Flask | None = None) -> frozenset[str]:
    """The withdrawn key ids, worked out once per version of the key set (whose file is looked
    at no more than once a second). `app`: by default the current app."""
    keys_dir, now = (app or current_app).config["KEYS_DIR"], time.monotonic()
    cached = _compromised.get(keys_dir)
    if cached is not None and now - cached[0] < KEYSET_RECHECK:
        return cached[2]
    with within(app):
        keyset = live_keyset()
    if cached is not None and cached[1] == id(keyset):
        found = cached[2]
    else:
        found = frozenset(k.kid for k in keyset.keys.values() if k.status == "compromised")
    _compromised[keys_dir] = (now, id(keyset), found)
    return found


def check_certificate(code: str) -> CertificateCheck:
    """The verdict on the certificate with this verification code (canonical form)."""
    row = db.session.execute(_query("certificate", _certificate_query), {"code": code}).first()
    if row is None:
        return CertificateCheck(NOT_FOUND)
    authorization = AuthorizationFacts(row.authorization_id, row.a_status, row.a_valid_until,
                                       row.a_enterprise_id)  # fmt: skip
    certificate = CertificateFacts(*row[: len(CERTIFICATE_COLUMNS)], authorization=authorization)
    state = certificate_state(certificate, compromised_kids(), local_today())
    return CertificateCheck(
        state, certificate, row.current_number, row.current_code,
        standard=standard_status(certificate.standard_code, certificate.standard_version),
    )  # fmt: skip


_standard_cache: dict[tuple[str, str], tuple[float, tuple[bool, str | None] | None]] = {}
STANDARD_TTL = 60.0  # seconds: a new standard version takes effect on a date, not to the second


def standard_status(
    code: str, version: str, app: Flask | None = None
) -> tuple[bool, str | None] | None:
    """Whether the certificate's standard version is the one in force, cached for a minute.
    `app`: by default the current app."""
    if not code:
        return None
    now = time.monotonic()
    cached = _standard_cache.get((code, version))
    if cached is None or now - cached[0] > STANDARD_TTL:
        try:
            from ..standards.services import version_status
        except ImportError:
            return None
        with within(app):
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


@dataclass(frozen=True, slots=True)
class LabelFacts:
    id: int
    serial: str


@dataclass(frozen=True, slots=True)
class BatchFacts:
    id: int
    category: str


@dataclass(frozen=True, slots=True)
class EnterpriseFacts:
    id: int
    name: str
    credit_code: str


@dataclass(frozen=True)
class LabelCheck:
    """The verdict on a label serial and its scan history, this scan included."""

    state: str
    label: LabelFacts | None = None
    batch: BatchFacts | None = None
    authorization: AuthorizationFacts | None = None
    enterprise: EnterpriseFacts | None = None
    first_scan_at: datetime | None = None
    scan_count: int = 0
    first_time: bool = False
    copy_warning: bool = False


def label_state(authorization, today: date) -> str:
    """A label is as good as its authorization today."""
    status = authorization.status_on(today)
    return VALID if status == AuthorizationStatus.ACTIVE else status.value


def _label_query():
    """The label by serial, its batch, authorization and enterprise, and whether the scanner
    has scanned it before (in the log)."""
    label, batch = Label.__table__, LabelBatch.__table__
    auth, enterprise = Authorization.__table__, Enterprise.__table__
    seen = exists().where(Scan.kind == ScanKind.LABEL.value, Scan.target_id == label.c.id,
                          Scan.scanner == db.bindparam("scanner"))  # fmt: skip
    return (
        db.select(label.c.id, label.c.serial, label.c.first_scan_at, label.c.scan_count,
                  label.c.distinct_scanners, batch.c.id, batch.c.category, auth.c.id,
                  auth.c.status, auth.c.valid_until, auth.c.number, auth.c.gi_name,
                  enterprise.c.id, enterprise.c.name, enterprise.c.credit_code,
                  seen.label("seen"))
        .join(batch, batch.c.id == label.c.batch_id)
        .join(auth, auth.c.id == batch.c.authorization_id)
        .join(enterprise, enterprise.c.id == auth.c.enterprise_id)
        .where(label.c.serial == db.bindparam("serial"),
               batch.c.state != BatchState.FAILED.value)
    )  # fmt: skip


def find_label(serial: str, scanner: str = ""):
    """The label's row with its batch, authorization and enterprise, or None; one query."""
    values = {"serial": serial, "scanner": scanner}
    return db.session.execute(_query("label", _label_query), values).first()


def check_label(serial: str, request: Request) -> LabelCheck:
    """The verdict on a label, recording this scan: first time, how often, and a possible copy."""
    scanner, now, writer = scanner_id(request), utcnow(), scanlog.active_writer()
    queued = writer.pending(serial, scanner) if writer is not None else None
    row = find_label(serial, scanner)
    if row is None:
        return LabelCheck(NOT_FOUND)
    (label_id, serial, first_scan_at, count, distinct, batch_id, category, auth_id, status,
     valid_until, number, gi_name, enterprise_id, name, credit_code, seen) = row  # fmt: skip
    authorization = AuthorizationFacts(auth_id, status, valid_until, enterprise_id, number, gi_name)
    before = (first_scan_at, count, distinct, seen)
    first_at, count, distinct = count_label_scan(label_id, serial, before, queued, scanner, now,
                                                 writer, record_label_scan)  # fmt: skip
    threshold = current_app.config.get("LABEL_COPY_THRESHOLD", 5)
    return LabelCheck(
        label_state(authorization, local_today()), LabelFacts(label_id, serial),
        BatchFacts(batch_id, category), authorization,
        EnterpriseFacts(enterprise_id, name, credit_code),
        first_scan_at=first_at, scan_count=count, first_time=count == 1,
        copy_warning=distinct > threshold,
    )  # fmt: skip


# --- recording scans --------------------------------------------------------------------------

_scanner_hashes: dict[object, hmac.HMAC] = {}


def scanner_hash(config) -> hmac.HMAC:
    """The keyed hash for scanners, its key derived from SECRET_KEY (instance/config.py), made
    once per key: each scan hashes with a copy of it."""
    secret = config["SECRET_KEY"]
    found = _scanner_hashes.get(secret)
    if found is None:
        raw = secret.encode() if isinstance(secret, str) else secret
        key = hmac.new(raw, b"gi-registry scanner hash v1", hashlib.sha256).digest()
        found = hmac.new(key, digestmod=hashlib.sha256)
        _scanner_hashes.clear()
        _scanner_hashes[secret] = found
    return found


def scanner_id(request: Request, app: Flask | None = None) -> str:
    """A keyed hash of the visitor's address and browser: counts distinct scanners, reveals
    neither (the raw address is never stored). `app`: by default the current app."""
    agent = request.headers.get("User-Agent", "")[:300]
    hashed = scanner_hash((app or current_app).config).copy()
    hashed.update(f"{request.remote_addr or ''}\n{agent}".encode())
    return hashed.hexdigest()[:32]


def record_certificate_scan(
    certificate_id: int, request: Request, app: Flask | None = None
) -> None:
    """Log one verification of a certificate: queued for the batched writer; never raises.
    `app`: by default the current app."""
    app = app or current_app._get_current_object()
    try:
        row = {"kind": ScanKind.CERTIFICATE.value, "target_id": certificate_id, "at": utcnow(),
               "scanner": scanner_id(request, app)}  # fmt: skip
        if (writer := scanlog.active_writer(app)) is not None:
            writer.add(row)
        else:
            with within(app), db.engine.begin() as conn:
                conn.execute(insert(Scan), [row])
    except Exception:
        app.logger.exception("could not record a scan of certificate %s", certificate_id)


SCAN_INSERT = "INSERT INTO scan (kind, target_id, at, scanner)"  # raw SQL's start of a scan row


def scan_insert_sql(dialect) -> str:
    """The scan log's INSERT for the DB-API cursor of `dialect` (positional parameters)."""
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return f"{SCAN_INSERT} VALUES ({mark}, {mark}, {mark}, {mark})"


def raw_moment(dialect, moment: datetime):
    """A moment as a raw connection of `dialect` takes it (SQLite: SQLAlchemy's text form)."""
    return moment.astimezone(UTC).strftime(SQLITE_STAMP) if dialect.name == "sqlite" else moment


def raw_label_scan(cursor, dialect, label_id: int, scanner: str, now: datetime) -> tuple:
    """Count and log one scan of a label on a DB-API cursor, inside the caller's transaction:
    (first scan, count, distinct scanners, copy flagged at) after it, as the database holds
    them. PostgreSQL: one statement; elsewhere the UPDATE, then the insert."""
    at = raw_moment(dialect, now)
    values = {"label_id": label_id, "scanner": scanner, "now": at}
    sql, params = raw_statement("label_counters", dialect, values)
    if dialect.name == "postgresql":
        cursor.execute(f"WITH scan_row AS ({SCAN_INSERT} "
                       "VALUES (%(kind)s, %(label_id)s, %(now)s, %(scanner)s)) " + sql,
                       {**params, "kind": ScanKind.LABEL.value})  # fmt: skip
        return cursor.fetchone()
    cursor.execute(sql, params)
    counters = cursor.fetchone()
    cursor.execute(scan_insert_sql(dialect), (ScanKind.LABEL.value, label_id, at, scanner))
    return counters


def count_label_scan(
    label_id: int,
    serial: str,
    before: tuple,
    queued: scanlog.Queued | None,
    scanner: str,
    now: datetime,
    writer: scanlog.ScanWriter | None,
    record_now,
) -> tuple[datetime, int, int]:
    """Count this scan; (first scan, count, distinct scanners) as the consumer is to see them.

    `before` is what the label's query read: (first scan, count, distinct, seen); `queued`
    this process's queued scans of the label (ScanWriter.pending), read before that query.
    With a `writer` (the scan log batched), the scan is queued and the answer is before +
    queued + this scan; otherwise, or when the queue is full, `record_now(label_id, scanner,
    now)` writes it in the request (and returns the database's counters, or None when it could
    not)."""
    first_at, count, distinct, seen = before
    if writer is not None:
        queued = queued or scanlog.NOTHING_QUEUED
        new = not seen and not queued.by_scanner
        row = {"kind": scanlog.LABEL, "target_id": label_id, "at": now,
               "scanner": scanner, "serial": serial}  # fmt: skip
        if writer.add_label(row, new):
            return (first_at or queued.first_at or now, count + queued.count + 1,
                    distinct + queued.new + new)  # fmt: skip
    counters = record_now(label_id, scanner, now)
    if counters is None:  # not recorded: show what was known before this scan, plus this one
        return first_at or now, count + 1, distinct + (not seen)
    return counters


def _label_counters():
    """UPDATE ... RETURNING that counts one scan: +1, the first time if none, and +1 distinct
    scanner unless this scanner's hash is already in the label's scan log."""
    label = Label.__table__
    seen = exists().where(Scan.kind == ScanKind.LABEL.value,
                          Scan.target_id == db.bindparam("label_id"),
                          Scan.scanner == db.bindparam("scanner"))  # fmt: skip
    return (
        update(label).where(label.c.id == db.bindparam("label_id"))
        .values(scan_count=label.c.scan_count + 1,
                first_scan_at=db.func.coalesce(
                    label.c.first_scan_at, db.bindparam("now", type_=label.c.first_scan_at.type)),
                distinct_scanners=label.c.distinct_scanners + case((seen, 0), else_=1))
        .returning(label.c.first_scan_at, label.c.scan_count, label.c.distinct_scanners,
                   label.c.copy_flagged_at)
    )  # fmt: skip


def record_label_scan(
    label_id: int, scanner: str, now: datetime
) -> tuple[datetime, int, int] | None:
    """Count and log one scan of a label in one short transaction; returns (first scan, count,
    distinct scanners) after it, or None when nothing could be recorded (logged, never raised)."""
    try:
        session = db.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        first_at, count, distinct, flagged_at = session.execute(
            _query("label_counters", _label_counters),
            {"label_id": label_id, "scanner": scanner, "now": now},
        ).one()  # fmt: skip
        session.execute(insert(Scan.__table__), [{"kind": ScanKind.LABEL.value,
                        "target_id": label_id, "at": now, "scanner": scanner}])  # fmt: skip
        threshold = current_app.config.get("LABEL_COPY_THRESHOLD", 5)
        if distinct > threshold and flagged_at is None:
            _flag_copied(label_id, now, distinct, threshold)
        session.commit()
        return first_at or now, count, distinct
    except Exception:
        db.session.rollback()
        current_app.logger.exception("could not record a scan of label %s", label_id)
        return None


def _flag_copied(label_id: int, now: datetime, distinct: int, threshold: int) -> None:
    """Flag the label once (the condition on copy_flagged_at makes it, and its audit entry,
    happen once however many scans cross the threshold together)."""
    flagged = db.session.execute(
        update(Label.__table__)
        .where(Label.__table__.c.id == label_id, Label.__table__.c.copy_flagged_at.is_(None))
        .values(copy_flagged_at=now)
    )  # fmt: skip
    if flagged.rowcount == 1:
        record("label.copy_flag", "label", label_id, None, actor_label="system (scans)",
               after={"distinct_scanners": distinct, "threshold": threshold})  # fmt: skip


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
