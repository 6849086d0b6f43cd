"""The open-data API as a reuser meets it: stable fields, pagination, filters, JSON errors."""

from datetime import date

import pytest
from sqlalchemy import event

from gi_registry.authorization.services import change_authorization
from gi_registry.certificates.services import certificate_for, reissue_certificate
from gi_registry.extensions import db
from gi_registry.models import Role
from gi_registry.registry.announcements import publish_announcement
from gi_registry.stations.services import create_station

from . import helpers

# The published contract: renaming or dropping any of these breaks reusers' code.
FIELDS = {
    "producers": ["id", "name", "credit_code", "address", "town", "route", "trademark_name",
                  "trademark_registration_number", "announcement_number", "authorization_number",
                  "authorization_status", "categories"],
    "authorizations": ["number", "producer_id", "producer_name", "credit_code", "gi_name", "route",
                       "scope", "valid_from", "valid_until", "status", "status_grounds",
                       "rectification_deadline", "standard_code", "standard_version",
                       "granted_at"],
    "certificates": ["number", "status", "authorization_number", "producer_id", "holder_name",
                     "credit_code", "valid_from", "valid_until", "issued_on", "superseded_by"],
    "standards": ["key", "code", "version", "status", "title_zh", "title_en", "issued",
                  "effective_from", "superseded_on", "content_hash", "categories"],
    "stations": ["id", "name", "host_organisation", "host_type", "address", "town",
                 "service_scope", "established_on", "status"],
    "announcements": ["id", "number", "year", "sequence", "kind", "title", "note",
                      "issuing_office", "corrects_id", "published_at", "published_on", "entries"],
}  # fmt: skip
ENTRY_FIELDS = ["position", "producer_id", "enterprise_name", "credit_code", "address", "products",
                "scope", "event_date", "reason"]  # fmt: skip


@pytest.fixture
def officials(app):
    return {role: helpers.make_user(role) for role in (Role.REVIEWER, Role.APPROVER, Role.ADMIN)}


def authorize(officials, **details):
    producer = helpers.make_producer(**details)
    application = helpers.make_application(
        producer, "approved", officials[Role.REVIEWER], officials[Role.APPROVER]
    )
    return producer, application.authorization


@pytest.fixture
def world(app, officials):
    """Two legal users (one suspended), one registered enterprise never authorized, a station and
    an approval announcement."""
    _a, first = authorize(officials, name="甲琉璃坊", town="山头街道")
    _b, second = authorize(officials, name="乙琉璃坊", town="城西街道")
    change_authorization(second, "suspend", officials[Role.APPROVER], "标志使用不规范",
                         date(2099, 1, 1))  # fmt: skip
    helpers.make_producer(name="未获授权企业")
    create_station(officials[Role.ADMIN], dict(
        name="山头琉璃指导站", host_organisation="山头街道便民服务中心", host_type="service_centre",
        address="山头街道 1 号", town="山头街道", contact_person="王五", contact_phone="0533-1234567",
        established_on=date(2024, 3, 1),
    ))  # fmt: skip
    publish_announcement("approval", [first.id], officials[Role.APPROVER])
    old = certificate_for(first)
    new = reissue_certificate(old, officials[Role.APPROVER], "持有人名称变更")
    return {"first": first, "second": second, "old": old.number, "new": new.number}


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.data[:400]
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


@pytest.mark.parametrize("name", FIELDS)
def test_field_names_are_stable(client, world, name):
    page = get_json(client, f"/api/v1/{name}")
    assert page["data"], f"no {name} to look at"
    for item in page["data"]:
        assert list(item) == FIELDS[name]
    assert list(page) == ["data", "meta", "links"]
    assert list(page["meta"]) == ["page", "per_page", "total", "pages"]


def test_item_lookups_give_the_same_fields(client, world):
    producer_id = get_json(client, "/api/v1/producers")["data"][0]["id"]
    assert list(get_json(client, f"/api/v1/producers/{producer_id}")["data"]) == FIELDS["producers"]
    number = world["first"].number
    assert get_json(client, f"/api/v1/authorizations/{number}")["data"]["number"] == number
    key = get_json(client, "/api/v1/standards")["data"][0]["key"]
    assert get_json(client, f"/api/v1/standards/{key}")["data"]["key"] == key
    announcement = get_json(client, "/api/v1/announcements")["data"][0]
    assert list(announcement["entries"][0]) == ENTRY_FIELDS
    assert get_json(client, f"/api/v1/announcements/{announcement['id']}")["data"] == announcement


def test_only_public_facts_of_legal_users_are_published(client, world):
    page = get_json(client, "/api/v1/producers")
    names = {p["name"] for p in page["data"]}
    assert names == {"甲琉璃坊", "乙琉璃坊"}  # never authorized: not a legal user, not listed
    body = client.get("/api/v1/producers").get_data(as_text=True)
    for private in ("李四", "0533-4100000", "@example.cn"):  # representative, phone, login
        assert private not in body
    stations = client.get("/api/v1/stations").get_data(as_text=True)
    assert "王五" not in stations and "0533-1234567" not in stations


def test_dates_are_iso_and_status_follows_suspension(client, world):
    data = get_json(client, f"/api/v1/authorizations/{world['second'].number}")["data"]
    assert data["status"] == "suspended"
    assert data["rectification_deadline"] == "2099-01-01"
    assert date.fromisoformat(data["valid_from"]) <= date.fromisoformat(data["valid_until"])
    assert data["granted_at"].endswith("Z")
    suspended = get_json(client, "/api/v1/authorizations?status=suspended")["data"]
    assert [a["number"] for a in suspended] == [world["second"].number]


def test_certificates_give_status_only(client, world):
    old = get_json(client, f"/api/v1/certificates/{world['old']}")["data"]
    assert old["status"] == "superseded" and old["superseded_by"] == world["new"]
    assert get_json(client, f"/api/v1/certificates/{world['new']}")["data"]["status"] == "active"
    second = get_json(client, f"/api/v1/certificates?authorization_number={world['second'].number}")
    assert [c["status"] for c in second["data"]] == ["suspended"]
    body = client.get("/api/v1/certificates").get_data(as_text=True)
    for secret in (certificate_for(world["first"]).code, "/v/", "GI1~"):  # what the QR carries
        assert secret not in body


def test_filters(client, world):
    assert [p["name"] for p in get_json(client, "/api/v1/producers?town=城西街道")["data"]] == [
        "乙琉璃坊"
    ]
    assert [p["name"] for p in get_json(client, "/api/v1/producers?q=甲")["data"]] == ["甲琉璃坊"]
    assert get_json(client, "/api/v1/producers?q=%25")["meta"]["total"] == 0  # no wildcard
    code = world["first"].enterprise.credit_code
    found = get_json(client, f"/api/v1/producers?credit_code={code}")["data"]
    assert [p["credit_code"] for p in found] == [code]
    assert get_json(client, "/api/v1/stations?host_type=university")["meta"]["total"] == 0
    assert get_json(client, "/api/v1/announcements?kind=approval")["meta"]["total"] == 1


def test_pagination(client, app, officials):
    from tests.test_api_scale import add_producers

    add_producers(45)
    page = get_json(client, "/api/v1/producers?per_page=20&page=2")
    assert page["meta"] == {"page": 2, "per_page": 20, "total": 45, "pages": 3}
    assert len(page["data"]) == 20
    assert page["links"]["next"] == "/api/v1/producers?per_page=20&page=3"
    assert page["links"]["prev"] == "/api/v1/producers?per_page=20&page=1"
    last = get_json(client, page["links"]["next"])
    assert len(last["data"]) == 5 and last["links"]["next"] is None
    beyond = get_json(client, "/api/v1/producers?page=9")
    assert beyond["data"] == [] and beyond["meta"]["total"] == 45
    ids = [p["id"] for n in (1, 2, 3) for p in
           get_json(client, f"/api/v1/producers?page={n}")["data"]]  # fmt: skip
    assert len(ids) == len(set(ids)) == 45  # a stable order: no row twice, none missed


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/producers?per_page=0", "per_page"),
        ("/api/v1/producers?per_page=101", "per_page"),
        ("/api/v1/producers?page=abc", "page"),
        ("/api/v1/producers?page=-1", "page"),
        ("/api/v1/producers?page=", "page"),
        ("/api/v1/producers?town=Paris", "town"),
        ("/api/v1/producers?perpage=10", "perpage"),
        ("/api/v1/producers?page=1&page=2", "page"),
        ("/api/v1/producers?credit_code=123", "credit_code"),
        ("/api/v1/producers/abc", "producer_id"),
        ("/api/v1/authorizations?status=valid", "status"),
        ("/api/v1/authorizations/bsll%20x", "number"),
        ("/api/v1/standards/nonsense", "key"),
        ("/api/v1/announcements?year=1999", "year"),
        ("/api/v1/stations?lang=fr", "lang"),
    ],
)
def test_bad_parameters_give_400_json_naming_the_parameter(client, url, parameter):
    error = get_json(client, url + ("&" if "?" in url else "?") + "lang=en", 400)["error"]
    assert error["status"] == 400
    assert error["parameter"] == parameter
    assert f"“{parameter}”" in error["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/producers/{n}",
        "/api/v1/stations/{n}",
        "/api/v1/announcements/{n}",
        "/api/v1/authorizations?producer_id={n}",
        "/api/v1/certificates?producer_id={n}",
    ],
)
def test_ids_stay_within_the_32_bit_id_columns(client, url):
    # The largest id the columns hold is an ordinary answer; one more is refused before the
    # database sees it (PostgreSQL answered it with a 500).
    def lookup(n, status):
        return get_json(client, url.format(n=n) + ("&" if "?" in url else "?") + "lang=en", status)

    if "?" in url:
        assert lookup(2_147_483_647, 200)["data"] == []
    else:
        assert lookup(2_147_483_647, 404)["error"]["code"] == "not_found"
    error = lookup(2_147_483_648, 400)["error"]
    assert error["message"].endswith("must be at most 2147483647.")


def test_error_messages_are_chinese_by_default_and_english_on_request(client):
    zh = get_json(client, "/api/v1/producers?per_page=500", 400)["error"]["message"]
    en = get_json(client, "/api/v1/producers?per_page=500&lang=en", 400)["error"]["message"]
    assert en == "Parameter “per_page” must be at most 100."
    assert "per_page" in zh and "100" in zh and zh != en


def test_unknown_things_are_404_json_never_html(client, world):
    for url in ("/api/v1/producers/999999", "/api/v1/authorizations/BSLL-1999-0001",
                "/api/v1/standards/BSLL-WS-1999.1", "/api/v1/stations/999",
                "/api/v1/announcements/999", "/api/v1/nothing-here", "/api/v2/producers"):  # fmt: skip
        assert get_json(client, url, 404)["error"]["code"] == "not_found"


def test_the_api_is_read_only(client, world):
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)("/api/v1/producers")
        assert response.status_code == 405 and response.mimetype == "application/json"
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_a_failure_inside_is_a_json_error(client, app, monkeypatch):
    from gi_registry.api import views

    def broken(resource):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "list_items", broken)
    response = client.get("/api/v1/producers")
    assert response.status_code == 500 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "server_error"
    assert "boom" not in response.get_data(as_text=True)


def test_index_and_openapi_document_state_the_terms(client, app):
    index = get_json(client, "/api/v1/")
    assert index["licence"]["url"] == "https://gi.example.test/open-data"
    assert "淄博市博山区市场监督管理局" in index["licence"]["attribution"]
    assert [c["name"] for c in index["collections"]] == list(FIELDS)
    document = get_json(client, "/api/v1/openapi.json")
    assert document["openapi"] == "3.1.0"
    assert document["info"]["license"]["url"] == index["licence"]["url"]
    for name, fields in FIELDS.items():
        schema_name = document["paths"][f"/{name}"]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"]["$ref"].rsplit("/", 1)[1].removesuffix("Page")  # fmt: skip
        assert list(document["components"]["schemas"][schema_name]["properties"]) == fields
    assert client.get("/api/v1").status_code == 308


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_open_data_page_states_free_reuse_with_attribution(client, lang):
    page = client.get(f"/open-data?lang={lang}").get_data(as_text=True)
    assert "/api/v1/openapi.json" in page
    expected = {"zh": ("免费", "署名", "本登记系统自己的条款"),
                "en": ("for free reuse with attribution", "registry's own terms")}[lang]  # fmt: skip
    for words in expected:
        assert words in page


def test_list_queries_stay_bounded(client, app, world):
    from tests.test_api_scale import add_producers

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        counts = {}
        for size in (0, 60):
            add_producers(size)
            for name in FIELDS:
                statements.clear()
                get_json(client, f"/api/v1/{name}?per_page=100")
                counts.setdefault(name, []).append(len(statements))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    for name, (small, large) in counts.items():
        assert small == large <= 4, (name, counts)
