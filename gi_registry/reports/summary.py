"""The district's yearly summary, in the shape of the provincial GI protection report: legal users,
products and output value, standards, enforcement, training. Every figure is aggregated in SQL."""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import categories
from ..clock import SHANGHAI
from ..extensions import db
from ..models import AuditEntry, Authorization, Enterprise
from ..models.certificates import FakeReport
from ..models.reports import UseReport, UseReportLine
from ..models.standards import StandardVersion
from ..templating import route_label
from . import rules
from .services import UNITS

SECTIONS = {
    "mark": _l("Use of the special mark"),
    "products": _l("Products and output value"),
    "standards": _l("Standards"),
    "enforcement": _l("Protection and enforcement"),
    "training": _l("Training and guidance (brand guidance stations)"),
    "testing": _l("Testing"),
}
ENFORCEMENT_ACTIONS = ("authorization.suspend", "authorization.revoke", "authorization.reinstate")


@dataclass
class Row:
    section: str
    indicator: str
    value: int | float | str | None  # None: not available, shown as a dash with the reason
    unit: str = ""
    note: str = ""


@dataclass
class Summary:
    year: int
    rows: list[Row] = field(default_factory=list)
    reports: list[UseReport] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    stations_available: bool = False

    def section(self, key: str) -> list[Row]:
        return [r for r in self.rows if r.section == key]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in Boshan, as UTC-comparable instants."""
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def yearly_summary(year: int) -> Summary:
    """Every indicator of the yearly summary for `year`."""
    summary = Summary(year)
    mark_use(summary)
    products(summary)
    standards(summary)
    enforcement(summary)
    training(summary)
    summary.rows.append(
        Row("testing", _("Product testing"), None, "", _("Not recorded by this registry."))
    )
    return summary


def mark_use(summary: Summary) -> None:
    year, rows = summary.year, summary.rows
    start, end = year_bounds(year)
    by_route = db.session.execute(
        db.select(Authorization.route, db.func.count(db.distinct(Authorization.enterprise_id)))
        .where(rules.active_during(year))
        .group_by(Authorization.route)
    ).all()
    users = db.session.scalar(
        db.select(db.func.count()).select_from(rules.obligated_ids(year).subquery())
    )
    rows.append(Row("mark", _("Legal users of the mark during the year"), users, _("enterprises")))
    for route, count in sorted(by_route):
        rows.append(
            Row("mark", _("of whom: %(route)s", route=route_label(route)), count, _("enterprises"))
        )
    granted = db.session.scalar(
        db.select(db.func.count(Authorization.id)).where(
            Authorization.created_at >= start, Authorization.created_at < end
        )
    )
    rows.append(Row("mark", _("Authorizations granted in the year"), granted, _("authorizations")))
    deadline_end = datetime.combine(rules.deadline(year), datetime.max.time(), SHANGHAI)
    filed, on_time, value, labels = db.session.execute(
        db.select(
            db.func.count(UseReport.id),
            db.func.count(UseReport.id).filter(UseReport.submitted_at <= deadline_end),
            db.func.coalesce(db.func.sum(UseReport.output_value_yuan), 0),
            db.func.coalesce(db.func.sum(UseReport.labels_used), 0),
        ).where(UseReport.year == year)
    ).one()
    deadline = rules.deadline(year).isoformat()
    rows += [
        Row(
            "mark",
            _("Yearly use reports due"),
            users,
            _("reports"),
            _("Deadline %(d)s (the registry's own rule).", d=deadline),
        ),
        Row("mark", _("Yearly use reports filed"), filed, _("reports")),
        Row("mark", _("of which filed by the deadline"), on_time, _("reports")),
        Row("mark", _("Yearly use reports missing"), max(users - filed, 0), _("reports")),
        Row("mark", _("Special-mark labels used (as reported)"), labels, _("pieces")),
    ]
    summary.rows.append(
        Row(
            "products",
            _("Output value under the mark (as reported)"),
            round(value / 10_000, 2),
            _("10,000 yuan"),
            _("%(v)s yuan in all", v=f"{value:,}"),
        )
    )


def products(summary: Summary) -> None:
    lines = db.session.execute(
        db.select(
            UseReportLine.category,
            UseReportLine.unit,
            db.func.sum(UseReportLine.quantity),
            db.func.count(db.distinct(UseReport.enterprise_id)),
        )
        .join(UseReportLine.report)
        .where(UseReport.year == summary.year)
        .group_by(UseReportLine.category, UseReportLine.unit)
        .order_by(UseReportLine.category, UseReportLine.unit)
    ).all()
    for category, unit, quantity, users in lines:
        summary.rows.append(
            Row(
                "products",
                categories.label(category),
                int(quantity),
                str(UNITS.get(unit, unit)),
                _("reported by %(n)d enterprise(s)", n=users),
            )
        )
    if not lines:
        summary.rows.append(
            Row(
                "products",
                _("Products sold under the mark"),
                0,
                "",
                _("No product lines reported."),
            )
        )
    summary.reports = list(
        db.session.scalars(
            db.select(UseReport)
            .join(UseReport.enterprise)
            .where(UseReport.year == summary.year)
            .options(db.contains_eager(UseReport.enterprise))
            .order_by(Enterprise.name)
        )
    )


def standards(summary: Summary) -> None:
    year = summary.year
    versions = db.session.scalars(
        db.select(StandardVersion)
        .where(
            StandardVersion.status != "draft",
            StandardVersion.effective_from <= date(year, 12, 31),
            db.or_(
                StandardVersion.superseded_on.is_(None),
                StandardVersion.superseded_on > date(year, 1, 1),
            ),
        )
        .order_by(StandardVersion.code, StandardVersion.effective_from)
    ).all()
    for v in versions:
        until = v.superseded_on.isoformat() if v.superseded_on else _("still in force")
        summary.rows.append(
            Row(
                "standards",
                _("Product standard in force"),
                f"{v.code} {v.version}",
                "",
                _(
                    "%(title)s; in force %(start)s – %(end)s",
                    title=v.data["title"]["zh"],
                    start=v.effective_from.isoformat(),
                    end=until,
                ),
            )
        )
    if not versions:
        summary.rows.append(
            Row(
                "standards",
                _("Product standard in force"),
                None,
                "",
                _("No published version was in force in the year."),
            )
        )


def enforcement(summary: Summary) -> None:
    start, end = year_bounds(summary.year)
    entries = db.session.scalars(
        db.select(AuditEntry)
        .where(
            AuditEntry.action.in_(ENFORCEMENT_ACTIONS), AuditEntry.at >= start, AuditEntry.at < end
        )
        .order_by(AuditEntry.at)
    ).all()
    ids = {int(e.object_id) for e in entries}
    authorizations = (
        {
            a.id: a
            for a in db.session.scalars(
                db.select(Authorization)
                .where(Authorization.id.in_(ids))
                .options(db.selectinload(Authorization.enterprise))
            )
        }
        if ids
        else {}
    )
    counts = dict.fromkeys(ENFORCEMENT_ACTIONS, 0)
    for entry in entries:
        counts[entry.action] += 1
        a = authorizations.get(int(entry.object_id))
        summary.actions.append(
            {
                "at": entry.at,
                "action": entry.action,
                "grounds": entry.grounds,
                "number": a.number if a else entry.object_id,
                "enterprise": a.enterprise.name if a else "",
                "credit_code": a.enterprise.credit_code if a else "",
            }
        )
    fakes = db.session.scalar(
        db.select(db.func.count(FakeReport.id)).where(
            FakeReport.created_at >= start, FakeReport.created_at < end
        )
    )
    summary.rows += [
        Row(
            "enforcement",
            _("Authorizations suspended"),
            counts["authorization.suspend"],
            _("actions"),
            _("From the audit log."),
        ),
        Row(
            "enforcement",
            _("Authorizations revoked"),
            counts["authorization.revoke"],
            _("actions"),
            _("From the audit log."),
        ),
        Row(
            "enforcement",
            _("Authorizations reinstated after rectification"),
            counts["authorization.reinstate"],
            _("actions"),
            _("From the audit log."),
        ),
        Row(
            "enforcement",
            _("Reports of suspected fakes received from consumers"),
            fakes,
            _("reports"),
        ),
    ]


TRAINING_ROWS = (
    ("stations", _l("Brand guidance stations set up"), _l("stations")),
    ("trainings", _l("Trainings and seminars held"), _l("events")),
    ("training_participants", _l("Participants in trainings"), _l("people")),
    ("consultations", _l("Consultations given"), _l("consultations")),
    ("services", _l("Registration, special-mark and rights-protection services"), _l("services")),
    ("enterprises_helped", _l("Enterprises helped"), _l("enterprises")),
)


def training(summary: Summary) -> None:
    try:
        from ..stations.services import yearly_totals
    except ImportError:
        summary.rows.append(
            Row(
                "training",
                _("Trainings from the guidance stations"),
                None,
                "",
                _("Unavailable: the stations' ledger is not installed."),
            )
        )
        return
    totals = yearly_totals(summary.year)
    summary.stations_available = True
    for key, label, unit in TRAINING_ROWS:
        summary.rows.append(
            Row("training", str(label), totals[key], str(unit), _("From the stations' ledgers."))
        )
