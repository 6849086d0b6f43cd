"""Public verification: /v/<code> (certificates), /l/<serial> (labels), the lookup box, reports,
and the published key set and status list. No login; the pages work without JavaScript."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..certificates import reports
from ..certificates.payload import State, verify_qr_text
from ..certificates.serials import format_code, format_serial, normalize_code, normalize_serial
from ..certificates.services import live_keyset, status_list_document
from ..exceptions import Invalid
from ..extensions import limiter
from ..formtools import show_error
from . import fastpath, pages, services
from .forms import LookupForm, ReportForm
from .words import CERTIFICATE_VERDICTS, LABEL_VERDICTS

bp = Blueprint("verify", __name__)
# /v/<code> and /l/<serial> are answered by the lean path in front of Flask when they can be.
bp.record_once(lambda state: fastpath.install(state.app))


@bp.context_processor
def verify_words():
    return {"format_code": format_code, "format_serial": format_serial,
            "producer_url": producer_url, "category_names": services.category_names}  # fmt: skip


def producer_url(enterprise_id: int) -> str | None:
    """The producer's public record, if the registry area serves one."""
    if "registry.producer" not in current_app.view_functions:
        return None
    return url_for("registry.producer", key=enterprise_id)


def fresh(body, status: int = 200):
    """A verdict page: never cached, since a status can change at any moment."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def verify_limit() -> str:
    return current_app.config["RATELIMIT_VERIFY"]


# One budget per client address for every lookup (a code-guessing robot switches between them).
verify_budget = limiter.shared_limit(verify_limit, scope="verify")


@bp.route("/v/<code>")
@verify_budget
def certificate(code: str):
    """The verdict on a certificate, then what it certifies (the page its QR opens)."""
    canonical = normalize_code(code)
    if canonical is None:
        return not_found(code)
    if canonical != code:
        return redirect(url_for("verify.certificate", code=canonical), 301)
    check = services.check_certificate(canonical)
    if check.certificate is None:
        return not_found(format_code(canonical))
    services.record_certificate_scan(check.certificate.id, request)
    words = CERTIFICATE_VERDICTS[check.state]
    return fresh(pages.certificate_page(check, words, producer_url))


@bp.route("/l/<serial>")
@verify_budget
def label(serial: str):
    """The verdict on one labelled item, with its scan history (一物一码)."""
    canonical = normalize_serial(serial)
    if canonical is None:
        return not_found(serial)
    if canonical != serial:
        return redirect(url_for("verify.label", serial=canonical), 301)
    check = services.check_label(canonical, request)
    if check.label is None:
        return not_found(format_serial(canonical))
    words = LABEL_VERDICTS[check.state]
    return fresh(pages.label_page(check, words, producer_url))


def not_found(typed: str):
    """The plain warning for a code the registry does not know."""
    page = pages.not_found_page(typed[:60], CERTIFICATE_VERDICTS["not_found"])
    return fresh(page, 404)


@bp.route("/check")
@verify_budget
def check():
    """The home page's box: a certificate number, verification code, label serial or QR text."""
    form = LookupForm(request.args)
    if not form.validate():
        return render_template("verify/check.html", form=form)
    text = form.q.data.strip()
    if any(mark in text for mark in ("://", "#", "/v/", "/l/")):
        try:
            return scanned_text(text)
        except ValueError:  # not even a URL (e.g. "http://[")
            return not_found(text)
    if code := normalize_code(text) or services.certificate_code_for_number(text):
        return redirect(url_for("verify.certificate", code=code))
    if serial := normalize_serial(text):
        return redirect(url_for("verify.label", serial=serial))
    return not_found(text)


def scanned_text(text: str):
    """Text read by a scanner app: check the address and the signed payload, then the record."""
    url = text.partition("#")[0]
    site = urlsplit(url).netloc.lower() if "://" in url else ""
    official = urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc.lower()
    if site and site != official:
        return fresh(render_template("verify/foreign.html", site=site[:100],
                                     words=CERTIFICATE_VERDICTS["foreign"]), 200)  # fmt: skip
    if "#" in text:
        verdict = verify_qr_text(text, live_keyset())
        if verdict.state in (State.INVALID_SIGNATURE, State.UNKNOWN_KEY, State.MALFORMED):
            return fresh(render_template("verify/altered.html", verdict=verdict,
                                         words=CERTIFICATE_VERDICTS["altered"]))  # fmt: skip
    path = (urlsplit(url).path if "://" in url else url).rstrip("/")
    kind, _sep, value = path.rpartition("/")
    if kind.endswith("/v") and (code := normalize_code(value)):
        return redirect(url_for("verify.certificate", code=code))
    if kind.endswith("/l") and (serial := normalize_serial(value)):
        return redirect(url_for("verify.label", serial=serial))
    return not_found(value or text)


def report_limit() -> str:
    return current_app.config["RATELIMIT_REPORT"]


@bp.route("/report", methods=["GET", "POST"])
@limiter.limit(report_limit, methods=["POST"])
def report():
    """A consumer reports a suspected fake (no account needed)."""
    form = ReportForm()
    if request.method == "GET" and not form.code.data:
        form.code.data = request.args.get("code", "")[:60]
    if form.validate_on_submit():
        try:
            reports.create_report(form.data, form.photo.data)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Thank you. The district office has received your report."), "success")
            return redirect(url_for("verify.report", sent=1))
    return render_template("verify/report.html", form=form, sent=request.args.get("sent"))


@bp.route("/.well-known/gi-keys.json")
def keys():
    """The public keys that verify certificate QR codes offline."""
    response = jsonify(live_keyset().to_json())
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/.well-known/gi-status.json")
def status_list():
    """The signed list of suspended, revoked and superseded certificates, for offline checks."""
    document, etag = status_list_document()
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.set_etag(etag)
    return response.make_conditional(request)
