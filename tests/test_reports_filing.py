"""Producers file their yearly use report; what they typed is kept; corrections are audited."""

from datetime import date, timedelta

import pytest

from gi_registry.clock import local_today
from gi_registry.exceptions import Invalid, InvalidTransition, NotPermitted
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role
from gi_registry.models.reports import UseReport
from gi_registry.reports import rules, services

from . import helpers

LAST_YEAR = local_today().year - 1
CATEGORIES = {"carving", "flower-ball", "bead", "vessel"}


def legal_user(since: date = date(LAST_YEAR, 1, 1), **details):
    """A producer whose authorization has been valid since `since`."""
    producer = helpers.make_producer(**details)
    authorization = helpers.make_application(producer, "approved").authorization
    authorization.valid_from = since
    db.session.commit()
    return producer


def answers(**overrides) -> dict:
    data = dict(output_value_yuan=1_250_000, labels_used=3000, production_changes="",
                ownership_changes="", remarks="",
                lines=[dict(category="carving", product="鸡油黄雕刻摆件", quantity=120, unit="piece"),
                       dict(category=None, product="", quantity=None, unit="")])  # fmt: skip
    data.update(overrides)
    return data


def form_data(**overrides) -> dict:
    data = {"output_value_yuan": "1250000", "labels_used": "3000", "remarks": "",
            "lines-0-category": "carving", "lines-0-product": "鸡油黄雕刻摆件",
            "lines-0-quantity": "120", "lines-0-unit": "piece"}  # fmt: skip
    data.update(overrides)
    return data


def test_a_legal_user_files_last_years_report(client, login):
    producer = login(legal_user())
    page = client.get("/reports/").get_data(as_text=True)
    assert f"/reports/{LAST_YEAR}/new" in page
    response = client.post(f"/reports/{LAST_YEAR}/new", data=form_data())
    assert response.status_code == 302
    report = db.session.scalar(db.select(UseReport))
    assert (report.enterprise_id, report.year) == (producer.enterprise.id, LAST_YEAR)
    assert report.output_value_yuan == 1_250_000
    assert [(line.product, line.quantity) for line in report.lines] == [("鸡油黄雕刻摆件", 120)]
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "鸡油黄雕刻摆件" in shown and "1,250,000" in shown
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "use_report.file"))
    assert entry.after["lines"][0]["quantity"] == 120 and entry.actor_id == producer.id
    page = client.get("/reports/").get_data(as_text=True)
    assert '<span class="status status-active"><svg class="icon-svg icon-check"' in page  # filed


def test_a_mistake_is_shown_next_to_the_field_and_the_answers_are_kept(client, login):
    login(legal_user())
    response = client.post(f"/reports/{LAST_YEAR}/new",
                           data=form_data(**{"lines-0-unit": "", "labels_used": "abc"}))  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in page  # labels_used is not a number
    assert "鸡油黄雕刻摆件" in page and "1250000" in page
    response = client.post(f"/reports/{LAST_YEAR}/new?lang=en",
                           data=form_data(**{"lines-0-unit": ""}))  # fmt: skip
    assert "Row 1: choose the unit." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(UseReport.id))) == 0


def test_no_products_needs_a_remark(app):
    producer = legal_user()
    with pytest.raises(Invalid) as refused:
        services.file_report(producer.enterprise, producer, LAST_YEAR,
                             answers(lines=[]), CATEGORIES)  # fmt: skip
    assert refused.value.field == "lines"
    report = services.file_report(producer.enterprise, producer, LAST_YEAR,
                                  answers(lines=[], remarks="全年停产改造"), CATEGORIES)  # fmt: skip
    assert report.lines == [] and report.remarks == "全年停产改造"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"output_value_yuan": -1}, "output_value_yuan"),
        ({"labels_used": None}, "labels_used"),
        (
            {"lines": [dict(category="glass-cannon", product="x", quantity=1, unit="piece")]},
            "lines",
        ),
        ({"lines": [dict(category="carving", product="", quantity=1, unit="piece")]}, "lines"),
        ({"lines": [dict(category="carving", product="x", quantity=None, unit="piece")]}, "lines"),
        ({"remarks": "长" * 4001}, "remarks"),
    ],
)
def test_bad_answers_name_the_field(app, change, field):
    producer = legal_user()
    with pytest.raises(Invalid) as refused:
        services.file_report(producer.enterprise, producer, LAST_YEAR, answers(**change),
                             CATEGORIES)  # fmt: skip
    assert refused.value.field == field


def test_who_and_when(app):
    producer = legal_user()
    other = helpers.make_producer()
    with pytest.raises(NotPermitted):
        services.file_report(producer.enterprise, other, LAST_YEAR, answers(), CATEGORIES)
    with pytest.raises(InvalidTransition):  # the year is not over
        services.file_report(producer.enterprise, producer, LAST_YEAR + 1, answers(), CATEGORIES)
    with pytest.raises(InvalidTransition):  # not a legal user back then
        services.file_report(producer.enterprise, producer, LAST_YEAR - 5, answers(), CATEGORIES)
    services.file_report(producer.enterprise, producer, LAST_YEAR, answers(), CATEGORIES)
    with pytest.raises(InvalidTransition):  # once per year
        services.file_report(producer.enterprise, producer, LAST_YEAR, answers(), CATEGORIES)


def test_corrections_until_the_deadline_are_audited(app):
    producer = legal_user()
    report = services.file_report(producer.enterprise, producer, LAST_YEAR, answers(), CATEGORIES)
    deadline = rules.deadline(LAST_YEAR)
    services.correct_report(report, producer, answers(output_value_yuan=1_300_000), CATEGORIES,
                            today=deadline)  # fmt: skip
    assert report.output_value_yuan == 1_300_000 and report.revision == 2
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "use_report.correct")
    )
    assert entry.before == {"output_value_yuan": 1_250_000}
    assert entry.after == {"output_value_yuan": 1_300_000}
    with pytest.raises(InvalidTransition):
        services.correct_report(report, producer, answers(), CATEGORIES,
                                today=deadline + timedelta(days=1))  # fmt: skip


def test_others_cannot_see_a_report(client, login):
    producer = legal_user()
    report = services.file_report(producer.enterprise, producer, LAST_YEAR, answers(), CATEGORIES)
    login(helpers.make_producer())
    assert client.get(f"/reports/{report.id}").status_code == 404
    assert client.get(f"/reports/{report.id}/edit").status_code == 404
    login(helpers.make_user(Role.REVIEWER))
    assert "鸡油黄雕刻摆件" in client.get(f"/reports/{report.id}").get_data(as_text=True)


def test_the_deadline_is_configurable(app):
    assert rules.deadline(2025) == date(2026, 3, 31)
    assert rules.flag_date(2025) == date(2026, 4, 30)
    app.config.update(USE_REPORT_DEADLINE="02-28", USE_REPORT_GRACE_DAYS=10)
    assert rules.deadline(2025) == date(2026, 2, 28)
    assert rules.flag_date(2025) == date(2026, 3, 10)
