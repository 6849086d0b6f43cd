"""Language switch, the journey through the pages, and what a producer and an official see."""

import io
import re

from gi_registry.extensions import db
from gi_registry.models import Application, Role

from . import helpers


def test_chinese_by_default_and_english_on_request(client):
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)
    response = client.get("/lang/en?next=/account/login")
    assert response.headers["Location"] == "/account/login"
    page = client.get("/account/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    assert '<html lang="zh-CN">' in client.get("/?lang=zh").get_data(as_text=True)


def test_language_switch_does_not_redirect_off_site(client):
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_every_page_states_the_official_address(client, app):
    page = client.get("/").get_data(as_text=True)
    assert app.config["PUBLIC_BASE_URL"] in page


def test_producer_journey_through_the_forms(client, login):
    """Register, record the enterprise, apply, attach, submit — then the official returns it."""
    from gi_registry.standards.services import load_standards_if_missing

    load_standards_if_missing()
    client.post("/account/register", data={"email": "maker@glass.cn", "name": "孙七",
                "password": "long-enough-pw", "confirm": "long-enough-pw"})  # fmt: skip
    details = helpers.enterprise_details()
    details = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in details.items()}
    assert client.post("/enterprise/register", data=details).status_code == 302
    response = client.post("/applications/new", data={
        "categories": ["carving"], "production_town": "山头街道",
        "production_address": "琉璃路 8 号"})  # fmt: skip
    assert response.status_code == 302
    application = db.session.scalar(db.select(Application))
    for kind in ("application_form", "licence_contract", "licence_recording_notice"):
        client.post(f"/applications/{application.id}/attachments", data={
            "kind": kind, "file": (io.BytesIO(helpers.MINIMAL_PDF), f"{kind}.pdf")},
            content_type="multipart/form-data")  # fmt: skip
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert page.count('class="filetype"') == 3
    from gi_registry.authorization import services as flow

    # The clause-by-clause answers have their own tests (test_standards_*); give sample ones here.
    from gi_registry.models import User
    from gi_registry.standards import conformance

    producer = db.session.scalar(db.select(User).where(User.email == "maker@glass.cn"))
    conformance.save_answers(application, producer, conformance.sample_answers(application))
    client.post(f"/applications/{application.id}/submit")
    db.session.refresh(application)
    assert application.state == "submitted", flow.missing_materials(application)

    reviewer = login(helpers.make_user(Role.REVIEWER))
    queue = client.get("/review").get_data(as_text=True)
    assert application.number in queue
    client.post(f"/applications/{application.id}/return", data={"grounds": "请补充原料来源记录"})
    db.session.refresh(application)
    assert application.state == "returned"

    client.post("/account/logout")
    client.post("/account/login", data={"email": "maker@glass.cn", "password": "long-enough-pw"})
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "请补充原料来源记录" in page and reviewer.email in page


def test_review_queue_filters_and_paginates(client, login):
    reviewer = helpers.make_user(Role.REVIEWER)
    for _ in range(23):
        helpers.make_application(helpers.make_producer(), "submitted", reviewer=reviewer)
    helpers.make_application(helpers.make_producer(town="八陡镇"), "submitted", reviewer=reviewer)
    login(reviewer)
    first = client.get("/review").get_data(as_text=True)
    assert len(re.findall(r'href="/applications/\d+"', first)) == 20
    second = client.get("/review?page=2").get_data(as_text=True)
    assert len(re.findall(r'href="/applications/\d+"', second)) == 4
    assert client.get("/review?page=999").status_code == 200
    town = client.get("/review?town=山头街道&state=submitted").get_data(as_text=True)
    assert len(re.findall(r'href="/applications/\d+"', town)) == 20
    bad = client.get("/review?state=nonsense&age=abc")
    assert bad.status_code == 200


def test_the_queue_counts_in_the_singular_and_the_plural(client, login):
    reviewer = helpers.make_user(Role.REVIEWER)
    helpers.make_application(helpers.make_producer(), "submitted", reviewer=reviewer)
    login(reviewer)
    english = client.get("/review?lang=en").get_data(as_text=True)
    assert "1 application<" in english and "<td>0 days</td>" in english
    helpers.make_application(helpers.make_producer(), "submitted", reviewer=reviewer)
    assert "2 applications<" in client.get("/review?lang=en").get_data(as_text=True)
    assert "共 2 件申请" in client.get("/review?lang=zh").get_data(as_text=True)
