"""Producers and authorizations as open data: public fields only, filters, stable order."""

from sqlalchemy.orm import selectinload

from ..clock import local_today
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Enterprise, Route
from ..reference import TOWNS
from .params import Param, choice, identifier
from .spec import Filter, Resource, day, equals, integer, moment, strings, text

STATUSES = [s.value for s in AuthorizationStatus]
ROUTES = [r.value for r in Route]

TOWN = Param(
    "town",
    {"type": "string", "enum": list(TOWNS)},
    "Town or subdistrict of Boshan District (Chinese name).",
    example="山头街道",
)
ROUTE = choice("route", ROUTES, "Kind of legal user (route).")
CREDIT_CODE = Param(
    "credit_code",
    {"type": "string", "pattern": "^[0-9A-Z]{18}$"},
    "Unified social credit code (统一社会信用代码), 18 characters.",
    extra={"pattern_message": "must be 18 digits or capital letters"},
)


def status_condition(status: str, today):
    """SQL for an authorization's status as the public sees it today (expiry from the dates)."""
    a = Authorization
    if status == AuthorizationStatus.EXPIRED:
        return (a.status != AuthorizationStatus.REVOKED) & (a.valid_until < today)
    if status == AuthorizationStatus.REVOKED:
        return a.status == AuthorizationStatus.REVOKED
    return (a.status == status) & (a.valid_until >= today)


# --- producers -------------------------------------------------------------------------------


def public_producers():
    """Enterprises that hold or held an authorization: the legal users the public may look up."""
    held = db.select(Authorization.id).where(Authorization.enterprise_id == Enterprise.id)
    return (
        db.select(Enterprise)
        .where(held.exists())
        .options(selectinload(Enterprise.authorizations))
        .order_by(Enterprise.id)
    )


def search(q: str):
    """Part of the name, or the beginning of the credit code."""
    return Enterprise.name.contains(q, autoescape=True) | Enterprise.credit_code.startswith(
        q.upper(), autoescape=True
    )


def current(enterprise: Enterprise) -> Authorization | None:
    """The latest authorization (the relationship is ordered newest first)."""
    return enterprise.authorizations[0] if enterprise.authorizations else None


PRODUCERS = Resource(
    name="producers",
    schema_name="Producer",
    title="producers (legal users of the special mark)",
    fields=(
        integer("id", "Stable identifier of the producer in this registry."),
        text("name", "Registered name of the enterprise."),
        text("credit_code", "Unified social credit code (统一社会信用代码)."),
        text("address", "Registered address."),
        text("town", "Town or subdistrict of Boshan District where it is registered."),
        text("route", "Kind of legal user.", enum=ROUTES),
        text("trademark_name", "The GI trademark it uses (collective or certification routes)."),
        text(
            "trademark_registration_number",
            "Registration number of that trademark.",
            get=lambda e: e.trademark_reg_no,
        ),
        text(
            "announcement_number",
            "Approval announcement or CNIPA record number, if any.",
            get=lambda e: e.announcement_no,
        ),
        text(
            "authorization_number",
            "Number of its latest authorization.",
            get=lambda e: current(e).number,
        ),
        text(
            "authorization_status",
            "Status of its latest authorization today.",
            enum=STATUSES,
            get=lambda e: current(e).status_on(local_today()).value,
        ),
        strings(
            "categories",
            "Product categories covered by its latest authorization.",
            get=lambda e: current(e).scope,
        ),
    ),
    filters=(
        Filter(
            Param(
                "q",
                {"type": "string", "minLength": 1, "maxLength": 100},
                "Part of the name, or the beginning of the credit code.",
            ),
            search,
        ),
        equals(TOWN, Enterprise.town),
        equals(ROUTE, Enterprise.route),
        equals(CREDIT_CODE, Enterprise.credit_code),
    ),
    key=identifier("producer_id", "The producer's identifier.", path=True),
    rows=public_producers,
    lookup=lambda producer_id: Enterprise.id == producer_id,
)


# --- authorizations --------------------------------------------------------------------------


def all_authorizations():
    return (
        db.select(Authorization)
        .join(Authorization.enterprise)
        .options(db.contains_eager(Authorization.enterprise))
        .order_by(Authorization.id)
    )


AUTHORIZATIONS = Resource(
    name="authorizations",
    schema_name="Authorization",
    title="authorizations to use the special mark",
    fields=(
        text("number", "Authorization number."),
        integer("producer_id", "The producer's identifier.", get=lambda a: a.enterprise_id),
        text("producer_name", "The producer's name.", get=lambda a: a.enterprise.name),
        text("credit_code", "The producer's credit code.", get=lambda a: a.enterprise.credit_code),
        text("gi_name", "The geographical indication (博山琉璃)."),
        text("route", "Kind of legal user.", enum=ROUTES),
        strings("scope", "Product categories the mark may be used on."),
        day("valid_from", "First day of validity."),
        day("valid_until", "Last day of validity."),
        text(
            "status",
            "Status today; `expired` follows from `valid_until`.",
            enum=STATUSES,
            get=lambda a: a.status_on(local_today()).value,
        ),
        text("status_grounds", "Grounds of the latest suspension, reinstatement or revocation."),
        day("rectification_deadline", "Deadline to rectify, while suspended.", null=True),
        text("standard_code", "Code of the product standard followed."),
        text("standard_version", "Version of that standard."),
        moment("granted_at", "When the authorization was granted.", get=lambda a: a.created_at),
    ),
    filters=(
        Filter(
            choice("status", STATUSES, "Status today."),
            lambda status: status_condition(status, local_today()),
        ),
        equals(
            identifier("producer_id", "Only this producer's authorizations."),
            Authorization.enterprise_id,
        ),
        equals(TOWN, Enterprise.town),
        equals(ROUTE, Authorization.route),
    ),
    key=Param(
        "number",
        {"type": "string", "pattern": "^[A-Z0-9][A-Z0-9-]{0,29}$"},
        "Authorization number, e.g. BSLL-2026-0001.",
        location="path",
        example="BSLL-2026-0001",
        extra={"pattern_message": "must be an authorization number such as BSLL-2026-0001"},
    ),
    rows=all_authorizations,
    lookup=lambda number: Authorization.number == number,
)
