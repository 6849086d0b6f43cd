"""Producers and authorizations as open data: public fields only, filters, stable order."""

from sqlalchemy.orm import selectinload

from ..clock import local_today
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Enterprise, Route
from ..reference import TOWNS
from .params import Param
from .spec import Resource, day, integer, moment, strings, text

STATUSES = [s.value for s in AuthorizationStatus]
ROUTES = [r.value for r in Route]

TOWN = Param(
    "town",
    {"type": "string", "enum": list(TOWNS)},
    "Town or subdistrict of Boshan District (Chinese name).",
    example="山头街道",
)
ROUTE = Param("route", {"type": "string", "enum": ROUTES}, "Kind of legal user (route).")
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
    return db.select(Enterprise).where(held.exists())


def select_producers(args: dict):
    query = public_producers()
    if q := args.get("q"):
        query = query.where(
            Enterprise.name.contains(q, autoescape=True)
            | Enterprise.credit_code.startswith(q.upper(), autoescape=True)
        )
    for name in ("town", "route", "credit_code"):
        if name in args:
            query = query.where(getattr(Enterprise, name) == args[name])
    return query.options(selectinload(Enterprise.authorizations)).order_by(Enterprise.id)


def find_producer(producer_id: int):
    return db.session.scalar(
        public_producers()
        .where(Enterprise.id == producer_id)
        .options(selectinload(Enterprise.authorizations))
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
        Param(
            "q",
            {"type": "string", "minLength": 1, "maxLength": 100},
            "Part of the name, or the beginning of the credit code.",
        ),
        TOWN,
        ROUTE,
        CREDIT_CODE,
    ),
    key=Param(
        "producer_id",
        {"type": "integer", "minimum": 1, "maximum": 2_147_483_647},
        "The producer's identifier.",
        location="path",
        example=1,
    ),
    select=select_producers,
    find=find_producer,
)


# --- authorizations --------------------------------------------------------------------------


def select_authorizations(args: dict):
    query = db.select(Authorization).join(Authorization.enterprise)
    if "status" in args:
        query = query.where(status_condition(args["status"], local_today()))
    if "producer_id" in args:
        query = query.where(Authorization.enterprise_id == args["producer_id"])
    if "town" in args:
        query = query.where(Enterprise.town == args["town"])
    if "route" in args:
        query = query.where(Authorization.route == args["route"])
    return query.options(db.contains_eager(Authorization.enterprise)).order_by(Authorization.id)


def find_authorization(number: str):
    return db.session.scalar(
        db.select(Authorization)
        .where(Authorization.number == number)
        .options(selectinload(Authorization.enterprise))
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
        Param("status", {"type": "string", "enum": STATUSES}, "Status today."),
        Param(
            "producer_id",
            {"type": "integer", "minimum": 1, "maximum": 2_147_483_647},
            "Only this producer's authorizations.",
        ),
        TOWN,
        ROUTE,
    ),
    key=Param(
        "number",
        {"type": "string", "pattern": "^[A-Z0-9][A-Z0-9-]{0,29}$"},
        "Authorization number, e.g. BSLL-2026-0001.",
        location="path",
        example="BSLL-2026-0001",
        extra={"pattern_message": "must be an authorization number such as BSLL-2026-0001"},
    ),
    select=select_authorizations,
    find=find_authorization,
)
