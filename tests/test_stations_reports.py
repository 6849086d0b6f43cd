"""The yearly summary, the chart's numbers and the CSV export all agree with the ledger rows."""

import csv
import io
import re
from collections import Counter
from datetime import date

import pytest

from gi_registry.clock import local_today
from gi_registry.models import Role
from gi_registry.stations import ledger
from gi_registry.stations.reports import can_be_rated, yearly_totals

from . import helpers
from .test_stations_helpers import entry_data, make_station

# (date, kind, people, registered enterprises (indexes), other names, published)
LEDGER = [
    (date(2024, 12, 31), "training", 40, [0], [], True),  # the year before: never counted
    (date(2025, 1, 1), "consultation", 2, [0], [], True),
    (date(2025, 1, 15), "consultation", 1, [1], ["个体户甲"], False),
    (date(2025, 3, 8), "training", 35, [0, 1, 2], ["个体户甲", "个体户乙"], True),
    (date(2025, 3, 20), "registration_guidance", 1, [], ["个体户乙"], True),
    (date(2025, 6, 2), "gi_mark_help", 2, [2], [], False),
    (date(2025, 6, 30), "rights_protection", 3, [1], [], True),
    (date(2025, 9, 9), "publicity", 200, [], [], True),
    (date(2025, 12, 31), "training", 12, [], ["个体户丙"], False),
]
SERVICE_KINDS = {"registration_guidance", "gi_mark_help", "rights_protection"}


@pytest.fixture
def filled_station(app):
    admin = helpers.make_user(Role.ADMIN)
    operator = helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(admin, operators=[operator])
    enterprises = [helpers.make_producer().enterprise for _ in range(3)]
    for day, kind, people, registered, others, published in LEDGER:
        codes = "\n".join(enterprises[i].credit_code for i in registered)
        ledger.add_entry(station, operator, entry_data(
            entry_date=day, kind=kind, people_count=people, registered_codes=codes,
            other_enterprises="\n".join(others)), publish=published)  # fmt: skip
    return station, enterprises


def expected(year: int, published_only: bool) -> dict:
    """The indicators worked out from LEDGER by hand, independently of the code under test."""
    rows = [r for r in LEDGER if r[0].year == year and (r[5] or not published_only)]
    count = Counter(r[1] for r in rows)
    people = Counter()
    for r in rows:
        people[r[1]] += r[2]
    served = {("id", i) for r in rows for i in r[3]} | {("name", n) for r in rows for n in r[4]}
    return {
        "consultations": count["consultation"], "trainings": count["training"],
        "publicity": count["publicity"], "services": sum(count[k] for k in SERVICE_KINDS),
        "enterprises": len(served), "entries": len(rows),
        "people": sum(r[2] for r in rows), "by_kind": count, "people_by_kind": people,
        "by_month": Counter(r[0].month for r in rows),
    }  # fmt: skip


def page_indicators(html: str) -> dict:
    return {k: int(v) for k, v in re.findall(r'data-indicator="(\w+)">(\d+)<', html)}


def csv_rows(response) -> list[dict]:
    body = response.data
    assert body.startswith("\ufeff".encode()), "Excel needs the byte-order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("viewer", ["anonymous", "reviewer"])
def test_summary_and_csv_agree_with_the_ledger(client, login, filled_station, viewer):
    station, _enterprises = filled_station
    published_only = viewer == "anonymous"
    if viewer == "reviewer":
        login(helpers.make_user(Role.REVIEWER))
    want = expected(2025, published_only)

    page = client.get(f"/stations/{station.id}?year=2025").get_data(as_text=True)
    assert page_indicators(page) == {
        k: want[k]
        for k in ("consultations", "trainings", "publicity", "services", "enterprises", "entries")
    }

    rows = csv_rows(client.get(f"/stations/{station.id}/ledger.csv?year=2025"))
    assert len(rows) == want["entries"]
    kind_column, people_column = "服务类别", "人数"
    labels = {"consultation": "咨询", "training": "培训或研讨", "publicity": "宣传活动",
              "registration_guidance": "商标注册指导", "gi_mark_help": "地理标志专用标志申请辅导",
              "rights_protection": "维权援助"}  # fmt: skip
    assert Counter(r[kind_column] for r in rows) == Counter(
        {labels[k]: n for k, n in want["by_kind"].items()}
    )
    assert sum(int(r[people_column]) for r in rows) == want["people"]
    assert all(r["日期"].startswith("2025-") for r in rows)
    assert {r["已公开"] for r in rows} == ({"是"} if published_only else {"是", "否"})


def test_month_table_matches_the_ledger(client, login, filled_station):
    station, _enterprises = filled_station
    login(helpers.make_user(Role.APPROVER))
    page = client.get(f"/stations/{station.id}?year=2025&lang=en").get_data(as_text=True)
    table = page[page.index('<table class="by-month">') :]
    table = table[: table.index("</table>")]
    months = re.findall(r'<th scope="row">(\d+)</th>((?:<td>\d+</td>)+)', table)
    want = expected(2025, published_only=False)["by_month"]
    assert [int(re.findall(r"\d+", cells)[-1]) for _m, cells in months] == [
        want[m] for m in range(1, 13)
    ]
    svg = page[page.index('aria-labelledby="months-title') :]
    values = re.findall(r'<text class="value"[^>]*>(\d+)</text>', svg[: svg.index("</svg>")])
    assert [int(v) for v in values] == [want[m] for m in range(1, 13)]
    assert '<title id="months-title">Ledger entries by month, 2025</title>' in page
    assert '<desc id="kinds-desc">One bar per kind of service;' in page
    chinese = client.get(f"/stations/{station.id}?year=2025&lang=zh").get_data(as_text=True)
    assert '<title id="kinds-title">2025 年各服务类别台账记录数</title>' in chinese
    assert '<desc id="months-desc">每月一根柱；' in chinese


def test_whole_ledger_csv_and_other_years(client, login, filled_station):
    station, _enterprises = filled_station
    login(helpers.make_user(Role.ADMIN))
    assert len(csv_rows(client.get(f"/stations/{station.id}/ledger.csv"))) == len(LEDGER)
    page = client.get(f"/stations/{station.id}?year=2024").get_data(as_text=True)
    assert page_indicators(page)["trainings"] == 1 and page_indicators(page)["entries"] == 1


def test_yearly_totals_across_stations(filled_station):
    station, enterprises = filled_station
    admin = helpers.make_user(Role.ADMIN)
    second = make_station(admin)
    ledger.add_entry(second, admin, entry_data(  # the same enterprise, another station
        entry_date=date(2025, 4, 1), kind="training", people_count=10,
        registered_codes=enterprises[0].credit_code, other_enterprises="个体户丁"), publish=True)  # fmt: skip
    make_station(admin, established_on=local_today())  # set up after 2025: not counted for it
    want = expected(2025, published_only=False)
    totals = yearly_totals(2025)
    assert totals["consultations"] == want["consultations"]
    assert totals["trainings"] == want["trainings"] + 1
    assert totals["training_participants"] == want["people_by_kind"]["training"] + 10
    assert totals["services"] == want["services"]
    assert totals["enterprises_helped"] == want["enterprises"] + 1  # 个体户丁 only is new
    assert totals["entries"] == want["entries"] + 1
    assert totals["stations"] == 2 and totals["stations_reporting"] == 2
    by_station = {row["id"]: row for row in totals["by_station"]}
    assert by_station[station.id]["entries"] == want["entries"]
    assert by_station[second.id]["trainings"] == 1
    assert sum(totals["by_month"]) == totals["entries"]
    published = yearly_totals(2025, published_only=True)
    assert published["entries"] == expected(2025, published_only=True)["entries"] + 1


def test_csv_cells_cannot_run_as_formulas(client):
    operator = helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(operators=[operator])
    ledger.add_entry(station, operator, entry_data(
        summary='=HYPERLINK("https://evil.example","点我")', other_enterprises="+cmd|calc"),
        publish=True)  # fmt: skip
    row = csv_rows(client.get(f"/stations/{station.id}/ledger.csv"))[0]
    assert row["服务摘要"].startswith("'=HYPERLINK")
    assert row["其他企业"] == "'+cmd|calc"


def test_a_station_must_run_a_year_before_it_can_be_rated(client, app):
    station = make_station(established_on=date(2025, 6, 1))
    assert not can_be_rated(station, 2025)
    assert can_be_rated(station, 2026)
    leap = make_station(established_on=date(2024, 2, 29))
    assert can_be_rated(leap, 2025)
    page = client.get(f"/stations/{station.id}?year=2025").get_data(as_text=True)
    assert "运行不满一年" in page
