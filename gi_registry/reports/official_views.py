"""Officials: who filed and who did not, acting on rectification flags, the yearly summary."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..access import officials_only, roles_required
from ..clock import local_today
from ..exceptions import Invalid
from ..extensions import db
from ..models import Enterprise, Role
from ..models.reports import ReportNotice, UseReport
from . import exports, rules
from .forms import FlagActionForm
from .notices import dismiss_flag, suspend_from_flag
from .summary import SECTIONS, yearly_summary
from .views import bp

SHOW = ("missing", "flagged", "filed", "all")


def chosen_year() -> int:
    """?year=, any finished year from 2000; last year by default."""
    last = local_today().year - 1
    year = request.args.get("year", type=int)
    return year if year is not None and 2000 <= year <= last else last


def district_query(year: int, show: str):
    """The enterprises that must report for `year`, narrowed to the chosen list."""
    filed = (
        db.select(UseReport.id)
        .where(UseReport.enterprise_id == Enterprise.id, UseReport.year == year)
        .exists()
    )
    flagged = (
        db.select(ReportNotice.id)
        .where(
            ReportNotice.enterprise_id == Enterprise.id,
            ReportNotice.year == year,
            ReportNotice.kind == "rectification",
            ReportNotice.resolved_at.is_(None),
        )
        .exists()
    )
    query = db.select(Enterprise).where(Enterprise.id.in_(rules.obligated_ids(year)))
    conditions = {"missing": ~filed, "filed": filed, "flagged": flagged}
    if show in conditions:
        query = query.where(conditions[show])
    return query.order_by(Enterprise.name, Enterprise.id)


@bp.route("/district")
@officials_only
def district():
    """Every legal user that must report for the year: filed, missing, reminded or flagged."""
    year = chosen_year()
    show = request.args.get("show") if request.args.get("show") in SHOW else "missing"
    page = db.paginate(district_query(year, show), per_page=50, error_out=False)
    ids = [enterprise.id for enterprise in page.items]
    reports = {
        r.enterprise_id: r
        for r in db.session.scalars(
            db.select(UseReport).where(UseReport.year == year, UseReport.enterprise_id.in_(ids))
        )
    }
    notices: dict[int, dict] = {}
    for notice in db.session.scalars(
        db.select(ReportNotice).where(
            ReportNotice.year == year, ReportNotice.enterprise_id.in_(ids)
        )
    ):
        notices.setdefault(notice.enterprise_id, {})[notice.kind] = notice
    return render_template(
        "reports/district.html",
        year=year,
        show=show,
        page=page,
        reports=reports,
        notices=notices,
        form=FlagActionForm(),
        deadline=rules.deadline(year),
        flag_date=rules.flag_date(year),
        years=range(local_today().year - 1, 2019, -1),
    )


@bp.route("/notices/<int:notice_id>/<any(suspend,dismiss):action>", methods=["POST"])
@roles_required(Role.APPROVER)
def act_on_flag(notice_id: int, action: str):
    """An approver suspends the authorization named by a flag, or dismisses the flag."""
    notice = db.get_or_404(ReportNotice, notice_id)
    form = FlagActionForm()
    if not form.validate_on_submit():
        flash(_("Give the grounds in writing."), "error")
    else:
        try:
            if action == "suspend":
                authorization = suspend_from_flag(
                    notice, current_user, form.grounds.data, form.deadline.data
                )
                flash(_("Authorization %(n)s suspended.", n=authorization.number), "success")
            else:
                dismiss_flag(notice, current_user, form.grounds.data)
                flash(_("The flag has been dismissed."), "success")
        except Invalid as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("reports.district", year=notice.year, show="flagged"))


@bp.route("/summary")
@officials_only
def summary():
    """The district's yearly summary in the shape of the provincial report."""
    year = chosen_year()
    return render_template(
        "reports/summary.html",
        summary=yearly_summary(year),
        year=year,
        sections=SECTIONS,
        years=range(local_today().year - 1, 2019, -1),
    )


@bp.route("/summary-<int:year>.<any(csv,xlsx):fmt>")
@officials_only
def summary_download(year: int, fmt: str):
    """The yearly summary as CSV or XLSX, in Chinese like the provincial report it feeds."""
    if not 2000 <= year < local_today().year:
        return redirect(url_for("reports.summary"))
    with force_locale("zh"):
        data = yearly_summary(year)
        body = exports.summary_csv(data) if fmt == "csv" else exports.summary_xlsx(data)
    mimetype = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"boshan-glass-gi-summary-{year}.{fmt}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
