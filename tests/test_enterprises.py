"""Enterprise registration: the credit-code check, the route rules, officials' exceptions."""

from datetime import date

import pytest

from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Enterprise, Role

from . import helpers


def form(**overrides) -> dict:
    data = helpers.enterprise_details(**overrides)
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


def test_producer_registers_its_enterprise(client, login):
    user = login(helpers.make_user(Role.PRODUCER))
    data = form(credit_code=" " + helpers.valid_code(77).lower() + " ")
    response = client.post("/enterprise/register", data=data)
    assert response.status_code == 302
    enterprise = db.session.scalar(db.select(Enterprise))
    assert enterprise.owner_id == user.id
    assert enterprise.credit_code == helpers.valid_code(77)  # normalised
    assert db.session.scalar(db.select(AuditEntry.action).where(
        AuditEntry.object_type == "enterprise")) == "enterprise.register"  # fmt: skip


@pytest.mark.parametrize(("code", "words"), [
    ("91350100M000100Y4Z", "A–Y"),  # the standard's invalid worked example
    ("91370304MA3C0001", "18"),
    ("91370304MA3C0001KX", "check character"),
])  # fmt: skip
def test_bad_credit_code_is_explained_next_to_the_field_and_kept(client, login, code, words):
    login(helpers.make_user(Role.PRODUCER))
    response = client.get("/enterprise/register?lang=en")
    response = client.post("/enterprise/register?lang=en", data=form(credit_code=code))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="credit_code-error"' in page
    assert words in page
    assert f'value="{code}"' in page
    assert db.session.scalar(db.select(db.func.count(Enterprise.id))) == 0


def test_licence_may_not_outlast_the_trademark(client, login):
    login(helpers.make_user(Role.PRODUCER))
    data = form(trademark_valid_until=date(2028, 1, 1), licence_end=date(2029, 1, 1))
    response = client.post("/enterprise/register?lang=en", data=data)
    page = response.get_data(as_text=True)
    assert 'id="licence_end-error"' in page and "outlast" in page
    assert db.session.scalar(db.select(db.func.count(Enterprise.id))) == 0


def test_licensee_route_requires_the_licence_dates(client, login):
    login(helpers.make_user(Role.PRODUCER))
    response = client.post("/enterprise/register", data=form(licence_start=""))
    assert 'id="licence_start-error"' in response.get_data(as_text=True)


def test_town_must_be_a_division_of_boshan(client, login):
    login(helpers.make_user(Role.PRODUCER))
    response = client.post("/enterprise/register", data=form(town="张店区"))
    assert 'id="town-error"' in response.get_data(as_text=True)


def test_protected_product_route_needs_the_announcement(client, login):
    login(helpers.make_user(Role.PRODUCER))
    response = client.post("/enterprise/register", data=form(route="protected_product"))
    assert 'id="announcement_no-error"' in response.get_data(as_text=True)


def test_official_records_failing_code_only_with_a_reason(client, login):
    login(helpers.make_user(Role.REVIEWER))
    bad = helpers.valid_code(5)[:17] + ("0" if helpers.valid_code(5)[17] != "0" else "1")
    response = client.post("/enterprise/new", data=form(credit_code=bad))
    assert 'id="credit_code-error"' in response.get_data(as_text=True)
    reason = "营业执照原件核对无误，早期赋码未通过校验"
    response = client.post("/enterprise/new", data=form(credit_code=bad,
                                                         credit_code_exception=reason))  # fmt: skip
    assert response.status_code == 302
    enterprise = db.session.scalar(db.select(Enterprise))
    assert enterprise.credit_code == bad and enterprise.credit_code_exception == reason
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.object_type == "enterprise"))
    assert entry.grounds == reason


def test_a_producer_cannot_use_the_exception(client, login):
    login(helpers.make_user(Role.PRODUCER))
    bad = helpers.valid_code(6)[:17] + ("0" if helpers.valid_code(6)[17] != "0" else "1")
    client.post("/enterprise/register", data=form(credit_code=bad, credit_code_exception="x"))
    assert db.session.scalar(db.select(db.func.count(Enterprise.id))) == 0


def test_duplicate_credit_code_is_refused(client, login):
    other = helpers.make_producer()
    login(helpers.make_user(Role.PRODUCER))
    response = client.post("/enterprise/register",
                           data=form(credit_code=other.enterprise.credit_code))  # fmt: skip
    assert 'id="credit_code-error"' in response.get_data(as_text=True)


def test_producer_edits_own_enterprise_and_the_change_is_audited(client, login):
    user = login(helpers.make_producer())
    data = form(credit_code=user.enterprise.credit_code, phone="0533-4199999")
    assert client.post("/enterprise/edit", data=data).status_code == 302
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "enterprise.update")).one()  # fmt: skip
    assert entry.after["phone"] == "0533-4199999" and entry.before["phone"] == "0533-4100000"
