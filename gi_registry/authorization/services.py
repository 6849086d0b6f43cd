"""Application and authorization services: each owns one state change, audits it, commits once."""

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from .. import uploads
from ..audit.services import record, snapshot
from ..clock import local_today
from ..exceptions import Invalid, InvalidTransition, NotPermitted
from ..extensions import db
from ..models import (
    Application,
    Attachment,
    AuditEntry,
    Authorization,
    AuthorizationStatus,
    Enterprise,
    Route,
    User,
)
from ..models.base import utcnow
from ..reference import TOWNS, required_materials
from ..sequences import next_value
from ..standards import conformance
from ..templating import state_label
from .workflow import TRANSITIONS, allowed_actions, owns

EDITABLE_FIELDS = ("categories", "production_address", "production_town", "description")


def check_application_data(data: dict, allowed_categories: set[str]) -> dict:
    """The producer's answers, checked; raises Invalid naming the field."""
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    categories = sorted(set(data.get("categories") or []))
    if not categories:
        raise Invalid(_("Choose at least one product category."), "categories")
    if unknown := set(categories) - allowed_categories:
        raise Invalid(_("Unknown product category: %(c)s", c=", ".join(sorted(unknown))),
                      "categories")  # fmt: skip
    if data.get("production_town") not in TOWNS:
        raise Invalid(_("The production address must be inside the production area (one of the "
                        "divisions of Boshan District)."), "production_town")  # fmt: skip
    if not data.get("production_address"):
        raise Invalid(_("Give the production address."), "production_address")
    data["categories"] = categories
    return data


def create_application(
    enterprise: Enterprise, actor: User, data: dict, allowed_categories: set[str]
) -> Application:
    """A producer starts a draft application for its own enterprise; commits."""
    if enterprise.owner_id != actor.id:
        raise NotPermitted(_("You can only apply for your own enterprise."))
    data = check_application_data(data, allowed_categories)
    application = Application(
        enterprise=enterprise, route=enterprise.route, created_by_id=actor.id,
        **{f: data.get(f, "") for f in EDITABLE_FIELDS}, **conformance.effective_fields(),
    )  # fmt: skip
    db.session.add(application)
    db.session.flush()
    record("application.create", "application", application.id, actor,
           after=snapshot(application, "state", "route", *EDITABLE_FIELDS, "standard_code",
                          "standard_version"))  # fmt: skip
    db.session.commit()
    return application


def update_application(
    application: Application, actor: User, data: dict, allowed_categories: set[str]
) -> None:
    """The producer corrects a draft or a returned application; commits."""
    ensure_editable(application, actor)
    data = check_application_data(data, allowed_categories)
    before = snapshot(application, *EDITABLE_FIELDS)
    for field in EDITABLE_FIELDS:
        setattr(application, field, data.get(field, ""))
    after = snapshot(application, *EDITABLE_FIELDS)
    changed = [f for f in EDITABLE_FIELDS if before[f] != after[f]]
    if changed:
        record("application.update", "application", application.id, actor,
               before={f: before[f] for f in changed}, after={f: after[f] for f in changed})  # fmt: skip
    db.session.commit()


def ensure_editable(application: Application, actor: User) -> None:
    if not owns(actor, application):
        raise NotPermitted(_("Only the applicant can change this application."))
    if not application.is_editable:
        raise InvalidTransition(_("The application can only be changed as a draft or after it "
                                  "was returned for correction."))  # fmt: skip


def add_attachment(
    application: Application, actor: User, kind: str, file: FileStorage
) -> Attachment:
    """Store a checked upload and attach it to an editable application; commits."""
    ensure_editable(application, actor)
    with uploads.stored(file) as stored:
        attachment = Attachment(
            application=application, kind=kind, uploaded_by_id=actor.id,
            original_name=stored.original_name, stored_name=stored.stored_name,
            content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
        )  # fmt: skip
        db.session.add(attachment)
        db.session.flush()
        record("application.attach", "application", application.id, actor,
               after={"attachment": attachment.id, "kind": kind, "name": attachment.original_name,
                      "sha256": stored.sha256})  # fmt: skip
    return attachment


def remove_attachment(attachment: Attachment, actor: User) -> None:
    """Remove an attachment from an editable application; the audit keeps its hash; commits."""
    application = attachment.application
    ensure_editable(application, actor)
    record("application.detach", "application", application.id, actor,
           before={"attachment": attachment.id, "kind": attachment.kind,
                   "name": attachment.original_name, "sha256": attachment.sha256})  # fmt: skip
    stored_name = attachment.stored_name
    db.session.delete(attachment)
    db.session.commit()
    uploads.discard(stored_name)


def missing_materials(application: Application) -> list[str]:
    """The required material kinds not yet attached."""
    present = {a.kind for a in application.attachments}
    return [m.kind for m in required_materials(application.route) if m.kind not in present]


def transition(application: Application, action: str, actor: User, grounds: str = "",
               after: dict | None = None) -> None:  # fmt: skip
    """Check and apply one step of the state machine and audit it (the caller commits)."""
    rule = check_transition(application, action, actor)
    grounds = (grounds or "").strip()
    if rule.grounds_required and not grounds:
        raise Invalid(_("Give the grounds in writing."), "grounds")
    before = application.state
    application.state = rule.target
    now = utcnow()
    if action in ("submit", "resubmit"):
        application.submitted_at = now
    if action in ("approve", "reject"):
        application.decided_at = now
    record(f"application.{action}", "application", application.id, actor,
           before={"state": before}, after={"state": rule.target.value, **(after or {})},
           grounds=grounds)  # fmt: skip


def check_transition(application: Application, action: str, actor: User):
    """The rule for `action`, if `actor` may take it now; raises NotPermitted/InvalidTransition."""
    rule = TRANSITIONS[action]
    if not actor.has_role(rule.role) or (rule.owner_only and not owns(actor, application)):
        raise NotPermitted(_("You may not do this."))
    if application.state not in rule.sources:
        raise InvalidTransition(_("This cannot be done while the application is %(state)s.",
                                  state=state_label(application.state)))  # fmt: skip
    return rule


def submit_application(application: Application, actor: User) -> None:
    """Send a complete draft to the district office; commits."""
    ensure_complete(application)
    transition(application, "submit", actor)
    db.session.commit()


def resubmit_application(application: Application, actor: User, note: str = "") -> None:
    """Send a corrected application back to review; commits."""
    ensure_complete(application)
    transition(application, "resubmit", actor, note)
    db.session.commit()


def ensure_complete(application: Application) -> None:
    if missing := missing_materials(application):
        from ..reference import material_label

        names = "、".join(material_label(k) for k in missing)
        raise Invalid(_("Attach the required materials first: %(names)s", names=names))
    conformance.ensure_answered(application)


def withdraw_application(application: Application, actor: User, reason: str = "") -> None:
    """The producer withdraws before a decision; commits."""
    transition(application, "withdraw", actor, reason)
    db.session.commit()


def return_application(application: Application, actor: User, grounds: str) -> None:
    """A reviewer returns the application for correction, with grounds; commits."""
    transition(application, "return", actor, grounds)
    db.session.commit()


def pass_review(application: Application, actor: User, note: str = "") -> None:
    """A reviewer records that the district review has passed; commits."""
    if "pass_review" in allowed_actions(application, actor):  # who and when first, then clauses
        conformance.ensure_all_passed(application)
    transition(application, "pass_review", actor, note)
    db.session.commit()


def reject_application(application: Application, actor: User, grounds: str) -> None:
    """An approver rejects the application, with grounds; commits."""
    check_transition(application, "reject", actor)
    ensure_second_pair_of_eyes(application, actor)
    transition(application, "reject", actor, grounds)
    db.session.commit()


def ensure_second_pair_of_eyes(application: Application, actor: User) -> None:
    """The official who passed the review may not also decide (separation of duties)."""
    reviewer_id = db.session.scalar(
        db.select(AuditEntry.actor_id)
        .where(AuditEntry.object_type == "application",
               AuditEntry.object_id == str(application.id),
               AuditEntry.action == "application.pass_review")
        .order_by(AuditEntry.id.desc()).limit(1)
    )  # fmt: skip
    if reviewer_id == actor.id:
        raise NotPermitted(_("The official who passed the review cannot also decide on it."))


def default_validity(application: Application, start: date) -> date:
    """Validity: the configured number of years, never beyond the licence or trademark."""
    years = current_app.config.get("AUTHORIZATION_VALID_YEARS", 3)
    until = start.replace(year=start.year + years) - (date(2001, 1, 2) - date(2001, 1, 1))
    enterprise = application.enterprise
    for limit in (enterprise.licence_end, enterprise.trademark_valid_until):
        if application.route == Route.CERTIFICATION_LICENSEE and limit:
            until = min(until, limit)
    return until


def approve_application(
    application: Application, actor: User, valid_from: date | None = None,
    valid_until: date | None = None, note: str = "",
) -> Authorization:  # fmt: skip
    """An approver approves: the application becomes an authorization with its number; commits."""
    check_transition(application, "approve", actor)
    ensure_second_pair_of_eyes(application, actor)
    valid_from = valid_from or local_today()
    limit = default_validity(application, valid_from)
    valid_until = valid_until or limit
    if valid_until <= valid_from:
        raise Invalid(_("The authorization must end after it starts."), "valid_until")
    if application.route == Route.CERTIFICATION_LICENSEE and valid_until > limit:
        raise Invalid(_("The authorization cannot outlast the licence contract or the trademark "
                        "(until %(d)s).", d=limit.isoformat()), "valid_until")  # fmt: skip
    year = valid_from.year
    number = f"BSLL-{year}-{next_value(f'authorization-{year}'):04d}"
    # The application's versioned UPDATE is flushed first: of two approvers acting at the same
    # moment, the second stops here with StaleDataError (a 409) before creating anything.
    transition(application, "approve", actor, note, after={"authorization": number})
    authorization = Authorization(
        number=number, enterprise_id=application.enterprise_id, application=application,
        route=application.route, scope=list(application.categories), valid_from=valid_from,
        valid_until=valid_until, approved_by_id=actor.id,
        standard_code=application.standard_code, standard_version=application.standard_version,
        standard_hash=conformance.standard_hash(application),
    )  # fmt: skip
    db.session.add(authorization)
    db.session.flush()
    record("authorization.grant", "authorization", authorization.id, actor,
           after=snapshot(authorization, "number", "route", "scope", "valid_from", "valid_until",
                          "status", "standard_code", "standard_version", "standard_hash"))  # fmt: skip
    from ..certificates.services import issue_certificate

    issue_certificate(authorization, actor, commit=False)  # same transaction: all or nothing
    db.session.commit()
    return authorization


AUTHORIZATION_MOVES = {
    # action: (allowed current statuses, new status)
    "suspend": ({AuthorizationStatus.ACTIVE}, AuthorizationStatus.SUSPENDED),
    "reinstate": ({AuthorizationStatus.SUSPENDED}, AuthorizationStatus.ACTIVE),
    "revoke": ({AuthorizationStatus.ACTIVE, AuthorizationStatus.SUSPENDED},
               AuthorizationStatus.REVOKED),
}  # fmt: skip


def change_authorization(authorization: Authorization, action: str, actor: User, grounds: str,
                         deadline: date | None = None) -> None:  # fmt: skip
    """Suspend (with a rectification deadline), reinstate or revoke, always with grounds; commits."""
    from ..models import Role

    if not actor.has_role(Role.APPROVER):
        raise NotPermitted(_("Only approvers can change an authorization's status."))
    sources, target = AUTHORIZATION_MOVES[action]
    if authorization.status not in sources:
        raise InvalidTransition(_("This cannot be done while the authorization is %(s)s.",
                                  s=state_label(authorization.status)))  # fmt: skip
    if not (grounds or "").strip():
        raise Invalid(_("Give the grounds in writing."), "grounds")
    if action == "suspend" and (deadline is None or deadline <= local_today()):
        raise Invalid(_("Set a rectification deadline in the future."), "deadline")
    before = snapshot(authorization, "status", "rectification_deadline")
    authorization.status = target
    authorization.rectification_deadline = deadline if action == "suspend" else None
    authorization.status_grounds = grounds.strip()
    record(f"authorization.{action}", "authorization", authorization.id, actor, before=before,
           after=snapshot(authorization, "status", "rectification_deadline"),
           grounds=grounds.strip())  # fmt: skip
    db.session.commit()


def timeline(application: Application) -> list[AuditEntry]:
    """Every recorded step of the application and of the authorization it led to."""
    from ..audit.services import entries_for

    objects = [("application", application.id)]
    if application.authorization is not None:
        objects.append(("authorization", application.authorization.id))
    return entries_for(*objects)
