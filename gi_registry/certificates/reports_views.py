"""Officials: the queue of suspected-fake reports, and the labels flagged as possibly copied."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import uploads
from ..access import officials_only
from ..exceptions import Invalid, InvalidTransition
from ..extensions import db
from ..models.certificates import FakeReport, ReportState
from . import reports
from .forms import ReportActionForm
from .views import bp

ACTIONS = ",".join(reports.REPORT_MOVES)


@bp.route("/reports")
@officials_only
def report_queue():
    """Reports of suspected fakes: open ones oldest first, or one state."""
    state = request.args.get("state", "")
    page = reports.reports_page(state, request.args.get("page", 1, type=int))
    return render_template("certificates/reports.html", page=page, state=state,
                           states=list(ReportState))  # fmt: skip


@bp.route("/reports/<int:report_id>")
@officials_only
def report(report_id: int):
    """One report, with the scans of the code it names."""
    item = db.get_or_404(FakeReport, report_id)
    scans, total, distinct = reports.scans_of(item)
    return render_template("certificates/report.html", report=item, scans=scans, total=total,
                           distinct=distinct, form=ReportActionForm(),
                           moves=reports.REPORT_MOVES)  # fmt: skip


@bp.route(f"/reports/<int:report_id>/<any({ACTIONS}):action>", methods=["POST"])
@officials_only
def report_act(report_id: int, action: str):
    """Start investigating, close (with notes) or reopen a report."""
    item = db.get_or_404(FakeReport, report_id)
    form = ReportActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        reports.change_report(item, action, current_user, form.notes.data)
    except (Invalid, InvalidTransition) as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Report updated."), "success")
    return redirect(url_for("certificates.report", report_id=item.id))


@bp.route("/reports/<int:report_id>/photo")
@officials_only
def report_photo(report_id: int):
    """The photo a consumer attached (officials only)."""
    item = db.get_or_404(FakeReport, report_id)
    if not item.photo_stored_name:
        abort(404)
    extension = ".png" if item.photo_content_type == "image/png" else ".jpg"
    return uploads.send_stored(item.photo_stored_name, f"report-{item.id}{extension}",
                               item.photo_content_type)  # fmt: skip


@bp.route("/flagged-labels")
@officials_only
def flagged_labels():
    """Labels scanned from too many different phones: possibly copied codes."""
    page = reports.flagged_labels_page(request.args.get("page", 1, type=int))
    return render_template("certificates/flagged_labels.html", page=page)
