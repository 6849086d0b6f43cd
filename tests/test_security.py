"""CSRF on every form, security headers, the secret-key guard, error pages without traces."""

import pytest

from gi_registry import create_app
from gi_registry.models import Role

from . import helpers
from .access_rules import RULES


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    from .conftest import RequestScopedClient

    app.test_client_class = RequestScopedClient
    return app.test_client()


POST_RULES = sorted(e for e, r in RULES.items() if r.method == "POST")


@pytest.mark.parametrize("endpoint", POST_RULES)
def test_every_state_changing_route_refuses_a_missing_csrf_token(app, csrf_client, endpoint):
    from .test_access_matrix import build_world

    world = build_world()
    user = world.users["admin" if "user" in endpoint else "producer_a"]
    if "change_authorization" in endpoint:
        user = world.users["approver"]
    with csrf_client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    response = csrf_client.post(RULES[endpoint].url.format(**vars(world)), data={"grounds": "x"})
    assert response.status_code == 400


def test_login_form_without_token_is_refused_and_with_token_works(app, csrf_client):
    user = helpers.make_user(Role.REVIEWER)
    response = csrf_client.post("/account/login", data={"email": user.email,
                                                        "password": helpers.PASSWORD})  # fmt: skip
    assert response.status_code == 400
    page = csrf_client.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = csrf_client.post("/account/login", data={
        "email": user.email, "password": helpers.PASSWORD, "csrf_token": token})  # fmt: skip
    assert response.status_code == 302


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" in response.headers  # PUBLIC_BASE_URL is https in tests


def test_refuses_to_start_in_production_with_the_default_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    config = helpers.test_config("sqlite://", tmp_path)
    config.pop("SECRET_KEY")
    config["TESTING"] = False
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_not_found_page_is_bilingual(client):
    response = client.get("/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "页面不存在" in page and "Not found" in page


def test_unexpected_error_shows_no_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise ZeroDivisionError("secret internals")

    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "服务器错误" in page and "Server error" in page
    assert "Traceback" not in page and "secret internals" not in page


def test_database_outage_answers_503_in_both_languages(tmp_path):
    config = helpers.test_config(f"sqlite:///{tmp_path}/missing-dir/registry.sqlite3", tmp_path)
    app = create_app(config)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().post("/account/login", data={"email": "a@b.cn",
                                                               "password": "whatever"})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "服务暂不可用" in page and "Service unavailable" in page


@pytest.mark.parametrize("path", [
    "/registry/?q=a%00b",  # the directory's search (a 500 on PostgreSQL before)
    "/standards/a%00b/",  # a path parameter looked up in the database
    "/registry/?town=%00",
    "/v/A%00B",
])  # fmt: skip
def test_a_nul_character_is_a_bad_request(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "请求无效" in response.get_data(as_text=True)  # the bilingual error page


def test_a_nul_character_in_a_form_or_the_api_is_a_bad_request(client):
    from .fuzzing import count_rows

    before = count_rows()
    response = client.post("/report", data={"where_bought": "shop\x00", "what_seen": "x"})
    assert response.status_code == 400 and count_rows() == before  # nothing written
    response = client.get("/api/v1/producers?q=%00&lang=en")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == (
        "The request holds a NUL character (U+0000), which no field takes.")  # fmt: skip
