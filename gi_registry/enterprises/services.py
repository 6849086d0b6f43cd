"""Registering and changing enterprises, with the credit-code check and route rules."""

from flask_babel import gettext as _

from .. import creditcode
from ..audit.services import record, snapshot
from ..exceptions import Invalid, NotPermitted
from ..extensions import db
from ..models import Enterprise, Route, User
from ..reference import TOWNS

FIELDS = (
    "name", "credit_code", "credit_code_exception", "legal_representative", "address", "town",
    "phone", "route", "trademark_name", "trademark_reg_no", "trademark_valid_until",
    "licence_start", "licence_end", "announcement_no",
)  # fmt: skip


def credit_code_message(problem: str) -> str:
    return {
        "length": _("The credit code must be exactly 18 characters."),
        "characters": _(
            "The credit code may contain only digits and the capital letters "
            "A–Y except I, O, S, V and Z."
        ),
        "check": _(
            "The check character (the 18th) does not match: the code is probably mistyped. "
            "Compare it with the business licence."
        ),
    }[problem]


def check_details(data: dict, actor: User) -> dict:
    """Normalise and check enterprise details; raises Invalid naming the field at fault."""
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    data["credit_code"] = creditcode.normalise(data["credit_code"])
    problem = creditcode.problem(data["credit_code"])
    reason = data.get("credit_code_exception") or ""
    if problem and not (actor.is_official and reason and problem == "check"):
        message = credit_code_message(problem)
        if problem == "check" and actor.is_official:
            message += " " + _("To accept it anyway, give the reason below.")
        raise Invalid(message, "credit_code")
    if not problem:
        data["credit_code_exception"] = ""
    if data["town"] not in TOWNS:
        raise Invalid(_("Choose one of the divisions of Boshan District."), "town")
    check_route(data)
    return data


def check_route(data: dict) -> None:
    """Route-specific details: the licence may not outlast the certification trademark."""
    route = Route(data["route"])
    if route in (Route.COLLECTIVE_MEMBER, Route.CERTIFICATION_LICENSEE):
        for field in ("trademark_name", "trademark_reg_no"):
            if not data.get(field):
                raise Invalid(_("Required for the trademark routes."), field)
    if route == Route.CERTIFICATION_LICENSEE:
        start, end, mark_end = (
            data.get("licence_start"), data.get("licence_end"), data.get("trademark_valid_until")
        )  # fmt: skip
        for field, value in (("trademark_valid_until", mark_end), ("licence_start", start),
                             ("licence_end", end)):  # fmt: skip
            if value is None:
                raise Invalid(_("Required for licensees of the certification trademark."), field)
        if end <= start:
            raise Invalid(_("The licence must end after it starts."), "licence_end")
        if end > mark_end:
            raise Invalid(
                _("The licence cannot outlast the trademark (valid until %(d)s).",
                  d=mark_end.isoformat()),
                "licence_end",
            )  # fmt: skip
    else:
        data["licence_start"] = data["licence_end"] = None
    if route == Route.PROTECTED_PRODUCT and not data.get("announcement_no"):
        raise Invalid(_("Give the protection announcement number."), "announcement_no")


def ensure_unique_code(code: str, exclude_id: int | None = None) -> None:
    query = db.select(Enterprise.id).where(Enterprise.credit_code == code)
    if exclude_id:
        query = query.where(Enterprise.id != exclude_id)
    if db.session.scalar(query):
        raise Invalid(_("An enterprise with this credit code is already registered."),
                      "credit_code")  # fmt: skip


def register_enterprise(data: dict, owner: User | None, actor: User) -> Enterprise:
    """Create an enterprise (by its producer, or recorded by an official); commits."""
    if owner is not None and owner.enterprise is not None:
        raise NotPermitted(_("This account already has an enterprise."))
    if not actor.is_official and owner is not actor:
        raise NotPermitted(_("Only officials can record an enterprise for someone else."))
    data = check_details(data, actor)
    ensure_unique_code(data["credit_code"])
    enterprise = Enterprise(owner=owner, created_by_id=actor.id,
                            **{f: data.get(f) or _empty(f) for f in FIELDS})  # fmt: skip
    db.session.add(enterprise)
    db.session.flush()
    record("enterprise.register", "enterprise", enterprise.id, actor,
           after=snapshot(enterprise, *FIELDS), grounds=enterprise.credit_code_exception)  # fmt: skip
    db.session.commit()
    return enterprise


def update_enterprise(enterprise: Enterprise, data: dict, actor: User) -> None:
    """Change an enterprise's details (its owner or an official); commits."""
    if not actor.is_official and enterprise.owner_id != actor.id:
        raise NotPermitted(_("You can only change your own enterprise."))
    if not actor.is_official:
        data["credit_code_exception"] = enterprise.credit_code_exception
    data = check_details(data, actor)
    ensure_unique_code(data["credit_code"], exclude_id=enterprise.id)
    before = snapshot(enterprise, *FIELDS)
    for field in FIELDS:
        setattr(enterprise, field, data.get(field) or _empty(field))
    after = snapshot(enterprise, *FIELDS)
    changed = {k for k in FIELDS if before[k] != after[k]}
    if changed:
        record("enterprise.update", "enterprise", enterprise.id, actor,
               before={k: before[k] for k in changed}, after={k: after[k] for k in changed})  # fmt: skip
        from ..certificates.services import reissue_stale_for

        reissue_stale_for(enterprise, actor)  # a certificate never states outdated facts
    db.session.commit()


def _empty(field: str):
    return None if field in {"trademark_valid_until", "licence_start", "licence_end"} else ""


def find_owner(email: str) -> User | None:
    """A producer account without an enterprise, for an official recording one."""
    from ..accounts.services import find_user

    user = find_user(email) if email else None
    if email and user is None:
        raise Invalid(_("No account with this email."), "owner_email")
    if user is not None and user.enterprise is not None:
        raise Invalid(_("This account already has an enterprise."), "owner_email")
    return user
