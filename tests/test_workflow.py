"""Every allowed and every forbidden application transition, for every role."""

from datetime import date, timedelta

import pytest

from gi_registry.authorization import services as flow
from gi_registry.authorization.workflow import TRANSITIONS
from gi_registry.exceptions import Invalid, InvalidTransition, NotPermitted
from gi_registry.extensions import db
from gi_registry.models import ApplicationState, AuditEntry, Authorization, Role

from . import helpers

ACTORS = ("owner", "other_producer", "reviewer", "approver", "admin", "station_operator")
GROUNDS = "依据产品标准第 3 条，材料不全。"


def run(action, application, actor):
    """Call the service for `action` the way its view does."""
    if action == "approve":
        return flow.approve_application(application, actor)
    calls = {
        "submit": lambda: flow.submit_application(application, actor),
        "resubmit": lambda: flow.resubmit_application(application, actor, ""),
        "withdraw": lambda: flow.withdraw_application(application, actor, ""),
        "return": lambda: flow.return_application(application, actor, GROUNDS),
        "pass_review": lambda: flow.pass_review(application, actor, ""),
        "reject": lambda: flow.reject_application(application, actor, GROUNDS),
    }
    return calls[action]()


def expected_outcome(action: str, state: ApplicationState, actor_name: str) -> str:
    rule = TRANSITIONS[action]
    role_of = {"owner": Role.PRODUCER, "other_producer": Role.PRODUCER, "reviewer": Role.REVIEWER,
               "approver": Role.APPROVER, "admin": Role.ADMIN,
               "station_operator": Role.STATION_OPERATOR}  # fmt: skip
    if role_of[actor_name] != rule.role or (rule.owner_only and actor_name != "owner"):
        return "forbidden"
    if state not in rule.sources:
        return "wrong-state"
    return "allowed"


CASES = [(a, s, who) for a in TRANSITIONS for s in ApplicationState for who in ACTORS]


@pytest.mark.parametrize(("action", "state", "actor_name"), CASES,
                         ids=[f"{a}-{s.value}-{w}" for a, s, w in CASES])  # fmt: skip
def test_transition(app, action, state, actor_name):
    owner = helpers.make_producer()
    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    application = helpers.make_application(owner, state.value, reviewer, approver)
    actors = {
        "owner": owner, "other_producer": helpers.make_producer(),
        "reviewer": helpers.make_user(Role.REVIEWER), "approver": approver,
        "admin": helpers.make_user(Role.ADMIN),
        "station_operator": helpers.make_user(Role.STATION_OPERATOR),
    }  # fmt: skip
    entries_before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    outcome = expected_outcome(action, state, actor_name)
    if outcome == "allowed":
        run(action, application, actors[actor_name])
        assert application.state == TRANSITIONS[action].target
        new = db.session.scalars(
            db.select(AuditEntry).order_by(AuditEntry.id).offset(entries_before)
        )
        assert f"application.{action}" in {
            e.action
            for e in new
            if e.object_type == "application" and e.object_id == str(application.id)
        }
    else:
        error = NotPermitted if outcome == "forbidden" else InvalidTransition
        with pytest.raises(error):
            run(action, application, actors[actor_name])
        db.session.rollback()
        db.session.refresh(application)
        assert application.state == state
        assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == entries_before


@pytest.mark.parametrize("action", ["return", "reject"])
def test_returning_or_rejecting_requires_written_grounds(app, action):
    state = "submitted" if action == "return" else "review_passed"
    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    application = helpers.make_application(helpers.make_producer(), state, reviewer, approver)
    actor = reviewer if action == "return" else approver
    service = flow.return_application if action == "return" else flow.reject_application
    with pytest.raises(Invalid):
        service(application, actor, "   ")
    db.session.rollback()
    assert application.state == state


def test_submit_requires_the_routes_materials(app):
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "draft")
    attachment = next(a for a in application.attachments if a.kind == "licence_recording_notice")
    flow.remove_attachment(attachment, producer)
    with pytest.raises(Invalid, match="备案通知书|recording"):
        flow.submit_application(application, producer)
    db.session.rollback()
    assert application.state == "draft"


def test_reviewer_who_passed_cannot_also_approve(app):
    both = helpers.make_user(Role.REVIEWER, Role.APPROVER)
    application = helpers.make_application(helpers.make_producer(), "submitted", both, both)
    flow.pass_review(application, both)
    with pytest.raises(NotPermitted):
        flow.approve_application(application, both)
    db.session.rollback()
    flow.approve_application(application, helpers.make_user(Role.APPROVER))
    assert application.state == "approved"


def test_approval_numbers_are_sequential_per_year_and_never_reused(app):
    numbers = []
    for _ in range(3):
        application = helpers.make_application(helpers.make_producer(), "approved")
        numbers.append(application.authorization.number)
    year = numbers[0].split("-")[1]
    assert numbers == [f"BSLL-{year}-{n:04d}" for n in (1, 2, 3)]
    # A refused approval (here: after the four-eyes check) consumes no number...
    both = helpers.make_user(Role.REVIEWER, Role.APPROVER)
    refused = helpers.make_application(helpers.make_producer(), "submitted", both, both)
    flow.pass_review(refused, both)
    with pytest.raises(NotPermitted):
        flow.approve_application(refused, both)
    db.session.rollback()
    # ...and the next approval continues the sequence without a gap or a repeat.
    application = helpers.make_application(helpers.make_producer(), "approved")
    assert application.authorization.number == f"BSLL-{year}-0004"
    all_numbers = db.session.scalars(db.select(Authorization.number)).all()
    assert len(all_numbers) == len(set(all_numbers)) == 4


def test_licensee_authorization_cannot_outlast_the_licence(app):
    producer = helpers.make_producer(licence_end=date(2027, 6, 30),
                                     trademark_valid_until=date(2030, 1, 1))  # fmt: skip
    approver = helpers.make_user(Role.APPROVER)
    application = helpers.make_application(producer, "review_passed", approver=approver)
    with pytest.raises(Invalid):
        flow.approve_application(application, approver, date(2026, 1, 1), date(2028, 1, 1))
    db.session.rollback()
    authorization = flow.approve_application(application, approver, date(2026, 1, 1))
    assert authorization.valid_until == date(2027, 6, 30)


@pytest.mark.parametrize(("action", "start", "end", "ok"), [
    ("suspend", "active", "suspended", True), ("revoke", "active", "revoked", True),
    ("reinstate", "active", None, False), ("reinstate", "suspended", "active", True),
    ("revoke", "suspended", "revoked", True), ("suspend", "suspended", None, False),
    ("suspend", "revoked", None, False), ("reinstate", "revoked", None, False),
    ("revoke", "revoked", None, False),
])  # fmt: skip
def test_authorization_status_changes(app, action, start, end, ok):
    approver = helpers.make_user(Role.APPROVER)
    authorization = helpers.make_application(helpers.make_producer(), "approved",
                                             approver=approver).authorization  # fmt: skip
    deadline = date.today() + timedelta(days=30)
    if start != "active":
        move = "suspend" if start == "suspended" else "revoke"
        flow.change_authorization(authorization, move, approver, "整改", deadline)
    if ok:
        flow.change_authorization(authorization, action, approver, "依据巡查结果", deadline)
        assert authorization.status == end
        entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry.action == f"authorization.{action}" and entry.grounds == "依据巡查结果"
    else:
        with pytest.raises(InvalidTransition):
            flow.change_authorization(authorization, action, approver, "依据", deadline)


def test_status_change_needs_grounds_an_approver_and_a_future_deadline(app):
    approver = helpers.make_user(Role.APPROVER)
    authorization = helpers.make_application(helpers.make_producer(), "approved",
                                             approver=approver).authorization  # fmt: skip
    with pytest.raises(Invalid):
        flow.change_authorization(authorization, "revoke", approver, " ")
    with pytest.raises(Invalid):
        flow.change_authorization(authorization, "suspend", approver, "整改", date(2000, 1, 1))
    with pytest.raises(NotPermitted):
        flow.change_authorization(authorization, "revoke", helpers.make_user(Role.REVIEWER), "x")
    assert authorization.status == "active"


def test_expiry_follows_from_the_dates(app):
    authorization = helpers.make_application(helpers.make_producer(), "approved").authorization
    assert authorization.status_on(authorization.valid_until) == "active"
    assert authorization.status_on(authorization.valid_until + timedelta(days=1)) == "expired"
