"""Operators reach only their own station; anonymous visitors see only what was published."""

from io import BytesIO

import pytest

from gi_registry.extensions import db
from gi_registry.models import Role
from gi_registry.stations import ledger

from . import helpers
from .test_stations_helpers import make_article, make_entry, make_station, png_upload

DRAFT_SUMMARY = "未公开的记录：企业商业秘密相关咨询"
PUBLIC_SUMMARY = "已公开的记录：商标注册流程讲解"


def populate(station, operator) -> dict:
    """A public and a draft entry, a photo and a sign-in sheet, a public and a draft article."""
    public = make_entry(station, operator, summary=PUBLIC_SUMMARY)
    draft = make_entry(station, operator, publish=False, summary=DRAFT_SUMMARY, kind="training")
    photo = ledger.add_entry_attachment(public, operator, "photo", png_upload())
    sheet = ledger.add_entry_attachment(public, operator, "sign_in_sheet", helpers.pdf_upload())
    draft_photo = ledger.add_entry_attachment(draft, operator, "photo", png_upload())
    removed = ledger.add_entry_attachment(public, operator, "photo", png_upload("old.png"))
    ledger.remove_entry_attachment(removed, operator, "重复上传")
    return dict(
        station=station.id, public=public.id, draft=draft.id, photo=photo.id, sheet=sheet.id,
        draft_photo=draft_photo.id, removed=removed.id,
        article=make_article(station, operator, title="公开文章标题").id,
        draft_article=make_article(station, operator, publish=False, title="草稿文章标题").id,
    )  # fmt: skip


@pytest.fixture
def world(app):
    admin = helpers.make_user(Role.ADMIN)
    operator = helpers.make_user(Role.STATION_OPERATOR)
    other_operator = helpers.make_user(Role.STATION_OPERATOR)
    own = make_station(admin, operators=[operator])
    other = make_station(admin, operators=[other_operator])
    return dict(admin=admin, operator=operator, own=populate(own, operator),
                other=populate(other, other_operator))  # fmt: skip


def entry_form(**extra) -> dict:
    form = dict(entry_date="2025-06-01", kind="consultation", people_count="7",
                summary="改过的摘要", registered_codes="", other_enterprises="")  # fmt: skip
    form.update(extra)
    return form


def article_form() -> dict:
    return {"title": "改过的标题", "body": "改过的正文", "language": "zh"}


# (name, url, form data, answer when the station is not theirs): every write route of an operator.
WRITES = [
    ("manage page", "/stations/{station}/manage", None, 403),
    ("new entry", "/stations/{station}/entries/new", entry_form, 403),
    ("correct public entry", "/stations/entries/{public}/correct",
     lambda: entry_form(reason="更正"), 403),
    ("correct draft entry", "/stations/entries/{draft}/correct",
     lambda: entry_form(reason="更正"), 404),
    ("unpublish entry", "/stations/entries/{public}/unpublish", dict, 403),
    ("publish draft entry", "/stations/entries/{draft}/publish", dict, 404),
    ("attach file", "/stations/entries/{public}/files",
     lambda: {"kind": "photo", "file": (BytesIO(png_upload().read()), "p.png")}, 403),
    ("attach file to draft", "/stations/entries/{draft}/files",
     lambda: {"kind": "photo", "file": (BytesIO(png_upload().read()), "p.png")}, 404),
    ("remove photo", "/stations/files/{photo}/remove", lambda: {"reason": "删"}, 403),
    ("remove draft's photo", "/stations/files/{draft_photo}/remove", lambda: {"reason": "删"}, 404),
    ("new article", "/stations/{station}/articles/new", article_form, 403),
    ("edit article", "/stations/articles/{article}/edit", article_form, 403),
    ("edit draft article", "/stations/articles/{draft_article}/edit", article_form, 404),
    ("unpublish article", "/stations/articles/{article}/unpublish", dict, 403),
    ("publish draft article", "/stations/articles/{draft_article}/publish", dict, 404),
]  # fmt: skip


def table_counts() -> dict:
    return {t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar()
            for t in db.metadata.sorted_tables}  # fmt: skip


def row_snapshot() -> list:
    """Every row of the stations' tables, to show that a refused request changed nothing."""
    tables = [t for t in db.metadata.sorted_tables
              if t.name.startswith(("ledger", "guidance", "station"))]  # fmt: skip
    return [sorted(map(tuple, db.session.execute(db.select(t)).all())) for t in tables]


def send(client, url, data):
    if data is None:
        return client.get(url)
    return client.post(url, data=data(), content_type="multipart/form-data")


@pytest.mark.parametrize(("name", "url", "data", "refused"), WRITES, ids=[w[0] for w in WRITES])
def test_operator_cannot_touch_another_station(client, login, world, name, url, data, refused):
    login(world["operator"])
    before_counts, before_rows = table_counts(), row_snapshot()
    response = send(client, url.format(**world["other"]), data)
    assert response.status_code == refused
    db.session.expire_all()
    assert table_counts() == before_counts
    assert row_snapshot() == before_rows


@pytest.mark.parametrize(("name", "url", "data", "refused"), WRITES, ids=[w[0] for w in WRITES])
def test_operator_can_do_it_on_own_station(client, login, world, name, url, data, refused):
    """The same requests on the operator's own station succeed (so the refusals mean something)."""
    login(world["operator"])
    before = row_snapshot()
    response = send(client, url.format(**world["own"]), data)
    assert response.status_code in (200, 302), response.data[:400]
    if data is not None:
        assert response.status_code == 302
        db.session.expire_all()
        assert row_snapshot() != before


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPROVER, Role.PRODUCER])
def test_other_roles_cannot_write(client, login, world, role):
    login(helpers.make_user(role))
    before = row_snapshot()
    for _name, url, data, _refused in WRITES:
        assert send(client, url.format(**world["own"]), data).status_code == 403
    assert row_snapshot() == before


def test_operator_cannot_use_admin_routes_even_on_own_station(client, login, world):
    login(world["operator"])
    own = world["own"]["station"]
    before = row_snapshot()
    assert client.get("/stations/new").status_code == 403
    assert client.post(f"/stations/{own}/edit", data={"name": "x"}).status_code == 403
    colleague = helpers.make_user(Role.STATION_OPERATOR)
    assert client.post(f"/stations/{own}/operators",
                       data={"email": colleague.email}).status_code == 403  # fmt: skip
    assert client.post(f"/stations/{own}/operators/{world['operator'].id}/remove"
                       ).status_code == 403  # fmt: skip
    assert row_snapshot() == before


def test_anonymous_sees_only_published_items(client, world):
    ids = world["other"]
    station_page = client.get(f"/stations/{ids['station']}?year=2025").get_data(as_text=True)
    assert "公开文章标题" in station_page and "草稿文章标题" not in station_page
    # The draft entry is a training: it is not counted for the public.
    assert 'data-indicator="consultations">1<' in station_page
    assert 'data-indicator="trainings">0<' in station_page
    ledger_page = client.get(f"/stations/{ids['station']}/ledger").get_data(as_text=True)
    assert f"/stations/entries/{ids['public']}" in ledger_page
    assert f"/stations/entries/{ids['draft']}" not in ledger_page
    csv_text = client.get(f"/stations/{ids['station']}/ledger.csv").get_data(as_text=True)
    assert PUBLIC_SUMMARY in csv_text and DRAFT_SUMMARY not in csv_text
    assert client.get(f"/stations/entries/{ids['public']}").status_code == 200
    assert client.get(f"/stations/articles/{ids['article']}").status_code == 200
    assert client.get(f"/stations/files/{ids['photo']}").status_code == 200
    for hidden in (f"/stations/entries/{ids['draft']}", f"/stations/articles/{ids['draft_article']}",
                   f"/stations/files/{ids['sheet']}", f"/stations/files/{ids['draft_photo']}",
                   f"/stations/files/{ids['removed']}"):  # fmt: skip
        assert client.get(hidden).status_code == 404, hidden


def test_public_entry_page_hides_sign_in_sheets_and_history(client, world):
    ids = world["other"]
    page = client.get(f"/stations/entries/{ids['public']}").get_data(as_text=True)
    assert f"/stations/files/{ids['photo']}" in page
    assert f"/stations/files/{ids['sheet']}" not in page
    assert f"/stations/files/{ids['removed']}" not in page
    assert "/correct" not in page and "/unpublish" not in page


def test_producer_and_other_operator_see_what_anonymous_sees(client, login, world):
    ids = world["other"]
    for user in (helpers.make_producer(), world["operator"]):
        login(user)
        assert client.get(f"/stations/entries/{ids['draft']}").status_code == 404
        page = client.get(f"/stations/{ids['station']}/ledger").get_data(as_text=True)
        assert DRAFT_SUMMARY not in page


def test_officials_inspect_the_whole_ledger(client, login, world):
    ids = world["other"]
    login(helpers.make_user(Role.REVIEWER))
    csv_text = client.get(f"/stations/{ids['station']}/ledger.csv").get_data(as_text=True)
    assert PUBLIC_SUMMARY in csv_text and DRAFT_SUMMARY in csv_text
    page = client.get(f"/stations/entries/{ids['public']}").get_data(as_text=True)
    assert f"/stations/files/{ids['sheet']}" in page
    assert client.get(f"/stations/files/{ids['sheet']}").status_code == 200
    assert "/correct" not in page  # inspecting is not managing


def test_sign_in_sheet_downloads_and_photo_shows_inline(client, login, world):
    ids = world["own"]
    login(world["operator"])
    sheet = client.get(f"/stations/files/{ids['sheet']}")
    assert sheet.headers["Content-Type"] == "application/pdf"
    assert sheet.headers["Content-Disposition"].startswith("attachment")
    photo = client.get(f"/stations/files/{ids['photo']}")
    assert photo.headers["Content-Type"] == "image/png"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
