"""The officials' dashboard: the figures agree with the records, statuses are in words, and the
page runs the same small number of queries whatever the size of the registry."""

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from gi_registry.authorization.services import change_authorization
from gi_registry.clock import local_today
from gi_registry.dashboard import queries
from gi_registry.extensions import db
from gi_registry.models import Application, AuditEntry, Role
from gi_registry.models.certificates import FakeReport, Scan

from . import helpers
from .test_api_scale import add_producers
from .test_stations_helpers import make_entry, make_station


@pytest.fixture
def official(app, login):
    return login(helpers.make_user(Role.REVIEWER))


def add_scans(count: int, days_ago: int = 0, kind: str = "label") -> None:
    if not count:
        return
    at = datetime.now(UTC) - timedelta(days=days_ago)
    db.session.execute(insert(Scan), [
        dict(kind=kind, target_id=i, at=at, scanner=secrets.token_hex(16)) for i in range(count)
    ])  # fmt: skip
    db.session.commit()


def test_figures_agree_with_the_records(client, official):
    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    approved = helpers.make_application(helpers.make_producer(town="八陡镇"), "approved",
                                        reviewer, approver)  # fmt: skip
    helpers.make_application(helpers.make_producer(town="八陡镇"), "approved", reviewer, approver)
    helpers.make_application(helpers.make_producer(), "submitted")
    change_authorization(approved.authorization, "suspend", approver, "标志使用不规范",
                         local_today() + timedelta(days=30))  # fmt: skip
    add_scans(7)
    add_scans(3, kind="certificate")
    db.session.add(FakeReport(code="X", where_bought="集市"))
    db.session.commit()

    by_town = {(t, s): n for t, s, n in queries.authorizations_by_town(local_today())}
    assert by_town == {("八陡镇", "active"): 1, ("八陡镇", "suspended"): 1}
    assert queries.applications_by_state() == {"approved": 2, "submitted": 1}
    today = queries.scans_per_day(local_today())[-1]
    assert (today["label"], today["certificate"]) == (7, 3)
    assert queries.fake_reports_by_state() == {"new": 1}

    page = client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "<svg" in page and "<script" not in page
    assert "⏸ Suspended" in page and "✔ Valid" in page  # status in words and icon, in the chart
    assert ">Badou Town</text>" in page
    assert "10</strong> verification scans in the last 30 days" in page


def test_median_review_time_from_first_submission_to_decision(app):
    enterprise_ids = add_producers(3, states=("draft",))
    start = datetime.now(UTC) - timedelta(days=40)
    for enterprise_id, days in zip(enterprise_ids, (2, 4, 10), strict=True):
        application = db.session.scalar(db.select(Application).where(
            Application.enterprise_id == enterprise_id))  # fmt: skip
        application.state, application.decided_at = "approved", start + timedelta(days=days)
        db.session.execute(insert(AuditEntry), [dict(
            at=start, actor_label="t", object_type="application", object_id=str(application.id),
            action="application.submit", grounds="", prev_hash="0" * 64,
            hash=secrets.token_hex(32))])  # fmt: skip
    db.session.commit()
    review = queries.review_times(local_today())
    assert review["count"] == 3 and review["median_days"] == pytest.approx(4)


def test_station_activity(client, official):
    admin, operator = helpers.make_user(Role.ADMIN), helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(admin, operators=[operator], name="八陡镇商标品牌指导站")
    make_entry(station, operator, entry_date=local_today(), kind="training", people_count=30)
    make_entry(station, operator, entry_date=local_today() - timedelta(days=400), kind="training")
    activity = queries.station_activity(local_today())
    assert activity["by_kind"] == {"training": {"count": 1, "people": 30}}
    assert activity["by_station"] == [("八陡镇商标品牌指导站", 1)]
    assert "八陡镇商标品牌指导站" in client.get("/dashboard/").get_data(as_text=True)


def test_months_and_days_are_counted_in_boshan_time(app):
    # 20:30 UTC on the last day of a month is already the 1st of the next month in Boshan.
    at = datetime(2026, 1, 31, 20, 30, tzinfo=UTC)
    db.session.add(Scan(kind="label", target_id=1, at=at, scanner="s"))
    db.session.commit()
    day = queries.local(Scan.at, "day")
    assert db.session.scalar(db.select(day)) == "2026-02-01"
    assert queries.months_back(date(2026, 2, 10), 3) == ["2025-12", "2026-01", "2026-02"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_reads_in_both_languages(client, official, lang):
    page = client.get(f"/dashboard/?lang={lang}").get_data(as_text=True)
    assert {"zh": "数据看板", "en": "Dashboard"}[lang] in page
    assert {"zh": "查验与保护", "en": "Verification and protection"}[lang] in page
    scans = {"zh": "近 30 天每日扫码次数", "en": "Scans per day, last 30 days"}[lang]
    assert f'<title id="chart-scans-title">{scans}</title>' in page  # the chart's accessible name


def test_a_bounded_number_of_queries_whatever_the_size(client, official):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    counts = []
    for producers, scans in ((0, 0), (400, 2000), (800, 4000)):
        add_producers(producers, year=local_today().year,
                      states=("approved", "submitted", "rejected", "draft"))  # fmt: skip
        add_scans(scans)
        db.session.expire_all()  # every request loads the signed-in user afresh
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            statements.clear()
            assert client.get("/dashboard/").status_code == 200
            counts.append(len(statements))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    # The first view has no scans to tally; after that, the same queries whatever the size.
    assert counts[0] <= counts[1] == counts[2] <= 18, counts
