"""The files a legal user downloads: certificate PDF and PNG, the QR alone, the mark stand-in."""

from __future__ import annotations

from flask_babel import force_locale

from .. import categories
from ..models.certificates import Certificate
from . import mark, qr, render

FORMATS = {
    # name: (media type, builder)
    "certificate.pdf": ("application/pdf", lambda c: render.certificate_pdf(certificate_doc(c))),
    "certificate.png": ("image/png", lambda c: render.certificate_png(certificate_doc(c))),
    "qr.svg": ("image/svg+xml", lambda c: qr.to_svg(c.qr_text).encode()),
    "qr.png": ("image/png", lambda c: qr.to_png(c.qr_text, scale=12)),
}
MARK_FORMATS = {
    "mark.svg": ("image/svg+xml", lambda c: mark.mark_svg(c.credit_code, c.gi_name).encode()),
    "mark.png": ("image/png", lambda c: mark.mark_png(c.credit_code, c.gi_name, width_px=1056)),
}


def certificate_doc(certificate: Certificate) -> render.CertificateDoc:
    """What the printed certificate shows, in Chinese (the language of the document)."""
    with force_locale("zh"):
        scope = tuple(categories.label(slug) for slug in certificate.scope)
    notice = None
    if not certificate.is_current and certificate.superseded_by is not None:
        notice = f"本证书已被 {certificate.superseded_by.number} 取代，仅供存档 Superseded"
    return render.CertificateDoc(
        certificate_number=certificate.number, legal_user_name=certificate.holder_name,
        credit_code=certificate.credit_code, route_annotation=certificate.route_annotation,
        scope=scope, valid_from=certificate.valid_from, valid_until=certificate.valid_until,
        issuing_office=certificate.issuing_office, issue_date=certificate.issue_date,
        standard_code=certificate.standard_code or "—",
        standard_version=certificate.standard_version or "—", qr_text=certificate.qr_text,
        gi_name=certificate.gi_name, superseded_notice=notice,
    )  # fmt: skip


def build(certificate: Certificate, name: str) -> tuple[bytes, str]:
    """The bytes and media type of one downloadable file."""
    media_type, builder = {**FORMATS, **MARK_FORMATS}[name]
    return builder(certificate), media_type


def download_name(certificate: Certificate, name: str) -> str:
    stem, _, extension = name.partition(".")
    return f"{certificate.number}-{stem}.{extension}"


def guidance(certificate: Certificate) -> qr.PrintingGuidance:
    """How large to print the certificate's QR."""
    return qr.printing_guidance(certificate.qr_text)
