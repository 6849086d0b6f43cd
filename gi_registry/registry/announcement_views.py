"""Announcements: the public list and pages, downloads, and publishing by approvers."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..exceptions import Invalid
from ..extensions import db
from ..formtools import show_error
from ..models import Role
from ..models.registry import Announcement
from . import announcements as service
from . import exports
from .forms import AnnouncementForm, CorrectionForm
from .views import bp

DOWNLOADS = {
    "csv": (exports.to_csv, "text/csv; charset=utf-8"),
    "xlsx": (exports.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (exports.to_pdf, "application/pdf"),
}


def get_announcement_or_404(announcement_id: int) -> Announcement:
    return db.get_or_404(Announcement, announcement_id)


@bp.route("/registry/announcements")
def announcements():
    """Published announcements, newest first."""
    page = service.announcement_page(request.args.get("page", 1, type=int))
    return render_template("registry/announcements.html", page=page)


@bp.route("/registry/announcements/<int:announcement_id>")
def announcement(announcement_id: int):
    """One announcement with its list, its downloads, and what corrects it or what it corrects."""
    announcement = get_announcement_or_404(announcement_id)
    return render_template("registry/announcement.html", announcement=announcement,
                           columns=exports.columns(announcement), rows=exports.rows(announcement),
                           corrections=service.corrections_of(announcement))  # fmt: skip


@bp.route("/registry/announcements/<int:announcement_id>.<any(csv,xlsx,pdf):fmt>")
def announcement_download(announcement_id: int, fmt: str):
    """The announcement's list as CSV, XLSX or PDF."""
    announcement = get_announcement_or_404(announcement_id)
    make, mimetype = DOWNLOADS[fmt]
    name = f"{exports.file_stem(announcement)}.{fmt}"
    return Response(make(announcement), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})  # fmt: skip


@bp.route("/registry/announcements/new/<any(approval,change,cancellation):kind>",
          methods=["GET", "POST"])  # fmt: skip
@roles_required(Role.APPROVER)
def new_announcement(kind: str):
    """An approver chooses what to list and publishes a numbered announcement."""
    candidates = service.candidates(kind)
    form = AnnouncementForm()
    form.authorizations.choices = [(str(c.authorization.id), c.authorization.number)
                                   for c in candidates]  # fmt: skip
    if request.method == "GET":
        form.authorizations.data = [value for value, _label in form.authorizations.choices]
    if form.validate_on_submit():
        try:
            ids = [int(v) for v in form.authorizations.data or [] if v.isdigit()]
            published = service.publish_announcement(kind, ids, current_user, form.note.data)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Announcement %(n)s published.", n=published.number), "success")
            return redirect(url_for("registry.announcement", announcement_id=published.id))
    return render_template("registry/announcement_new.html", form=form, kind=kind,
                           candidates=candidates)  # fmt: skip


@bp.route("/registry/announcements/<int:announcement_id>/correct", methods=["GET", "POST"])
@roles_required(Role.APPROVER)
def correct_announcement(announcement_id: int):
    """An approver publishes a correction that re-lists chosen lines as they are now."""
    original = get_announcement_or_404(announcement_id)
    form = CorrectionForm()
    form.entries.choices = [(str(e.id), e.enterprise_name) for e in original.entries]
    if form.validate_on_submit():
        try:
            ids = [int(v) for v in form.entries.data or [] if v.isdigit()]
            published = service.publish_correction(original, ids, current_user, form.reason.data)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Correction %(n)s published.", n=published.number), "success")
            return redirect(url_for("registry.announcement", announcement_id=published.id))
    return render_template("registry/announcement_correct.html", form=form, original=original)
