"""Consumers report suspected fakes without an account; officials handle them in a queue."""

import io

import pytest
from PIL import Image

from gi_registry.certificates.services import certificate_for
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role
from gi_registry.models.certificates import FakeReport

from . import helpers


@pytest.fixture
def certificate(app):
    producer = helpers.make_producer()
    return certificate_for(helpers.make_application(producer, "approved").authorization)


@pytest.fixture
def reviewer(app):
    return helpers.make_user(Role.REVIEWER)


def photo(kind: str = "PNG") -> tuple[io.BytesIO, str]:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, kind)
    buffer.seek(0)
    return buffer, "item." + kind.lower()


def report(client, **overrides):
    data = {"code": "", "where_bought": "博山某市场 3 号摊位", "bought_on": "",
            "what_seen": "标签模糊，扫码显示未查到", "contact": ""}  # fmt: skip
    data.update(overrides)
    return client.post("/report?lang=en", data=data, content_type="multipart/form-data")


def test_a_consumer_reports_with_a_photo(client, certificate):
    response = client.get(f"/report?code={certificate.code}&lang=en")
    assert response.status_code == 200 and certificate.code in response.get_data(as_text=True)
    response = report(client, code=certificate.code, photo=photo(), contact="13800000000")
    assert response.status_code == 302
    (item,) = db.session.scalars(db.select(FakeReport)).all()
    assert (item.kind, item.target_id, item.state) == ("certificate", certificate.id, "new")
    assert item.photo_content_type == "image/png" and item.contact == "13800000000"
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "fake_report.create")
    )
    assert entry is not None and "13800000000" not in str(entry.after)


def test_a_report_needs_what_and_where_and_keeps_the_input(client):
    response = report(client, what_seen="", where_bought="某网店")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "This field is required." in body and "某网店" in body
    assert db.session.scalar(db.select(db.func.count()).select_from(FakeReport)) == 0


def test_only_images_as_photos(client):
    pdf = (io.BytesIO(helpers.MINIMAL_PDF), "photo.png")  # a PDF under an image's name
    response = report(client, photo=pdf)
    assert response.status_code == 200
    assert "JPEG or PNG" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(FakeReport)) == 0


def test_a_code_not_in_the_registry_is_kept_as_typed(client):
    report(client, code="FAKE-123")
    item = db.session.scalars(db.select(FakeReport)).one()
    assert (item.code, item.kind, item.target_id) == ("FAKE-123", "", None)


def test_officials_handle_the_queue_with_scans(client, login, certificate, reviewer):
    client.get(certificate.url.partition("gi.example.test")[2])  # one scan of the code
    report(client, code=certificate.code, photo=photo("JPEG"))
    item = db.session.scalars(db.select(FakeReport)).one()
    login(reviewer)
    body = client.get("/certificates/reports?lang=en").get_data(as_text=True)
    assert f"#{item.id}" in body and certificate.code in body
    body = client.get(f"/certificates/reports/{item.id}?lang=en").get_data(as_text=True)
    assert "1 scan(s) from 1 different scanner(s)" in body
    photo_response = client.get(f"/certificates/reports/{item.id}/photo")
    assert photo_response.status_code == 200 and photo_response.mimetype == "image/jpeg"
    client.post(f"/certificates/reports/{item.id}/investigate", data={"notes": "已联系商家"})
    response = client.post(f"/certificates/reports/{item.id}/close", data={"notes": ""})
    db.session.expire_all()
    assert db.session.get(FakeReport, item.id).state == "investigating"  # closing needs notes
    client.post(f"/certificates/reports/{item.id}/close", data={"notes": "确认为仿冒，已移送执法"})
    db.session.expire_all()
    item = db.session.get(FakeReport, item.id)
    assert item.state == "closed" and "已移送执法" in item.official_notes
    actions = db.session.scalars(
        db.select(AuditEntry.action)
        .where(AuditEntry.object_type == "fake_report")
        .order_by(AuditEntry.id)  # in the order written: without it PostgreSQL may answer any order
    ).all()
    assert actions == ["fake_report.create", "fake_report.investigate", "fake_report.close"]
    assert response.status_code == 302


def test_producers_cannot_see_reports(client, login, certificate):
    report(client, code=certificate.code)
    item = db.session.scalars(db.select(FakeReport)).one()
    login(helpers.make_producer())
    assert client.get(f"/certificates/reports/{item.id}").status_code == 403
