"""Missing reports: a reminder after the deadline, a flag after the grace period, and the
officials' action on a flag through the authorization workflow."""

from datetime import timedelta

import pytest

from gi_registry.clock import local_today
from gi_registry.exceptions import Invalid, InvalidTransition, NotPermitted
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Authorization, Role
from gi_registry.models.reports import ReportNotice
from gi_registry.reports import rules, services
from gi_registry.reports.notices import check_reports, dismiss_flag, suspend_from_flag

from . import helpers
from .test_reports_filing import CATEGORIES, LAST_YEAR, answers, legal_user

DAY = timedelta(days=1)


def notices(kind=None):
    query = db.select(ReportNotice).order_by(ReportNotice.id)
    if kind:
        query = query.where(ReportNotice.kind == kind)
    return list(db.session.scalars(query))


def audit_count(action: str) -> int:
    return db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == action))  # fmt: skip


def test_nothing_before_the_deadline_then_a_reminder_then_a_flag(app):
    late, diligent = legal_user(), legal_user()
    services.file_report(diligent.enterprise, diligent, LAST_YEAR, answers(), CATEGORIES)
    deadline, flag_date = rules.deadline(LAST_YEAR), rules.flag_date(LAST_YEAR)

    result = check_reports(LAST_YEAR, today=deadline)
    assert (result.obligated, result.filed, notices()) == (2, 1, [])

    result = check_reports(LAST_YEAR, today=deadline + DAY)
    assert result.raised == {"reminder": 1, "rectification": 0}
    assert [(n.enterprise_id, n.kind) for n in notices()] == [(late.enterprise.id, "reminder")]

    check_reports(LAST_YEAR, today=flag_date)  # still within the grace period
    assert notices("rectification") == []
    result = check_reports(LAST_YEAR, today=flag_date + DAY)
    assert result.raised == {"reminder": 0, "rectification": 1}
    assert audit_count("report_notice.reminder") == audit_count("report_notice.rectification") == 1


def test_the_check_is_idempotent(app):
    legal_user()
    later = rules.flag_date(LAST_YEAR) + DAY
    first = check_reports(LAST_YEAR, today=later)
    entries = audit_count("report_notice.reminder") + audit_count("report_notice.rectification")
    second = check_reports(LAST_YEAR, today=later)
    assert first.raised == {"reminder": 1, "rectification": 1}
    assert second.raised == {"reminder": 0, "rectification": 0}
    assert len(notices()) == 2
    assert audit_count("report_notice.reminder") + audit_count("report_notice.rectification") == \
        entries  # fmt: skip


def test_filing_late_closes_the_reminder_and_flag(app):
    producer = legal_user()
    check_reports(LAST_YEAR, today=rules.flag_date(LAST_YEAR) + DAY)
    services.file_report(producer.enterprise, producer, LAST_YEAR, answers(), CATEGORIES,
                         today=rules.flag_date(LAST_YEAR) + 2 * DAY)  # fmt: skip
    assert [(n.resolution, n.is_open) for n in notices()] == [("filed", False), ("filed", False)]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "use_report.file"))
    assert entry.after["late"] is True and len(entry.after["closed_notices"]) == 2


def test_users_not_active_in_the_year_owe_nothing(app):
    legal_user(since=local_today())  # authorized only this year
    assert check_reports(LAST_YEAR, today=rules.flag_date(LAST_YEAR) + DAY).obligated == 0
    with pytest.raises(Invalid):
        check_reports(local_today().year)


def test_the_producer_sees_the_reminder_and_officials_see_the_flag(client, login, app):
    producer = legal_user(name="迟报琉璃坊")
    check_reports(LAST_YEAR, today=rules.flag_date(LAST_YEAR) + DAY)
    login(producer)
    page = client.get("/reports/?lang=en").get_data(as_text=True)
    assert f"your report for {LAST_YEAR} is still missing" in page
    login(helpers.make_user(Role.REVIEWER))
    listed = client.get(f"/reports/district?year={LAST_YEAR}&show=flagged").get_data(as_text=True)
    assert "迟报琉璃坊" in listed and "Act on this flag" not in listed  # reviewers cannot act
    login(helpers.make_user(Role.APPROVER))
    listed = client.get(f"/reports/district?year={LAST_YEAR}&show=flagged&lang=en")
    assert "Act on this flag" in listed.get_data(as_text=True)


def test_an_approver_suspends_from_the_flag_through_the_workflow(client, login, app):
    producer = legal_user()
    check_reports(LAST_YEAR, today=rules.flag_date(LAST_YEAR) + DAY)
    flag = notices("rectification")[0]
    login(helpers.make_user(Role.APPROVER))
    deadline = (local_today() + timedelta(days=30)).isoformat()
    response = client.post(f"/reports/notices/{flag.id}/suspend",
                           data={"grounds": "未按期报送年度使用情况", "deadline": deadline})  # fmt: skip
    assert response.status_code == 302
    authorization = db.session.scalar(db.select(Authorization))
    db.session.refresh(authorization)
    assert authorization.status == "suspended"
    assert authorization.status_grounds == "未按期报送年度使用情况"
    assert audit_count("authorization.suspend") == audit_count("report_notice.suspend") == 1
    db.session.refresh(flag)
    assert flag.resolution == "suspended" and not flag.is_open
    assert producer.enterprise.id == flag.enterprise_id


def test_a_failed_suspension_changes_nothing(app):
    legal_user()
    check_reports(LAST_YEAR, today=rules.flag_date(LAST_YEAR) + DAY)
    flag = notices("rectification")[0]
    approver = helpers.make_user(Role.APPROVER)
    with pytest.raises(Invalid):  # the workflow wants a rectification deadline in the future
        suspend_from_flag(flag, approver, "未报送", local_today())
    db.session.refresh(flag)
    assert flag.is_open and audit_count("report_notice.suspend") == 0
    assert db.session.scalar(db.select(Authorization.status)) == "active"
    with pytest.raises(NotPermitted):
        suspend_from_flag(flag, helpers.make_user(Role.REVIEWER), "未报送",
                          local_today() + timedelta(days=30))  # fmt: skip


def test_a_flag_can_be_dismissed_with_grounds_once(app):
    legal_user()
    check_reports(LAST_YEAR, today=rules.flag_date(LAST_YEAR) + DAY)
    flag = notices("rectification")[0]
    approver = helpers.make_user(Role.APPROVER)
    with pytest.raises(Invalid):
        dismiss_flag(flag, approver, "  ")
    dismiss_flag(flag, approver, "已提交纸质报告")
    assert flag.resolution == "dismissed" and flag.resolution_note == "已提交纸质报告"
    with pytest.raises(InvalidTransition):
        dismiss_flag(flag, approver, "again")


def test_cli_reports_check(runner, app):
    two_years_ago = LAST_YEAR - 1  # its deadline and grace period are over whatever today is
    legal_user(since=local_today().replace(year=two_years_ago, month=1, day=1))
    result = runner.invoke(args=["gi", "reports-check", "--year", str(two_years_ago)])
    assert result.exit_code == 0, result.output
    assert "Raised 1 reminder(s) and 1 rectification flag(s)." in result.output
    again = runner.invoke(args=["gi", "reports-check", "--year", str(two_years_ago)])
    assert "Raised 0 reminder(s) and 0 rectification flag(s)." in again.output
    refused = runner.invoke(args=["gi", "reports-check", "--year", str(local_today().year)])
    assert refused.exit_code != 0
