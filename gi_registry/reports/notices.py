"""Missing reports: reminders after the deadline, rectification flags after the grace period, and
what officials do with a flag (suspend through the authorization workflow, or dismiss)."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from ..audit.services import record
from ..authorization.services import change_authorization
from ..clock import local_today
from ..exceptions import Invalid, InvalidTransition, NotPermitted
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Role, User
from ..models.base import utcnow
from ..models.reports import NoticeKind, NoticeResolution, ReportNotice, UseReport
from . import rules


@dataclass
class CheckResult:
    year: int
    obligated: int = 0
    filed: int = 0
    raised: dict = field(default_factory=lambda: {k.value: 0 for k in NoticeKind})


def due_kinds(year: int, today: date) -> list[NoticeKind]:
    """The notices a missing report of `year` deserves on `today`."""
    kinds = []
    if today > rules.deadline(year):
        kinds.append(NoticeKind.REMINDER)
    if today > rules.flag_date(year):
        kinds.append(NoticeKind.RECTIFICATION)
    return kinds


def check_reports(year: int, today: date | None = None, actor: User | None = None) -> CheckResult:
    """Raise the reminders and flags due for `year`; running it again raises nothing new; commits."""
    today = today or local_today()
    if year >= today.year:
        raise Invalid(_("A year can be checked only once it is over."), "year")
    result = CheckResult(year)
    obligated = set(db.session.scalars(rules.obligated_ids(year)))
    filed = set(
        db.session.scalars(db.select(UseReport.enterprise_id).where(UseReport.year == year))
    )
    holders = set(
        db.session.scalars(
            db.select(Authorization.enterprise_id)
            .where(Authorization.status != AuthorizationStatus.REVOKED)
            .distinct()
        )
    )
    existing = set(
        db.session.execute(
            db.select(ReportNotice.enterprise_id, ReportNotice.kind).where(
                ReportNotice.year == year
            )
        ).tuples()
    )
    result.obligated, result.filed = len(obligated), len(obligated & filed)
    # Only enterprises that still hold an authorization: after a revocation there is nothing left
    # to remind about or to suspend.
    for enterprise_id in sorted((obligated - filed) & holders):
        for kind in due_kinds(year, today):
            if (enterprise_id, kind.value) in existing:
                continue
            notice = ReportNotice(enterprise_id=enterprise_id, year=year, kind=kind)
            db.session.add(notice)
            db.session.flush()
            record(
                f"report_notice.{kind.value}",
                "enterprise",
                enterprise_id,
                actor,
                after={"year": year, "notice": notice.id, "deadline": rules.deadline(year)},
            )
            result.raised[kind.value] += 1
    db.session.commit()
    return result


def notices_for(enterprise_id: int) -> list[ReportNotice]:
    """The enterprise's open reminders and flags, oldest year first."""
    return list(
        db.session.scalars(
            db.select(ReportNotice)
            .where(ReportNotice.enterprise_id == enterprise_id, ReportNotice.resolved_at.is_(None))
            .order_by(ReportNotice.year, ReportNotice.kind)
        )
    )


def authorization_to_suspend(notice: ReportNotice) -> Authorization | None:
    """The enterprise's authorization that is active today, newest first."""
    return db.session.scalar(
        db.select(Authorization)
        .where(
            Authorization.enterprise_id == notice.enterprise_id,
            Authorization.status == AuthorizationStatus.ACTIVE,
            Authorization.valid_until >= local_today(),
        )
        .order_by(Authorization.id.desc())
        .limit(1)
    )


def ensure_open_flag(notice: ReportNotice, actor: User) -> None:
    if not actor.has_role(Role.APPROVER):
        raise NotPermitted(_("Only approvers can act on a rectification flag."))
    if notice.kind != NoticeKind.RECTIFICATION or not notice.is_open:
        raise InvalidTransition(_("This flag has already been dealt with."))


def resolve(notice: ReportNotice, actor: User, resolution: NoticeResolution, note: str) -> None:
    notice.resolved_at, notice.resolved_by_id = utcnow(), actor.id
    notice.resolution, notice.resolution_note = resolution, note


def suspend_from_flag(
    notice: ReportNotice, actor: User, grounds: str, deadline: date | None
) -> Authorization:
    """An approver suspends the authorization named by a flag, through the authorization
    workflow (change_authorization audits and commits both changes together)."""
    ensure_open_flag(notice, actor)
    authorization = authorization_to_suspend(notice)
    if authorization is None:
        raise InvalidTransition(_("The enterprise holds no active authorization to suspend."))
    grounds = (grounds or "").strip()
    resolve(notice, actor, NoticeResolution.SUSPENDED, grounds)
    record(
        "report_notice.suspend",
        "enterprise",
        notice.enterprise_id,
        actor,
        after={"year": notice.year, "notice": notice.id, "authorization": authorization.number},
        grounds=grounds,
    )
    try:
        change_authorization(authorization, "suspend", actor, grounds, deadline)
    except Exception:
        db.session.rollback()
        raise
    return authorization


def dismiss_flag(notice: ReportNotice, actor: User, grounds: str) -> None:
    """An approver closes a flag without suspending, with written grounds; commits."""
    ensure_open_flag(notice, actor)
    grounds = (grounds or "").strip()
    if not grounds:
        raise Invalid(_("Give the grounds in writing."), "grounds")
    resolve(notice, actor, NoticeResolution.DISMISSED, grounds)
    record(
        "report_notice.dismiss",
        "enterprise",
        notice.enterprise_id,
        actor,
        after={"year": notice.year, "notice": notice.id},
        grounds=grounds,
    )
    db.session.commit()
