"""Producers: their yearly use reports, what is due, and the reminders about missing ones."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import categories
from ..access import roles_required
from ..clock import local_today
from ..exceptions import Invalid
from ..extensions import db
from ..formtools import show_error
from ..models import Role
from ..models.reports import UseReport
from . import rules, services
from .forms import LINE_ROWS, UseReportForm
from .notices import notices_for

bp = Blueprint("reports", __name__, url_prefix="/reports")


def get_report_or_404(report_id: int, user) -> UseReport:
    """The report if `user` is an official or the enterprise's own account; 404 otherwise."""
    report = db.session.get(UseReport, report_id)
    if report is None or not (user.is_official or report.enterprise.owner_id == user.id):
        abort(404)
    return report


def own_enterprise():
    enterprise = current_user.enterprise
    if enterprise is None:
        abort(404)
    return enterprise


@bp.route("/")
@roles_required(Role.PRODUCER)
def mine():
    """The producer's years to report, filed reports, and open reminders."""
    enterprise = current_user.enterprise
    if enterprise is None:
        flash(_("Register your enterprise first."), "warning")
        return redirect(url_for("enterprises.register"))
    today = local_today()
    filed = {
        r.year: r
        for r in db.session.scalars(
            db.select(UseReport).where(UseReport.enterprise_id == enterprise.id)
        )
    }
    years = [
        (y, filed.get(y), rules.deadline(y)) for y in rules.years_to_report(enterprise.id, today)
    ]
    return render_template(
        "reports/mine.html",
        years=years,
        notices=notices_for(enterprise.id),
        today=today,
        grace_days=rules.grace_days(),
        last_year=today.year - 1,
        last_deadline=rules.deadline(today.year - 1),
    )


def report_form(report: UseReport | None = None) -> UseReportForm:
    form = UseReportForm(obj=report, category_choices=categories.choices())
    if report is not None and not form.is_submitted():
        while len(form.lines) < max(LINE_ROWS, len(report.lines) + 2):
            form.lines.append_entry()  # room for more products below the stated ones
        form.set_choices()
    return form


@bp.route("/<int:year>/new", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def new(year: int):
    """The producer files its report for a finished year."""
    enterprise = own_enterprise()
    if reason := services.why_not_file(enterprise, year, local_today()):
        flash(reason, "warning")
        return redirect(url_for("reports.mine"))
    form = report_form()
    if form.validate_on_submit():
        try:
            report = services.file_report(
                enterprise, current_user, year, form.service_data(), categories.slugs()
            )
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Your report for %(y)d has been filed. Thank you.", y=year), "success")
            return redirect(url_for("reports.report", report_id=report.id))
    return render_template(
        "reports/form.html", form=form, year=year, report=None, deadline=rules.deadline(year)
    )


@bp.route("/<int:report_id>")
@roles_required(Role.PRODUCER, Role.REVIEWER, Role.APPROVER, Role.ADMIN)
def report(report_id: int):
    """One filed report: what was stated, and whether it can still be corrected."""
    report = get_report_or_404(report_id, current_user)
    deadline = rules.deadline(report.year)
    return render_template(
        "reports/report.html",
        report=report,
        unit_labels=services.UNITS,
        deadline=deadline,
        late=services.filed_on(report) > deadline,
        may_correct=services.may_correct(report),
    )


@bp.route("/<int:report_id>/edit", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def edit(report_id: int):
    """The producer corrects its report, until the deadline."""
    report = get_report_or_404(report_id, current_user)
    form = report_form(report)
    if form.validate_on_submit():
        try:
            services.correct_report(report, current_user, form.service_data(), categories.slugs())
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Your report has been corrected."), "success")
            return redirect(url_for("reports.report", report_id=report.id))
    return render_template(
        "reports/form.html",
        form=form,
        year=report.year,
        report=report,
        deadline=rules.deadline(report.year),
    )


from . import official_views  # noqa: E402, F401  (registers the officials' routes on bp)
