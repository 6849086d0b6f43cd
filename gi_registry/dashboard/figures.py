"""The dashboard's sections: the figures from `queries`, put in order, labelled, and charted."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..charts import bar_chart, column_chart
from ..models import ApplicationState, AuthorizationStatus
from ..reference import TOWNS
from ..stations.labels import KIND_LABELS
from ..templating import state_icon, state_label, town_label
from . import queries

AUTHORIZATION_ORDER = (AuthorizationStatus.ACTIVE, AuthorizationStatus.SUSPENDED,
                       AuthorizationStatus.EXPIRED, AuthorizationStatus.REVOKED)  # fmt: skip
OPEN_STATES = (ApplicationState.SUBMITTED, ApplicationState.RESUBMITTED,
               ApplicationState.REVIEW_PASSED)  # fmt: skip
FAKE_REPORT_STATES = {
    "new": (_l("New"), "●"),
    "investigating": (_l("Under investigation"), "⧗"),
    "closed": (_l("Handled and closed"), "✔"),
}


def worded(state: str) -> str:
    """A state as icon and words, so that no chart or table depends on colour."""
    return f"{state_icon(state)} {state_label(state)}".strip()


def applications(today: date) -> dict:
    by_state = queries.applications_by_state()
    states = [(worded(s), by_state.get(s.value, 0)) for s in ApplicationState]
    months = queries.applications_by_month(today)
    return {
        "by_state": states,
        "state_chart": bar_chart(_("Applications by state"), states),
        "open": sum(by_state.get(s.value, 0) for s in OPEN_STATES),
        "months": months,
        "month_chart": column_chart(_("Applications submitted per month"),
                                    [(m["month"][5:], m["submit"]) for m in months]),
        "review": queries.review_times(today),
    }  # fmt: skip


def authorizations(today: date) -> dict:
    rows = queries.authorizations_by_town(today)
    by_status = dict.fromkeys((s.value for s in AUTHORIZATION_ORDER), 0)
    by_town = {town: dict.fromkeys(by_status, 0) for town in TOWNS}
    for town, status, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        by_town.setdefault(town, dict.fromkeys(by_status, 0))[status] += count
    statuses = [(worded(s), by_status[s]) for s in by_status]
    valid = [(town_label(t), counts[AuthorizationStatus.ACTIVE]) for t, counts in by_town.items()]
    return {
        "statuses": list(by_status),
        "by_status": statuses,
        "status_chart": bar_chart(_("Authorizations by status"), statuses),
        "by_town": [(town_label(t), counts) for t, counts in by_town.items()],
        "town_chart": bar_chart(_("Valid authorizations by town"), valid),
        "valid": by_status[AuthorizationStatus.ACTIVE],
    }


def verification(today: date) -> dict:
    days = queries.scans_per_day(today)
    totals = [(d["day"][5:], d["certificate"] + d["label"]) for d in days]
    reports = queries.fake_reports_by_state()
    return {
        "days": days,
        "scan_chart": column_chart(_("Scans per day, last 30 days"), totals, label_every=7),
        "scans": sum(v for _d, v in totals),
        "copies": queries.copy_warnings(today),
        "fake_reports": [(f"{icon} {label}", reports.get(state, 0))
                         for state, (label, icon) in FAKE_REPORT_STATES.items()],
    }  # fmt: skip


def stations(today: date) -> dict:
    activity = queries.station_activity(today)
    kinds = [(str(label), activity["by_kind"].get(kind, {"count": 0, "people": 0}))
             for kind, label in KIND_LABELS.items()]  # fmt: skip
    return {
        "since": activity["since"],
        "by_kind": kinds,
        "kind_chart": bar_chart(_("Ledger entries by kind, last 12 months"),
                                [(label, v["count"]) for label, v in kinds]),
        "by_station": activity["by_station"],
    }  # fmt: skip


def dashboard(today: date) -> dict:
    """Every section of the dashboard, as of `today`."""
    return {
        "applications": applications(today),
        "authorizations": authorizations(today),
        "verification": verification(today),
        "stations": stations(today),
    }
