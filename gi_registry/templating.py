"""Template filters and globals shared by every page."""

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from . import categories, reference
from .clock import local_today
from .models.enterprises import Route


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC timestamp shown in Asia/Shanghai."""
    return format_datetime(value, fmt) if value else ""


def local_date(value: date | None) -> str:
    """A date as yyyy-MM-dd in every language (what officials and forms use)."""
    return format_date(value, "yyyy-MM-dd") if value else ""


def town_label(town: str) -> str:
    """The town's name in the current language."""
    if str(get_locale()) == "en":
        return reference.TOWN_NAMES_EN.get(town, town)
    return town


def route_label(route: str) -> str:
    """The legal-user route in words."""
    try:
        return str(reference.ROUTE_LABELS[Route(route)])
    except ValueError:
        return route


def state_label(state: str) -> str:
    """A state or status in words."""
    label = reference.STATE_LABELS.get(state)
    return str(label[0]) if label else state


def state_icon(state: str) -> str:
    """The icon that goes with a state's words."""
    label = reference.STATE_LABELS.get(state)
    return label[1] if label else ""


ACTION_LABELS = {
    "submit": _l("Submit"),
    "resubmit": _l("Resubmit"),
    "withdraw": _l("Withdraw"),
    "return": _l("Return for correction"),
    "pass_review": _l("Pass district review"),
    "approve": _l("Approve"),
    "reject": _l("Reject"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "attach": _l("Document attached"),
    "detach": _l("Document removed"),
    "grant": _l("Authorization granted"),
    "suspend": _l("Suspend"),
    "reinstate": _l("Reinstate"),
    "revoke": _l("Revoke"),
    "answer_clauses": _l("Answers to the standard's clauses saved"),
    "review_clauses": _l("Clause-by-clause review recorded"),
    "publish": _l("Standard version published"),
    "supersede": _l("Standard version superseded"),
    "load_draft": _l("Draft standard version loaded"),
    "update_draft": _l("Draft standard version updated"),
    "drop_draft": _l("Draft standard version removed"),
    "announce": _l("Listed in a public announcement"),
}


def action_label(action: str) -> str:
    """An audit action or workflow action in words ("application.submit" or "submit")."""
    return str(ACTION_LABELS.get(action.rsplit(".", 1)[-1], action))


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (pagination, filters, language)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    return request.path + ("?" + urlencode(args) if args else "")


def register(app: Flask) -> None:
    """Install the filters and the globals."""
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        town_label=town_label,
        route_label=route_label,
        state_label=state_label,
        state_icon=state_icon,
        action_label=action_label,
        category_label=categories.label,
        material_label=reference.material_label,
    )
    app.jinja_env.globals.update(url_with=url_with, reference=reference)

    @app.context_processor
    def site_globals():
        return {
            "current_locale": str(get_locale()),
            "office_name": current_app.config["OFFICE_NAME"],
            "office_name_en": current_app.config["OFFICE_NAME_EN"],
            "public_base_url": current_app.config["PUBLIC_BASE_URL"],
            "today": local_today(),
        }
