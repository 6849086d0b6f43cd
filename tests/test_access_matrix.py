"""The generated permission matrix: every route × every role, with object-level access."""

from dataclasses import dataclass

import pytest

from gi_registry.extensions import db
from gi_registry.models import Role

from . import helpers
from .access_rules import LOGIN, ROLES, RULES
from .test_stations_helpers import stations_world


@dataclass
class World:
    """Objects owned by producer A that nobody else but officials may see."""

    users: dict
    enterprise_a: int
    app_a: int
    draft_a: int
    attachment_a: int
    authorization_a: int
    user_b: int
    announcement: int = 0  # an approval announcement listing producer A
    photo_a: int = 0  # a pending product photo of producer A
    batch_a: int = 0  # a ready label batch of producer A
    stations: dict | None = None  # guidance-station ids (tests/test_stations_helpers.py)
    authorization_number_a: str = ""  # the public identifier of producer A's authorization
    certificates: dict | None = None  # producer A's certificate, its code and key, a fake report


def build_world() -> World:
    reviewer = helpers.make_user(Role.REVIEWER)
    approver = helpers.make_user(Role.APPROVER)
    users = {
        "producer_a": helpers.make_producer(),
        "producer_b": helpers.make_producer(),
        "reviewer": reviewer,
        "approver": approver,
        "station_operator": helpers.make_user(Role.STATION_OPERATOR),
        "admin": helpers.make_user(Role.ADMIN),
    }
    a = users["producer_a"]
    approved = helpers.make_application(a, "approved", reviewer, approver)
    draft = helpers.make_application(a, "draft")
    world = World(
        users=users,
        enterprise_a=a.enterprise.id,
        app_a=approved.id,
        draft_a=draft.id,
        attachment_a=draft.attachments[0].id,
        authorization_a=approved.authorization.id,
        user_b=users["producer_b"].id,
    )
    world.announcement, world.photo_a = helpers.registry_objects(a, approver)
    world.batch_a = helpers.label_batch(a).id
    world.stations = stations_world(users)
    world.authorization_number_a = approved.authorization.number
    world.certificates = certificates_world(approved.authorization, world.batch_a)
    return world


def certificates_world(authorization, batch_id: int) -> dict:
    """Producer A's certificate (issued on approval), a label of its batch, a report with a photo."""
    from gi_registry.certificates.reports import create_report
    from gi_registry.certificates.services import certificate_for
    from gi_registry.models.labels import Label

    certificate = certificate_for(authorization)
    serial = db.session.scalar(db.select(Label.serial).where(Label.batch_id == batch_id).limit(1))
    report = create_report({"code": certificate.code, "where_bought": "市场", "what_seen": "可疑"},
                           helpers.png_upload())  # fmt: skip
    return {"id": certificate.id, "code": certificate.code, "number": certificate.number,
            "kid": certificate.kid, "serial": serial, "report": report.id}  # fmt: skip


def test_every_route_has_a_rule(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints - set(RULES) == set(), "add these routes to tests/access_rules.py"
    assert set(RULES) - endpoints == set(), "these rules name routes that no longer exist"


REFUSED = (LOGIN, 403, 404, 409)


@pytest.fixture
def world(app):
    return build_world()


@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_route_for_every_role(app, client, login, world, endpoint):
    """One world per route, every role tried on it: refusals first (they must change nothing),
    then the roles that may use it (which may change the world, so they come last)."""
    rule = RULES[endpoint]
    url = rule.url.format(**vars(world))
    order = sorted(ROLES, key=lambda role: rule.expect[role] not in REFUSED)
    wrong, acted = [], False
    for role in order:
        expected = rule.expect[role]
        client.post("/account/logout")
        if role != "anonymous":
            login(world.users[role])
        before = count_rows()
        response = client.open(url, method=rule.method)
        got, location = response.status_code, response.headers.get("Location", "")
        response.close()  # a streamed body (the serials CSV) ends before the next request
        if expected == LOGIN:
            ok = got == 302 and "/account/login" in location
        else:
            # An earlier allowed role may already have acted (e.g. approved the photo).
            ok = got == expected or (acted and got == 409 and expected not in REFUSED)
        acted = acted or (rule.method == "POST" and expected not in REFUSED)
        if not ok:
            wrong.append(f"{role}: expected {expected}, got {got}")
        elif expected in REFUSED and count_rows() != before:
            wrong.append(f"{role}: the refused request changed the database")
    assert wrong == [], f"{rule.method} {url}"


def count_rows() -> dict:
    """Row counts of every table except the audit log of sign-ins, to detect any change."""
    return {t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar()
            for t in db.metadata.sorted_tables}  # fmt: skip
