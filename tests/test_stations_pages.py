"""The stations' pages as their users go through them: admin, operator, producer, visitor."""

from io import BytesIO

from gi_registry.extensions import db
from gi_registry.models import Role
from gi_registry.models.stations import GuidanceStation, LedgerEntry

from . import helpers
from .test_stations_helpers import make_entry, make_station, png_upload


def test_admin_records_a_station_and_assigns_its_operator(client, login):
    login(helpers.make_user(Role.ADMIN))
    operator = helpers.make_user(Role.STATION_OPERATOR)
    form = dict(name="石马镇商标品牌指导站", host_organisation="石马镇政务服务中心",
                host_type="service_centre", address="石马镇政府大院", town="石马镇",
                service_scope="", contact_person="孙", contact_phone="0533-4300000",
                established_on="2024-01-02", status="active")  # fmt: skip
    bad = client.post("/stations/new", data={**form, "town": "", "contact_phone": "电话"})
    assert bad.status_code == 200 and "石马镇政务服务中心" in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(GuidanceStation.id))) == 0
    response = client.post("/stations/new", data=form)
    station = db.session.scalars(db.select(GuidanceStation)).one()
    assert response.headers["Location"].endswith(f"/stations/{station.id}/manage")
    client.post(f"/stations/{station.id}/operators", data={"email": operator.email})
    assert station.has_operator(operator)
    public = client.get("/stations/").get_data(as_text=True)
    assert "石马镇商标品牌指导站" in public and "运行中" in public  # status in words


def test_operator_records_corrects_publishes_and_attaches(client, login):
    operator = helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(operators=[operator])
    enterprise = helpers.make_producer().enterprise
    login(operator)
    assert (
        client.get("/stations/mine").headers["Location"].endswith(f"/stations/{station.id}/manage")
    )
    form = dict(entry_date="2025-04-26", kind="publicity", people_count="80",
                registered_codes=enterprise.credit_code, other_enterprises="摊主甲",
                summary="知识产权宣传周现场咨询")  # fmt: skip
    response = client.post(f"/stations/{station.id}/entries/new", data=form)
    entry = db.session.scalars(db.select(LedgerEntry)).one()
    assert response.headers["Location"].endswith(f"/stations/entries/{entry.id}")
    assert not entry.is_published
    assert client.get(f"/stations/entries/{entry.id}").status_code == 200

    no_reason = client.post(f"/stations/entries/{entry.id}/correct",
                            data={**form, "people_count": "85", "reason": ""})  # fmt: skip
    assert "85" in no_reason.get_data(as_text=True)  # what was typed is kept
    client.post(f"/stations/entries/{entry.id}/correct",
                data={**form, "people_count": "85", "reason": "按签到表更正人数"})  # fmt: skip
    page = client.get(f"/stations/entries/{entry.id}").get_data(as_text=True)
    assert "按签到表更正人数" in page and "第 1 版" in page

    client.post(f"/stations/entries/{entry.id}/publish")
    client.post(f"/stations/entries/{entry.id}/files",
                data={"kind": "photo", "file": (BytesIO(png_upload().read()), "现场.png")},
                content_type="multipart/form-data")  # fmt: skip
    fake = client.post(f"/stations/entries/{entry.id}/files",
                       data={"kind": "sign_in_sheet", "file": (BytesIO(b"MZ\x90\x00"), "a.pdf")},
                       content_type="multipart/form-data", follow_redirects=True)  # fmt: skip
    assert "文件未被接受" in fake.get_data(as_text=True)
    client.post("/account/logout")
    public = client.get(f"/stations/entries/{entry.id}").get_data(as_text=True)
    assert "现场.png" in public and "摊主甲" in public and "按签到表更正人数" not in public


def test_operator_writes_and_publishes_an_article(client, login):
    operator = helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(operators=[operator])
    login(operator)
    response = client.post(f"/stations/{station.id}/articles/new",
                           data={"title": "商标续展提醒", "body": "到期前 **12 个月**内可续展",
                                 "language": "zh"})  # fmt: skip
    article_url = response.headers["Location"]
    client.post("/account/logout")
    assert client.get(article_url).status_code == 404  # still a draft
    login(operator)
    client.post(article_url + "/publish")
    client.post("/account/logout")
    page = client.get(article_url).get_data(as_text=True)
    assert "<strong>12 个月</strong>" in page


def test_producer_gives_and_withdraws_consent(client, login):
    operator = helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(operators=[operator])
    producer = helpers.make_producer()
    login(producer)
    assert "没有指导站的台账" in client.get("/stations/consent").get_data(as_text=True)
    make_entry(station, operator, kind="gi_mark_help",
               registered_codes=producer.enterprise.credit_code)  # fmt: skip
    client.post("/stations/consent", data={"station": station.id})
    mine = client.get("/enterprise/").get_data(as_text=True)
    assert f"公开档案显示：{station.name}" in mine
    client.post("/stations/consent/withdraw")
    mine = client.get("/enterprise/").get_data(as_text=True)
    assert "公开档案未显示指导站" in mine


def test_pages_read_in_english(client):
    operator = helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(operators=[operator])
    make_entry(station, operator)
    page = client.get(f"/stations/{station.id}?lang=en&year=2025").get_data(as_text=True)
    assert "Indicators for 2025" in page and "Consultations" in page
    assert "2025 年指标" not in page
