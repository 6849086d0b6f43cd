"""Certificates for their holders and for officials: pages, downloads, reissues, keys."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..access import officials_only, roles_required
from ..clock import local_today
from ..exceptions import Invalid, InvalidTransition
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Role
from ..models.certificates import Certificate, CertificateStatus
from ..verify.services import check_certificate
from ..verify.words import CERTIFICATE_VERDICTS
from . import documents, services
from .forms import ReissueForm
from .serials import format_serial

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
FILES = ",".join(documents.FORMATS)
MARKS = ",".join(documents.MARK_FORMATS)
REPORT_STATES = {"new": ("✚", _l("New")), "investigating": ("◷", _l("Investigating")),
                 "closed": ("✔", _l("Closed"))}  # fmt: skip
REPORT_ACTIONS = {"investigate": _l("Start investigating"), "close": _l("Close the report"),
                  "reopen": _l("Reopen")}  # fmt: skip


@bp.context_processor
def certificate_words():
    def report_state_label(state: str) -> str:
        icon, words = REPORT_STATES.get(state, ("", state))
        return f"{icon} {words}".strip()

    return {"report_state_label": report_state_label, "format_serial": format_serial,
            "report_action_label": lambda action: str(REPORT_ACTIONS.get(action, action))}  # fmt: skip


def owns(user, certificate: Certificate) -> bool:
    enterprise = getattr(user, "enterprise", None)
    return enterprise is not None and certificate.authorization.enterprise_id == enterprise.id


def get_certificate_or_404(certificate_id: int, user) -> Certificate:
    """The certificate if `user` holds it or is an official; 404 otherwise (ids leak nothing)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not (user.is_official or owns(user, certificate)):
        abort(404)
    return certificate


@bp.route("")
@roles_required(Role.PRODUCER)
def mine():
    """A legal user's certificates, current ones first."""
    enterprise = current_user.enterprise
    certificates = [] if enterprise is None else db.session.scalars(
        db.select(Certificate).join(Certificate.authorization)
        .where(Authorization.enterprise_id == enterprise.id)
        .order_by(Certificate.status, Certificate.id.desc())
    ).all()  # fmt: skip
    return render_template("certificates/mine.html", certificates=certificates)


@bp.route("/all")
@officials_only
def index():
    """Officials: every certificate, searchable."""
    q = request.args.get("q", "")[:100]
    page = services.certificates_page(q, request.args.get("page", 1, type=int))
    return render_template("certificates/index.html", page=page, q=q)


@bp.route("/<int:certificate_id>")
@login_required
def detail(certificate_id: int):
    """One certificate: its verdict, what it states, its downloads and printing guidance."""
    certificate = get_certificate_or_404(certificate_id, current_user)
    check = check_certificate(certificate.code)
    return render_template(
        "certificates/detail.html", certificate=certificate, check=check,
        words=CERTIFICATE_VERDICTS[check.state], guidance=documents.guidance(certificate),
        owner=owns(current_user, certificate), form=ReissueForm(),
        history=db.session.scalars(
            db.select(Certificate).where(Certificate.authorization_id == certificate.authorization_id)
            .order_by(Certificate.id.desc())).all(),
    )  # fmt: skip


def send(certificate: Certificate, name: str) -> Response:
    body, media_type = documents.build(certificate, name)
    disposition = f'attachment; filename="{documents.download_name(certificate, name)}"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "private, max-age=300"}
    return Response(body, mimetype=media_type, headers=headers)


@bp.route(f"/<int:certificate_id>/<any({FILES}):name>")
@login_required
def download(certificate_id: int, name: str):
    """The certificate as PDF or PNG, or its QR alone as SVG or PNG."""
    return send(get_certificate_or_404(certificate_id, current_user), name)


@bp.route(f"/<int:certificate_id>/<any({MARKS}):name>")
@roles_required(Role.PRODUCER)
def mark(certificate_id: int, name: str):
    """The special-mark stand-in with the holder's own credit code: for the holder only."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not owns(current_user, certificate):
        abort(404)
    status = certificate.authorization.status_on(local_today())
    if certificate.status != CertificateStatus.CURRENT or status != AuthorizationStatus.ACTIVE:
        flash(_("The mark can only be downloaded with a current certificate of a valid "
                "authorization."), "error")  # fmt: skip
        return redirect(url_for("certificates.detail", certificate_id=certificate.id))
    return send(certificate, name)


@bp.route("/<int:certificate_id>/reissue", methods=["POST"])
@roles_required(Role.APPROVER, Role.ADMIN)
def reissue(certificate_id: int):
    """An official reissues a certificate; the old one then verifies as superseded."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for reissuing."), "error")
        return redirect(url_for("certificates.detail", certificate_id=certificate.id))
    try:
        new = services.reissue_certificate(certificate, current_user, form.reason.data)
    except (Invalid, InvalidTransition) as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("certificates.detail", certificate_id=certificate.id))
    flash(_("Certificate %(n)s issued; %(old)s is superseded.", n=new.number,
            old=certificate.number), "success")  # fmt: skip
    return redirect(url_for("certificates.detail", certificate_id=new.id))


@bp.route("/keys")
@officials_only
def keys():
    """Officials: the signing keys, and how many current certificates each one signed."""
    keyset = services.live_keyset()
    counts = {kid: services.signed_by_count(kid) for kid in keyset.keys}
    return render_template("certificates/keys.html", keys=list(keyset.keys.values())[::-1],
                           counts=counts, form=ReissueForm())  # fmt: skip


@bp.route("/keys/<kid>/reissue", methods=["POST"])
@roles_required(Role.APPROVER, Role.ADMIN)
def reissue_key(kid: str):
    """Reissue, with the active key, every current certificate a key signed."""
    form = ReissueForm()
    if services.live_keyset().get(kid) is None:
        abort(404)
    if not form.validate_on_submit():
        flash(_("Give the reason for reissuing."), "error")
    else:
        new = services.reissue_signed_by(kid, current_user, form.reason.data)
        flash(_("%(n)d certificate(s) reissued with the active key.", n=len(new)), "success")
    return redirect(url_for("certificates.keys"))


from . import reports_views  # noqa: E402, F401  (registers the officials' report routes on bp)
