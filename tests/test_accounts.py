"""Accounts: registration, sign-in with lockout, passwords, admin user management, CLI."""

import re

from gi_registry.accounts.services import find_user
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role

from . import helpers


def test_producer_registers_then_is_sent_to_register_the_enterprise(client):
    response = client.post("/account/register", data={
        "email": "New@Glass.cn", "name": "王五", "password": "long-enough-pw",
        "confirm": "long-enough-pw"})  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/enterprise/register")
    user = find_user("new@glass.cn")
    assert user.roles == {Role.PRODUCER}
    assert user.password_hash.startswith("pbkdf2:") and "long-enough-pw" not in user.password_hash


def test_registration_errors_are_next_to_the_field_and_input_is_kept(client):
    response = client.post("/account/register", data={
        "email": "kept@glass.cn", "name": "王五", "password": "short", "confirm": "short"})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="kept@glass.cn"' in page
    assert 'id="password-error"' in page


def test_duplicate_email_is_refused(client):
    user = helpers.make_user(Role.PRODUCER)
    response = client.post("/account/register", data={
        "email": user.email, "name": "x", "password": "long-enough-pw",
        "confirm": "long-enough-pw"})  # fmt: skip
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_slow_hash_by_default(app):
    from gi_registry.config import DefaultConfig

    assert DefaultConfig.PASSWORD_HASH_METHOD == "scrypt"


def test_lockout_after_repeated_failures(app, client):
    user = helpers.make_user(Role.PRODUCER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = client.post("/account/login", data={"email": user.email, "password": "wrong"})
        assert response.status_code == 200
    # Even the right password is refused while locked, with a message saying so.
    response = client.post("/account/login", data={"email": user.email,
                                                   "password": helpers.PASSWORD})  # fmt: skip
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.locked_until is not None
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "user.lock" in actions


def test_admin_unlocks_and_user_signs_in(app, client, login):
    user = helpers.make_user(Role.PRODUCER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/account/login", data={"email": user.email, "password": "wrong"})
    admin = helpers.make_user(Role.ADMIN)
    login(admin)
    assert client.post(f"/account/users/{user.id}/unlock").status_code == 302
    login(user)


def test_sign_in_sign_out(client, login):
    user = login(helpers.make_user(Role.REVIEWER))
    assert client.get("/review").status_code == 200
    client.post("/account/logout")
    assert client.get("/review").status_code == 302
    assert user.last_login_at is not None


def test_open_redirect_is_refused(client):
    user = helpers.make_user(Role.REVIEWER)
    response = client.post("/account/login?next=//evil.example/x",
                           data={"email": user.email, "password": helpers.PASSWORD})  # fmt: skip
    assert response.headers["Location"] == "/"


def test_password_change_needs_the_current_password(client, login):
    user = login(helpers.make_user(Role.PRODUCER))
    response = client.post("/account/password", data={
        "current_password": "nope", "password": "another-long-pw", "confirm": "another-long-pw"})  # fmt: skip
    assert 'id="current_password-error"' in response.get_data(as_text=True)
    response = client.post("/account/password", data={
        "current_password": helpers.PASSWORD, "password": "another-long-pw",
        "confirm": "another-long-pw"})  # fmt: skip
    assert response.status_code == 302
    assert user.check_password("another-long-pw")


def test_admin_creates_official_with_several_roles_and_edits_roles(client, login):
    login(helpers.make_user(Role.ADMIN))
    response = client.post("/account/users/new", data={
        "email": "officer@boshan.gov.cn", "name": "赵六", "password": "long-enough-pw",
        "roles": ["reviewer", "approver"]})  # fmt: skip
    assert response.status_code == 302
    officer = find_user("officer@boshan.gov.cn")
    assert officer.roles == {Role.REVIEWER, Role.APPROVER}
    client.post(f"/account/users/{officer.id}", data={"name": "赵六", "roles": ["reviewer"]})
    db.session.refresh(officer)
    assert officer.roles == {Role.REVIEWER}
    assert not officer.is_enabled  # the unchecked box disables sign-in
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.update"))
    entry = entries.one()
    assert entry.before["roles"] == ["approver", "reviewer"] and entry.after["roles"] == [
        "reviewer"
    ]


def test_admin_cannot_remove_own_admin_role(client, login):
    admin = login(helpers.make_user(Role.ADMIN))
    response = client.post(f"/account/users/{admin.id}", data={"roles": ["reviewer"],
                                                               "enabled": "y"})  # fmt: skip
    assert response.status_code == 200
    assert Role.ADMIN in admin.roles


def test_saving_a_user_with_no_role_ticked_keeps_the_roles_and_says_why(client, login):
    login(helpers.make_user(Role.ADMIN))
    officer = helpers.make_user(Role.REVIEWER, Role.APPROVER)
    page = client.get(f"/account/users/{officer.id}").get_data(as_text=True)
    assert '<legend>角色 <span class="req" aria-hidden="true">*</span></legend>' in page
    assert not re.search(r'<input[^>]* required[^>]* type="checkbox"', page)  # the group, not each
    for data in ({}, {"name": "改过的名字", "enabled": "y"}):  # an empty POST, then one typed in
        response = client.post(f"/account/users/{officer.id}", data=data)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        error = re.search(r'<div class="error" id="roles-error" role="alert"><p>(.*?)</p>', page)
        assert error and error[1].endswith(" 请至少选择一个角色。")
        assert '<fieldset aria-invalid="true" aria-describedby="roles-error">' in page
        db.session.refresh(officer)
        assert officer.roles == {Role.REVIEWER, Role.APPROVER} and officer.is_enabled
    assert re.search(r'<input[^>]* name="name" type="text" value="改过的名字">', page)  # kept
    assert re.search(r'<input[^>]* checked id="enabled"', page)
    updates = db.select(AuditEntry).where(AuditEntry.action == "user.update")
    assert db.session.scalars(updates).all() == []


def test_disabled_user_cannot_sign_in(client, login):
    user = helpers.make_user(Role.PRODUCER)
    user.is_enabled = False
    db.session.commit()
    response = client.post("/account/login", data={"email": user.email,
                                                   "password": helpers.PASSWORD})  # fmt: skip
    assert response.status_code == 200


def test_cli_create_user_with_repeated_roles(runner):
    result = runner.invoke(args=["gi", "create-user", "--email", "cli@boshan.gov.cn",
                                 "--password", "long-enough-pw", "--role", "reviewer",
                                 "--role", "admin"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert find_user("cli@boshan.gov.cn").roles == {Role.REVIEWER, Role.ADMIN}
    again = runner.invoke(args=["gi", "create-user", "--email", "cli@boshan.gov.cn",
                                "--password", "long-enough-pw", "--role", "reviewer"])  # fmt: skip
    assert again.exit_code != 0 and "Error" in again.output
