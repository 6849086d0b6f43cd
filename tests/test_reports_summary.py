"""The district's yearly summary: the figures agree with the filed reports, the audit log and the
stations' ledgers, on the page, in the CSV and in the XLSX."""

import csv
import io
from datetime import date, timedelta

from flask_babel import force_locale
from openpyxl import load_workbook

from gi_registry import categories
from gi_registry.authorization.services import change_authorization
from gi_registry.clock import local_today
from gi_registry.extensions import db
from gi_registry.models import Authorization, Role
from gi_registry.reports import services
from gi_registry.reports.services import UNITS
from gi_registry.reports.summary import yearly_summary

from . import helpers
from .test_reports_filing import CATEGORIES, LAST_YEAR, answers, legal_user
from .test_stations_helpers import make_entry, make_station


def values(summary) -> dict:
    return {row.indicator: row.value for row in summary.rows}


def summary_in_english(year: int):
    with force_locale("en"):
        return yearly_summary(year)


def district(app):
    """Three legal users last year: two filed (one without using the mark), one did not."""
    producers = [legal_user(name=n) for n in ("甲琉璃坊", "乙琉璃坊", "丙琉璃坊")]
    services.file_report(producers[0].enterprise, producers[0], LAST_YEAR, answers(
        output_value_yuan=1_250_000, labels_used=3000,
        lines=[dict(category="carving", product="摆件", quantity=120, unit="piece"),
               dict(category="bead", product="料珠手串", quantity=40, unit="string")],
    ), CATEGORIES)  # fmt: skip
    services.file_report(producers[1].enterprise, producers[1], LAST_YEAR, answers(
        output_value_yuan=750_000, labels_used=500,
        lines=[dict(category="carving", product="挂屏", quantity=30, unit="piece")],
    ), CATEGORIES)  # fmt: skip
    admin, operator = helpers.make_user(Role.ADMIN), helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(admin, operators=[operator])
    make_entry(station, operator, entry_date=date(LAST_YEAR, 4, 1), kind="training",
               people_count=25)  # fmt: skip
    make_entry(station, operator, entry_date=date(LAST_YEAR, 5, 1), kind="training",
               people_count=15)  # fmt: skip
    make_entry(station, operator, entry_date=date(LAST_YEAR + 1, 1, 5), kind="training")
    return producers


def test_summary_agrees_with_the_reports_and_the_ledgers(app):
    district(app)
    figures = values(summary_in_english(LAST_YEAR))
    assert figures["Legal users of the mark during the year"] == 3
    assert figures["Yearly use reports filed"] == 2
    assert figures["Yearly use reports missing"] == 1
    assert figures["Special-mark labels used (as reported)"] == 3500
    assert figures["Output value under the mark (as reported)"] == 200.0  # 10,000 yuan
    assert figures["Trainings and seminars held"] == 2  # the entry of this year is not counted
    assert figures["Participants in trainings"] == 40
    summary = summary_in_english(LAST_YEAR)
    products = {(r.indicator, r.unit): r.value for r in summary.section("products")}
    with force_locale("en"):
        assert products[(categories.label("carving"), str(UNITS["piece"]))] == 150
        assert products[(categories.label("bead"), str(UNITS["string"]))] == 40
    assert figures["Product testing"] is None  # not recorded: shown as unavailable, never 0


def test_enforcement_actions_come_from_the_audit_log(app):
    producer = legal_user()
    authorization = db.session.scalar(db.select(Authorization).where(
        Authorization.enterprise_id == producer.enterprise.id))  # fmt: skip
    approver = helpers.make_user(Role.APPROVER)
    change_authorization(authorization, "suspend", approver, "标志使用不规范",
                         local_today() + timedelta(days=30))  # fmt: skip
    change_authorization(authorization, "reinstate", approver, "已整改")
    change_authorization(authorization, "revoke", approver, "停止生产")
    summary = summary_in_english(local_today().year)
    figures = values(summary)
    assert figures["Authorizations suspended"] == 1
    assert figures["Authorizations reinstated after rectification"] == 1
    assert figures["Authorizations revoked"] == 1
    assert [a["grounds"] for a in summary.actions] == ["标志使用不规范", "已整改", "停止生产"]
    assert values(summary_in_english(LAST_YEAR))["Authorizations suspended"] == 0


def test_csv_and_xlsx_downloads(client, login, app):
    district(app)
    login(helpers.make_user(Role.REVIEWER))
    page = client.get(f"/reports/summary?year={LAST_YEAR}&lang=en").get_data(as_text=True)
    assert "Legal users of the mark during the year" in page and "— not available" in page

    response = client.get(f"/reports/summary-{LAST_YEAR}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == [
        "部分",
        "指标",
        "数值",
        "单位",
        "说明",
    ]  # the provincial report is in Chinese
    by_indicator = {row[1]: row[2] for row in rows[1:]}
    assert by_indicator["年度使用情况报告已报送"] == "2"
    assert by_indicator["参加培训人数"] == "40"

    response = client.get(f"/reports/summary-{LAST_YEAR}.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["汇总", "使用情况报告明细", "执法"]
    filed = [row for row in book["使用情况报告明细"].iter_rows(min_row=2, values_only=True)]
    assert sorted((r[0], r[3]) for r in filed) == [("乙琉璃坊", 750_000), ("甲琉璃坊", 1_250_000)]


def test_a_name_that_looks_like_a_formula_stays_text(client, login, app):
    producer = legal_user(name='=HYPERLINK("http://x")琉璃')
    services.file_report(producer.enterprise, producer, LAST_YEAR, answers(), CATEGORIES)
    login(helpers.make_user(Role.REVIEWER))
    response = client.get(f"/reports/summary-{LAST_YEAR}.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["使用情况报告明细"]
    assert sheet["A2"].value.startswith("'=")


def test_only_officials_see_the_summary(client, login, app):
    login(helpers.make_producer())
    assert client.get("/reports/summary").status_code == 403
    assert client.get(f"/reports/summary-{LAST_YEAR}.csv").status_code == 403
