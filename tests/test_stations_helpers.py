"""Data makers for the stations tests and the permission matrix (no tests here)."""

from datetime import date
from io import BytesIO

from PIL import Image
from werkzeug.datastructures import FileStorage

from gi_registry.models import Role
from gi_registry.stations import articles, ledger
from gi_registry.stations import services as stations

from . import helpers

ESTABLISHED = date(2023, 3, 1)


def station_details(**overrides) -> dict:
    details = dict(
        name=helpers.unique("山头街道商标品牌指导站"), host_organisation="博山琉璃行业协会",
        host_type="industry_association", address="山头街道琉璃大街 10 号", town="山头街道",
        service_scope="商标注册、续展指导；地理标志专用标志申请；维权援助",
        contact_person="王五", contact_phone="0533-4200000", established_on=ESTABLISHED,
        status="active",
    )  # fmt: skip
    details.update(overrides)
    return details


def make_station(admin=None, operators=(), **overrides):
    """A station recorded by an admin, with the given operator accounts assigned."""
    admin = admin or helpers.make_user(Role.ADMIN)
    station = stations.create_station(admin, station_details(**overrides))
    for operator in operators:
        stations.assign_operator(station, admin, operator.email)
    return station


def entry_data(**overrides) -> dict:
    data = dict(entry_date=date(2025, 5, 6), kind="consultation", people_count=2,
                summary="指导企业准备地理标志专用标志使用申请材料。", registered_codes="",
                other_enterprises="")  # fmt: skip
    data.update(overrides)
    return data


def make_entry(station, actor, publish=True, **overrides):
    return ledger.add_entry(station, actor, entry_data(**overrides), publish=publish)


def make_article(station, actor, publish=True, **overrides):
    data = dict(title="如何申请地理标志专用标志", body="## 步骤\n\n1. 准备材料", language="zh")
    data.update(overrides)
    article = articles.create_article(station, actor, data)
    if publish:
        articles.set_article_published(article, actor, True)
    return article


def png_upload(name: str = "photo.png") -> FileStorage:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    return FileStorage(buffer, filename=name, content_type="image/png")


def stations_world(users: dict) -> dict:
    """For the permission matrix: the operator's own station, and a second station not theirs
    with a public entry (photo and sign-in sheet), a draft entry, and articles of both kinds."""
    admin, operator = users["admin"], users["station_operator"]
    own = make_station(admin, operators=[operator])
    other_operator = helpers.make_user(Role.STATION_OPERATOR)
    other = make_station(admin, operators=[other_operator])
    own_entry = make_entry(own, operator)
    public_entry = make_entry(other, other_operator)
    draft_entry = make_entry(other, other_operator, publish=False)
    photo = ledger.add_entry_attachment(public_entry, other_operator, "photo", png_upload())
    sheet = ledger.add_entry_attachment(public_entry, other_operator, "sign_in_sheet",
                                          helpers.pdf_upload("sign-in.pdf"))  # fmt: skip
    return dict(
        station_own=own.id, station_other=other.id, entry_own=own_entry.id,
        entry_other=public_entry.id, draft_entry_other=draft_entry.id,
        photo_other=photo.id, sheet_other=sheet.id,
        article_other=make_article(other, other_operator).id,
        draft_article_other=make_article(other, other_operator, publish=False).id,
        operator_other=other_operator.id,
    )  # fmt: skip
