"""Producer records, the Atom feed, the page about Boshan Glass, and product photos."""

import io
from datetime import timedelta
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from gi_registry.authorization import services as flow
from gi_registry.clock import local_today
from gi_registry.demo import run_step
from gi_registry.exceptions import Invalid, InvalidTransition, NotPermitted
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role
from gi_registry.models.registry import PhotoState, ProductPhoto
from gi_registry.reference import TOWN_NAMES_EN, TOWNS
from gi_registry.registry import announcements, photos

from . import helpers

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def officials(app):
    return helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)


@pytest.fixture
def history(officials):
    """A producer returned once, approved, announced, suspended, reinstated, then revoked."""
    reviewer, approver = officials
    producer = helpers.make_producer(name="历程琉璃坊", legal_representative="赵六",
                                     phone="0533-1234567")  # fmt: skip
    application = helpers.make_application(producer, "resubmitted", reviewer, approver)
    run_step(application, "pass_review", producer, reviewer, approver)
    run_step(application, "approve", producer, reviewer, approver)
    authorization = application.authorization
    notice = announcements.publish_announcement("approval", [authorization.id], approver)
    flow.change_authorization(authorization, "suspend", approver, "抽检不合格，限期整改。",
                              local_today() + timedelta(days=30))  # fmt: skip
    flow.change_authorization(authorization, "reinstate", approver, "整改完成，复查合格。")
    flow.change_authorization(authorization, "revoke", approver, "再次抽检不合格。")
    return producer, authorization, notice, (reviewer, approver)


def test_producer_record_shows_the_public_timeline(client, history):
    producer, authorization, notice, _ = history
    page = client.get(f"/registry/{producer.enterprise.credit_code}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    order = ["Applied", "Approved", notice.number, "Suspended", "Reinstated", "Revoked"]
    positions = [html.index(word, html.index("History")) for word in order]
    assert positions == sorted(positions)
    for grounds in ("抽检不合格，限期整改。", "整改完成，复查合格。", "再次抽检不合格。"):
        assert grounds in html
    assert authorization.number in html and "status-revoked" in html


def test_producer_record_hides_internal_notes_and_personal_data(client, history):
    producer, _, _, (reviewer, approver) = history
    html = client.get(f"/registry/{producer.enterprise.id}").get_data(as_text=True)
    assert "请补充产地核验报告" not in html  # the reviewer's note on the return
    assert "材料齐全" not in html  # the review note
    assert "已按要求补充材料" not in html  # the producer's resubmission note
    for private in ("赵六", "0533-1234567", reviewer.email, approver.email, producer.email):
        assert private not in html


def test_producer_record_by_id_or_code_and_only_if_authorized(client, officials):
    producer = helpers.make_producer()
    code = producer.enterprise.credit_code
    assert client.get(f"/registry/{code}").status_code == 404  # no authorization yet
    helpers.make_application(producer, "approved", *officials)
    assert client.get(f"/registry/{code}").status_code == 200
    assert client.get(f"/registry/{code.lower()}").status_code == 200
    assert client.get(f"/registry/{producer.enterprise.id}").status_code == 200
    for bad in ("nothing", "9" * 30, "-1", "%27"):
        assert client.get(f"/registry/{bad}").status_code == 404


def test_feed_is_valid_atom_with_announcements_and_standards(client, history):
    _, _, notice, (_, approver) = history
    cancellation = announcements.publish_announcement(
        "cancellation", [history[1].id], approver)  # fmt: skip
    response = client.get("/registry/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "https://gi.example.test/registry/feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0].startswith(cancellation.number)  # newest first
    assert any(t.startswith(notice.number) for t in titles)
    terms = {e.find(f"{ATOM}category").get("term") for e in entries}
    assert terms == {"announcement", "standard"}  # the loaded working specification is listed
    assert any("BSLL-WS" in t for t in titles)


def test_feed_without_anything_published_is_still_valid(client, app):
    feed = ET.fromstring(client.get("/registry/feed.atom").data)
    assert feed.find(f"{ATOM}updated").text
    assert feed.findall(f"{ATOM}entry") == [] or all(
        e.find(f"{ATOM}category").get("term") == "standard" for e in feed.findall(f"{ATOM}entry")
    )


def test_about_page_draws_the_ten_divisions_and_says_the_map_is_schematic(client, officials):
    producer = helpers.make_producer(town="池上镇")
    helpers.make_application(producer, "approved", *officials)
    html = client.get("/about-boshan-glass?lang=en").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    ET.fromstring(svg)  # well-formed
    assert svg.count("<rect") == 10
    for town in TOWNS:
        assert TOWN_NAMES_EN[town].split()[0] in svg
        assert f"/registry/?town={quote(town)}" in html
    assert "not survey-accurate" in html
    assert "1 legal user" in svg
    assert "<img" not in svg and "tile" not in html.lower()
    chinese = client.get("/about-boshan-glass").get_data(as_text=True)
    assert "池上" in chinese and "琉璃雕刻" in chinese


def test_about_page_explains_how_to_tell_a_genuine_product(client, app):
    html = client.get("/about-boshan-glass?lang=en").get_data(as_text=True)
    for needed in ("credit code", "QR code", "serial", "https://gi.example.test", "GB 4806.5-2016"):
        assert needed in html
    assert 'href="/"' in html  # the home page's check box


# ---- Product photos -----------------------------------------------------------------------------


def jpeg_with_location() -> FileStorage:
    image = Image.new("RGB", (80, 60), (200, 160, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (36.0, 29.0, 0.0)}  # GPS position
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    return FileStorage(buffer, filename="item.jpg", content_type="image/jpeg")


@pytest.fixture
def authorized(officials):
    producer = helpers.make_producer(name="照片琉璃坊")
    helpers.make_application(producer, "approved", *officials)
    return producer


def test_a_photo_is_public_only_after_an_official_approves_it(client, login, authorized,
                                                              officials):  # fmt: skip
    reviewer, _ = officials
    login(authorized)
    response = client.post("/registry/photos/mine", data={
        "category": "carving", "caption": "鸡油黄雕刻瓶", "photo": jpeg_with_location()})  # fmt: skip
    assert response.status_code == 302
    photo = db.session.scalar(db.select(ProductPhoto))
    assert photo.state == PhotoState.PENDING
    assert client.get(f"/registry/photos/{photo.id}").status_code == 200  # its owner sees it
    client.post("/account/logout")
    assert client.get(f"/registry/photos/{photo.id}").status_code == 404
    assert "鸡油黄雕刻瓶" not in client.get("/about-boshan-glass").get_data(as_text=True)

    login(reviewer)
    assert client.post(f"/registry/photos/{photo.id}/approve").status_code == 302
    client.post("/account/logout")
    image = client.get(f"/registry/photos/{photo.id}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    about = client.get("/about-boshan-glass").get_data(as_text=True)
    assert "鸡油黄雕刻瓶" in about and f"/registry/photos/{photo.id}" in about
    record = client.get(f"/registry/{authorized.enterprise.id}").get_data(as_text=True)
    assert f"/registry/photos/{photo.id}" in record
    assert db.session.scalar(db.select(AuditEntry.action).where(
        AuditEntry.action == "product_photo.approve")) == "product_photo.approve"  # fmt: skip


def test_location_and_camera_data_are_removed(client, authorized):
    photo = photos.submit_photo(authorized.enterprise, authorized, "carving", "",
                                jpeg_with_location())  # fmt: skip
    with Image.open(helpers_path(photo)) as stored:
        assert not stored.getexif()
        assert stored.size == (80, 60)


def helpers_path(photo):
    from gi_registry.uploads import upload_dir

    return upload_dir() / photo.stored_name


def test_only_images_in_the_authorized_scope_are_accepted(authorized):
    enterprise = authorized.enterprise
    with pytest.raises(Invalid) as pdf:
        photos.submit_photo(enterprise, authorized, "carving", "", helpers.pdf_upload())
    assert pdf.value.field == "photo"
    with pytest.raises(Invalid) as scope:
        photos.submit_photo(enterprise, authorized, "bead", "", helpers.png_upload())
    assert scope.value.field == "category"
    broken = FileStorage(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100), filename="x.png")
    with pytest.raises(Invalid):
        photos.submit_photo(enterprise, authorized, "carving", "", broken)
    other = helpers.make_producer()
    with pytest.raises(NotPermitted):
        photos.submit_photo(enterprise, other, "carving", "", helpers.png_upload())
    assert db.session.scalar(db.select(db.func.count(ProductPhoto.id))) == 0


def test_a_producer_without_a_valid_authorization_cannot_submit(client, login, app):
    producer = helpers.make_producer()
    login(producer)
    html = client.get("/registry/photos/mine?lang=en").get_data(as_text=True)
    assert "valid authorization" in html and 'type="file"' not in html
    response = client.post("/registry/photos/mine", data={"category": "carving",
                                                          "photo": helpers.png_upload()})  # fmt: skip
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(ProductPhoto.id))) == 0


def test_rejecting_needs_grounds_and_takes_a_photo_down(authorized, officials):
    reviewer, _ = officials
    photo = photos.submit_photo(
        authorized.enterprise, authorized, "carving", "", helpers.png_upload()
    )
    with pytest.raises(NotPermitted):
        photos.decide_photo(photo, authorized, "approve")
    photos.decide_photo(photo, reviewer, "approve")
    with pytest.raises(InvalidTransition):
        photos.decide_photo(photo, reviewer, "approve")
    with pytest.raises(Invalid):
        photos.decide_photo(photo, reviewer, "reject", "")
    photos.decide_photo(photo, reviewer, "reject", "照片显示的不是本企业产品。")
    assert photo.state == PhotoState.REJECTED
    actions = db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.object_type == "product_photo").order_by(AuditEntry.id)).all()  # fmt: skip
    assert actions == ["product_photo.submit", "product_photo.approve", "product_photo.reject"]


def test_photos_of_a_revoked_producer_are_not_offered_for_new_uploads(authorized, officials):
    _, approver = officials
    authorization = authorized.enterprise.authorizations[0]
    flow.change_authorization(authorization, "revoke", approver, "测试注销。")
    assert photos.photo_categories(authorized.enterprise) == []


def test_the_helping_station_shows_only_with_the_producers_consent(client, authorized):
    from gi_registry.stations import services as stations

    from .test_stations_helpers import make_entry, make_station

    admin = helpers.make_user(Role.ADMIN)
    station = make_station(admin)
    make_entry(station, admin, registered_codes=authorized.enterprise.credit_code)
    url = f"/registry/{authorized.enterprise.id}"
    assert station.name not in client.get(url).get_data(as_text=True)
    stations.give_consent(authorized.enterprise, authorized, station.id)
    html = client.get(url).get_data(as_text=True)
    assert station.name in html and f"/stations/{station.id}" in html


def test_the_directory_offers_to_clear_only_a_search(client):
    clear = ">Clear</a>"
    assert clear not in client.get("/registry/?lang=en&page=3").get_data(as_text=True)
    assert clear in client.get("/registry/?lang=en&q=琉璃").get_data(as_text=True)
    assert clear in client.get("/registry/?lang=en&town=山头街道").get_data(as_text=True)
