"""The public directory of legal users and each producer's public record."""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import get_locale
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, String, cast, func

from .. import categories
from ..audit.services import entries_for
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Enterprise
from ..models.registry import PhotoState, ProductPhoto

STATUSES = ("active", "suspended", "expired", "revoked")
PER_PAGE = 20


@dataclass(frozen=True)
class DirectoryQuery:
    """What a visitor searched for; empty strings mean "any"."""

    q: str = ""
    town: str = ""
    route: str = ""
    category: str = ""
    status: str = ""

    def __bool__(self) -> bool:
        """Whether anything was asked for: the page offers to clear only a search."""
        return any(vars(self).values())


def status_condition(status: str, today: date):
    """SQL for "the authorization's status on `today` is `status`" (see Authorization.status_on)."""
    current = Authorization.valid_until >= today
    return {
        "active": (Authorization.status == AuthorizationStatus.ACTIVE) & current,
        "suspended": (Authorization.status == AuthorizationStatus.SUSPENDED) & current,
        "expired": (Authorization.status != AuthorizationStatus.REVOKED) & ~current,
        "revoked": Authorization.status == AuthorizationStatus.REVOKED,
    }[status]


def directory_select(search: DirectoryQuery, today: date) -> Select:
    """Each enterprise's latest authorization, with its enterprise, filtered and ordered by name."""
    latest = (
        db.select(func.max(Authorization.id).label("id"))
        .group_by(Authorization.enterprise_id)
        .subquery()
    )
    query = (
        db.select(Authorization)
        .join(latest, Authorization.id == latest.c.id)
        .join(Authorization.enterprise)
        .options(db.contains_eager(Authorization.enterprise))
    )
    if q := search.q.strip():
        query = query.where(
            Enterprise.name.contains(q, autoescape=True)
            | Enterprise.credit_code.contains(q.upper(), autoescape=True)
        )
    if search.town:
        query = query.where(Enterprise.town == search.town)
    if search.route:
        query = query.where(Authorization.route == search.route)
    if search.category:
        # The scope is a JSON list of slugs; slugs are [a-z-], so the quoted form is unambiguous
        # and the test works the same on SQLite and PostgreSQL.
        query = query.where(cast(Authorization.scope, String).contains(f'"{search.category}"'))
    if search.status in STATUSES:
        query = query.where(status_condition(search.status, today))
    return query.order_by(Enterprise.name, Enterprise.id)


def search_directory(search: DirectoryQuery, today: date, page: int = 1) -> Pagination:
    """One page of the directory: two queries (count and rows) whatever the page size."""
    return db.paginate(
        directory_select(search, today), page=page, per_page=PER_PAGE, error_out=False
    )


def find_public_enterprise(key: str) -> Enterprise | None:
    """The enterprise by id or credit code, if it holds or held an authorization."""
    key = (key or "").strip()
    if len(key) == 18:
        condition = Enterprise.credit_code == key.upper()
    elif key.isdigit() and len(key) < 12:
        condition = Enterprise.id == int(key)
    else:
        return None
    return db.session.scalar(
        db.select(Enterprise)
        .where(condition, Enterprise.authorizations.any())
        .options(db.selectinload(Enterprise.authorizations).joinedload(Authorization.application))
    )


@dataclass
class PublicEvent:
    """One public fact of a producer's history (no reviewer notes, no names of officials)."""

    at: datetime
    kind: str  # applied, approved, suspended, reinstated, revoked, announced
    authorization: str = ""
    grounds: str = ""
    deadline: str = ""
    valid_from: str = ""
    valid_until: str = ""
    announcements: list[dict] = field(default_factory=list)


EVENT_OF_ACTION = {
    "application.submit": "applied",
    "authorization.grant": "approved",
    "authorization.suspend": "suspended",
    "authorization.reinstate": "reinstated",
    "authorization.revoke": "revoked",
    "authorization.announce": "announced",
}
GROUNDS_ARE_PUBLIC = {"suspended", "reinstated", "revoked"}


def public_timeline(enterprise: Enterprise) -> list[PublicEvent]:
    """The producer's history from the audit log, keeping only facts fit for the public."""
    numbers: dict[tuple[str, str], str] = {}
    for authorization in enterprise.authorizations:
        numbers[("application", str(authorization.application_id))] = authorization.number
        numbers[("authorization", str(authorization.id))] = authorization.number
    events: list[PublicEvent] = []
    approved: dict[str, PublicEvent] = {}  # authorization number -> its "approved" event
    for entry in entries_for(*numbers):
        kind = EVENT_OF_ACTION.get(entry.action)
        number = numbers.get((entry.object_type, entry.object_id))
        if kind is None or number is None:
            continue
        if kind == "applied" and any(e.kind == "applied" and e.authorization == number
                                     for e in events):  # fmt: skip
            continue  # the first submission is the application date
        after = entry.after or {}
        if kind == "announced":
            notice = {"number": after.get("announcement"), "id": after.get("announcement_id"),
                      "kind": after.get("kind")}  # fmt: skip
            if notice["kind"] == "approval" and number in approved:
                approved[number].announcements.append(notice)
            else:
                events.append(PublicEvent(entry.at, kind, number, announcements=[notice]))
            continue
        event = PublicEvent(entry.at, kind, number)
        if kind in GROUNDS_ARE_PUBLIC:
            event.grounds = entry.grounds
        if kind == "suspended":
            event.deadline = after.get("rectification_deadline") or ""
        if kind == "approved":
            event.valid_from = after.get("valid_from", "")
            event.valid_until = after.get("valid_until", "")
            approved[number] = event
        events.append(event)
    return events


def approved_photos(enterprise_id: int | None = None) -> list[ProductPhoto]:
    """Approved photos (of one producer, or all), newest first, with their enterprises."""
    query = (
        db.select(ProductPhoto)
        .where(ProductPhoto.state == PhotoState.APPROVED)
        .options(db.joinedload(ProductPhoto.enterprise))
        .order_by(ProductPhoto.decided_at.desc(), ProductPhoto.id.desc())
    )
    if enterprise_id is not None:
        query = query.where(ProductPhoto.enterprise_id == enterprise_id)
    return list(db.session.scalars(query))


def category_names() -> dict[str, str]:
    """Every category's name in the visitor's language, in a fixed few queries per page.

    The version in force names its own categories; a slug only an older version defined keeps
    that version's name (what `categories.label` does, without a query per call).
    """
    from ..standards.services import codes, versions

    english = str(get_locale()) == "en"
    names = {}
    for code in codes():
        for row in reversed(versions(code)):  # oldest first, so newer names win
            for category in row.data.get("categories", []):
                names[category["id"]] = category["en" if english else "zh"]
    names.update(dict(categories.choices()))
    return names


def current_certificate(authorization: Authorization):
    """The authorization's current certificate, once the certificates area provides one."""
    try:
        from ..certificates.services import certificate_for
    except ImportError:
        return None
    return certificate_for(authorization)


def helping_station(enterprise: Enterprise):
    """The guidance station that helped the producer, if the producer agreed to show it."""
    try:
        from ..stations.services import station_that_helped
    except ImportError:
        return None
    return station_that_helped(enterprise)
