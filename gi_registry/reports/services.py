"""Filing and correcting yearly use reports: each service checks, audits and commits once."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.services import record, snapshot
from ..clock import SHANGHAI, local_today
from ..exceptions import Invalid, InvalidTransition, NotPermitted
from ..extensions import db
from ..models import Enterprise, User
from ..models.base import utcnow
from ..models.reports import NoticeResolution, ReportNotice, UseReport, UseReportLine
from . import rules

UNITS = {
    "piece": _l("pieces (件)"),
    "set": _l("sets (套)"),
    "string": _l("strings (串)"),
    "kg": _l("kilograms"),
}
FIELDS = ("output_value_yuan", "labels_used", "production_changes", "ownership_changes", "remarks")
MAX_AMOUNT = 10**12  # a trillion yuan or items: anything larger is a typing mistake
TEXT_LIMIT = 4000


def check_report_data(data: dict, categories: set[str]) -> dict:
    """The producer's answers, checked; raises Invalid naming the field at fault."""
    clean = {}
    for field in ("output_value_yuan", "labels_used"):
        value = data.get(field)
        if not isinstance(value, int) or not 0 <= value < MAX_AMOUNT:
            raise Invalid(_("Enter a whole number, 0 or more."), field)
        clean[field] = value
    for field in ("production_changes", "ownership_changes", "remarks"):
        clean[field] = (data.get(field) or "").strip()
        if len(clean[field]) > TEXT_LIMIT:
            raise Invalid(_("At most %(n)d characters.", n=TEXT_LIMIT), field)
    clean["lines"] = check_lines(data.get("lines") or [], categories)
    if not clean["lines"] and not clean["remarks"]:
        raise Invalid(
            _(
                "List the products sold under the mark, or say in the remarks why the "
                "mark was not used this year."
            ),
            "lines",
        )
    return clean


def check_lines(lines: list[dict], categories: set[str]) -> list[dict]:
    """Product lines: empty rows are skipped; a started row must be complete."""
    clean = []
    for number, line in enumerate(lines, start=1):
        product = (line.get("product") or "").strip()
        category, quantity, unit = line.get("category"), line.get("quantity"), line.get("unit")
        if not (product or category or quantity is not None):
            continue
        if category not in categories:
            raise Invalid(_("Row %(n)d: choose the product category.", n=number), "lines")
        if not product or len(product) > 200:
            raise Invalid(
                _("Row %(n)d: name the product (at most 200 characters).", n=number), "lines"
            )
        if not isinstance(quantity, int) or not 0 <= quantity < MAX_AMOUNT:
            raise Invalid(_("Row %(n)d: give the quantity as a whole number.", n=number), "lines")
        if unit not in UNITS:
            raise Invalid(_("Row %(n)d: choose the unit.", n=number), "lines")
        clean.append({"category": category, "product": product, "quantity": quantity, "unit": unit})
    return clean


def report_snapshot(report: UseReport) -> dict:
    """Everything the producer stated, for the audit log."""
    lines = [snapshot(line, "category", "product", "quantity", "unit") for line in report.lines]
    return {**snapshot(report, "year", *FIELDS), "lines": lines}


def set_contents(report: UseReport, data: dict) -> None:
    for field in FIELDS:
        setattr(report, field, data[field])
    report.lines = [UseReportLine(position=i, **line) for i, line in enumerate(data["lines"], 1)]


def ensure_owner(enterprise: Enterprise, actor: User) -> None:
    if enterprise.owner_id != actor.id:
        raise NotPermitted(_("Only the enterprise's own account can file its reports."))


def why_not_file(enterprise: Enterprise, year: int, today: date) -> str | None:
    """Why the enterprise cannot file a report for `year` now, or None if it can."""
    if year >= today.year:
        return _("A year can be reported only once it is over.")
    if not rules.is_obligated(enterprise.id, year):
        return _("The enterprise was not a legal user of the mark in %(y)d.", y=year)
    if find_report(enterprise.id, year) is not None:
        return _("The report for %(y)d has already been filed.", y=year)
    return None


def file_report(
    enterprise: Enterprise,
    actor: User,
    year: int,
    data: dict,
    categories: set[str],
    today: date | None = None,
) -> UseReport:
    """The producer files its report for a finished year; open reminders and flags close; commits."""
    ensure_owner(enterprise, actor)
    today = today or local_today()
    if reason := why_not_file(enterprise, year, today):
        raise InvalidTransition(reason)
    data = check_report_data(data, categories)
    report = UseReport(enterprise_id=enterprise.id, year=year, submitted_by_id=actor.id)
    set_contents(report, data)
    db.session.add(report)
    db.session.flush()
    closed = close_notices(enterprise.id, year, actor)
    record(
        "use_report.file",
        "use_report",
        report.id,
        actor,
        after={
            **report_snapshot(report),
            "late": today > rules.deadline(year),
            "closed_notices": closed,
        },
    )
    db.session.commit()
    return report


def close_notices(enterprise_id: int, year: int, actor: User) -> list[int]:
    """Resolve the open reminder and flag of that year as filed (audited with the filing)."""
    notices = db.session.scalars(
        db.select(ReportNotice).where(
            ReportNotice.enterprise_id == enterprise_id,
            ReportNotice.year == year,
            ReportNotice.resolved_at.is_(None),
        )
    ).all()
    for notice in notices:
        notice.resolved_at, notice.resolved_by_id = utcnow(), actor.id
        notice.resolution = NoticeResolution.FILED
    return [n.id for n in notices]


def filed_on(report: UseReport) -> date:
    """The day in Boshan the report was first filed."""
    return report.submitted_at.astimezone(SHANGHAI).date()


def may_correct(report: UseReport, today: date | None = None) -> bool:
    """Corrections are taken until the deadline; afterwards the office must be asked."""
    return (today or local_today()) <= rules.deadline(report.year)


def correct_report(
    report: UseReport, actor: User, data: dict, categories: set[str], today: date | None = None
) -> None:
    """The producer corrects its report before the deadline; the change is audited; commits."""
    ensure_owner(report.enterprise, actor)
    if not may_correct(report, today):
        raise InvalidTransition(
            _("The deadline has passed: ask the district office to correct the report.")
        )
    data = check_report_data(data, categories)
    before = report_snapshot(report)
    set_contents(report, data)
    db.session.flush()
    after = report_snapshot(report)
    if before == after:
        db.session.rollback()  # nothing changed: leave the row and its lines as they were
        return
    report.revision += 1
    report.updated_at = utcnow()
    changed = [k for k in after if before[k] != after[k]]
    record(
        "use_report.correct",
        "use_report",
        report.id,
        actor,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    db.session.commit()


def find_report(enterprise_id: int, year: int) -> UseReport | None:
    return db.session.scalar(
        db.select(UseReport).where(UseReport.enterprise_id == enterprise_id, UseReport.year == year)
    )
