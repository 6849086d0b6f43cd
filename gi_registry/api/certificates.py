"""Certificates as open data: status only. Never the verification code, URL or signed payload:
those are printed on the holder's goods, and publishing them would let anyone print copies."""

from sqlalchemy.orm import selectinload

from ..clock import local_today
from ..extensions import db
from ..models import Authorization
from ..models.certificates import Certificate, CertificateStatus
from .params import Param, choice, identifier
from .resources import status_condition
from .spec import Filter, Resource, day, equals, integer, text

VERDICTS = ["active", "suspended", "revoked", "expired", "superseded"]
NUMBER_PATTERN = "^[A-Z0-9][A-Z0-9-]{0,29}$"


def verdict_condition(verdict: str):
    """SQL for what a consumer is told about a certificate today."""
    if verdict == "superseded":
        return Certificate.status == CertificateStatus.SUPERSEDED
    current = Certificate.status == CertificateStatus.CURRENT
    return current & status_condition(verdict, local_today())


def all_certificates():
    return (
        db.select(Certificate)
        .join(Certificate.authorization)
        .options(
            db.contains_eager(Certificate.authorization), selectinload(Certificate.superseded_by)
        )
        .order_by(Certificate.id)
    )


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
        integer(
            "producer_id", "The producer's identifier.", get=lambda c: c.authorization.enterprise_id
        ),
        text("holder_name", "The legal user named on it."),
        text("credit_code", "The credit code printed on it."),
        day("valid_from", "First day of validity printed on it."),
        day("valid_until", "Last day of validity printed on it."),
        day("issued_on", "Date of issue (Asia/Shanghai).", get=lambda c: c.issue_date),
        text(
            "superseded_by",
            "Number of the certificate that replaced it, if any.",
            get=successor,
            null=True,
        ),
    ),
    filters=(
        Filter(choice("status", VERDICTS, "Only certificates in this status."), verdict_condition),
        equals(
            identifier("producer_id", "Only this producer's certificates."),
            Authorization.enterprise_id,
        ),
        equals(
            Param(
                "authorization_number",
                {"type": "string", "pattern": NUMBER_PATTERN},
                "Only certificates of this authorization.",
                extra={"pattern_message": "must be an authorization number"},
            ),
            Authorization.number,
        ),
    ),
    key=Param(
        "number",
        {"type": "string", "pattern": NUMBER_PATTERN},
        "Certificate number.",
        location="path",
        extra={"pattern_message": "must be a certificate number such as BSLL-C-2026-000001"},
    ),
    rows=all_certificates,
    lookup=lambda number: Certificate.number == number,
)
