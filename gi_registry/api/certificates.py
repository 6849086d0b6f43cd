"""Certificates as open data: status only. Never the verification code, URL or signed payload:
those are printed on the holder's goods, and publishing them would let anyone print copies."""

from sqlalchemy.orm import selectinload

from ..clock import local_today
from ..extensions import db
from ..models import Authorization
from ..models.certificates import Certificate, CertificateStatus
from .params import Param
from .resources import status_condition
from .spec import Field, Resource, day, text

VERDICTS = ["active", "suspended", "revoked", "expired", "superseded"]
NUMBER_PATTERN = "^[A-Z0-9][A-Z0-9-]{0,29}$"


def verdict_condition(verdict: str):
    """SQL for what a consumer is told about a certificate today."""
    if verdict == "superseded":
        return Certificate.status == CertificateStatus.SUPERSEDED
    current = Certificate.status == CertificateStatus.CURRENT
    return current & status_condition(verdict, local_today())


def select_certificates(args: dict):
    query = db.select(Certificate).join(Certificate.authorization)
    if "status" in args:
        query = query.where(verdict_condition(args["status"]))
    if "producer_id" in args:
        query = query.where(Authorization.enterprise_id == args["producer_id"])
    if "authorization_number" in args:
        query = query.where(Authorization.number == args["authorization_number"])
    return query.options(
        db.contains_eager(Certificate.authorization), selectinload(Certificate.superseded_by)
    ).order_by(Certificate.id)


def find_certificate(number: str):
    return db.session.scalar(select_certificates({}).where(Certificate.number == number))


def successor(certificate: Certificate) -> str | None:
    return certificate.superseded_by.number if certificate.superseded_by else None


CERTIFICATES = Resource(
    name="certificates",
    schema_name="Certificate",
    title="special-mark certificates (status only)",
    fields=(
        text("number", "Certificate number, as printed."),
        text(
            "status",
            "What a consumer is told today: the authorization's status, or superseded.",
            enum=VERDICTS,
            get=lambda c: c.verdict,
        ),
        text(
            "authorization_number",
            "The authorization it certifies.",
            get=lambda c: c.authorization.number,
        ),
        Field(
            "producer_id",
            {"type": "integer"},
            "The producer's identifier.",
            lambda c: c.authorization.enterprise_id,
        ),
        text("holder_name", "The legal user named on it."),
        text("credit_code", "The credit code printed on it."),
        day("valid_from", "First day of validity printed on it."),
        day("valid_until", "Last day of validity printed on it."),
        day("issued_on", "Date of issue (Asia/Shanghai).", get=lambda c: c.issue_date),
        Field(
            "superseded_by",
            {"type": ["string", "null"]},
            "Number of the certificate that replaced it, if any.",
            successor,
        ),
    ),
    filters=(
        Param("status", {"type": "string", "enum": VERDICTS}, "Only certificates in this status."),
        Param(
            "producer_id",
            {"type": "integer", "minimum": 1, "maximum": 2_147_483_647},
            "Only this producer's certificates.",
        ),
        Param(
            "authorization_number",
            {"type": "string", "pattern": NUMBER_PATTERN},
            "Only certificates of this authorization.",
            extra={"pattern_message": "must be an authorization number"},
        ),
    ),
    key=Param(
        "number",
        {"type": "string", "pattern": NUMBER_PATTERN},
        "Certificate number.",
        location="path",
        extra={"pattern_message": "must be a certificate number such as BSLL-C-2026-000001"},
    ),
    select=select_certificates,
    find=find_certificate,
)
