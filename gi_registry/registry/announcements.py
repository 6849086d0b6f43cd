"""Publishing numbered announcements (公告) of approvals, changes, cancellations and corrections."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists

from ..audit.services import record
from ..categories import effective_categories
from ..clock import SHANGHAI, local_today
from ..exceptions import Invalid, NotPermitted
from ..extensions import db
from ..models import AuditEntry, Authorization, AuthorizationStatus, Role, User
from ..models.registry import Announcement, AnnouncementEntry, AnnouncementKind
from ..reference import GI_NAME
from ..sequences import next_value

# Announcements are Chinese official documents: their titles and lists are written in Chinese.
TITLES = {
    AnnouncementKind.APPROVAL: "关于核准使用地理标志专用标志（博山琉璃）企业名单的公告",
    AnnouncementKind.CHANGE: "关于地理标志专用标志（博山琉璃）使用人信息变更的公告",
    AnnouncementKind.CANCELLATION: "关于注销地理标志专用标志（博山琉璃）使用资格的公告",
    AnnouncementKind.CORRECTION: "更正公告",
}
FIELD_NAMES = {"enterprise_name": "企业名称", "credit_code": "统一社会信用代码",
               "address": "地址", "products": "产品"}  # fmt: skip


@dataclass
class Candidate:
    """An authorization awaiting an announcement of a given kind, with its date and reason."""

    authorization: Authorization
    event_date: date
    reason: str = ""


def products_text(scope: list[str]) -> str:
    """The product categories in Chinese, as an announcement lists them."""
    names = {c.id: c.zh for c in effective_categories()}
    return "、".join(names.get(slug, slug) for slug in scope)


def facts(authorization: Authorization) -> dict:
    """What an announcement copies about an authorization's holder, as of now."""
    enterprise = authorization.enterprise
    return {
        "enterprise_name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "address": enterprise.address,
        "products": products_text(authorization.scope),
    }


def announced(kind: AnnouncementKind):
    """SQL: the authorization already appears in an announcement of `kind`."""
    return exists(
        db.select(AnnouncementEntry.id)
        .join(AnnouncementEntry.announcement)
        .where(AnnouncementEntry.authorization_id == Authorization.id, Announcement.kind == kind)
    )


def _authorizations(*conditions) -> list[Authorization]:
    return list(
        db.session.scalars(
            db.select(Authorization)
            .where(*conditions)
            .options(db.joinedload(Authorization.enterprise))
            .order_by(Authorization.id)
        )
    )


def approval_candidates(today: date) -> list[Candidate]:
    """Valid authorizations never listed in an approval announcement."""
    rows = _authorizations(Authorization.status == AuthorizationStatus.ACTIVE,
                           Authorization.valid_until >= today,
                           ~announced(AnnouncementKind.APPROVAL))  # fmt: skip
    return [Candidate(a, a.created_at.astimezone(SHANGHAI).date()) for a in rows]


def cancellation_candidates(today: date) -> list[Candidate]:
    """Revoked authorizations not yet announced as cancelled; the reason is the revocation's."""
    rows = _authorizations(Authorization.status == AuthorizationStatus.REVOKED,
                           ~announced(AnnouncementKind.CANCELLATION))  # fmt: skip
    revoked_at = dict(
        db.session.execute(
            db.select(AuditEntry.object_id, db.func.max(AuditEntry.at))
            .where(AuditEntry.action == "authorization.revoke",
                   AuditEntry.object_id.in_([str(a.id) for a in rows]))
            .group_by(AuditEntry.object_id)
        ).all()
    )  # fmt: skip
    return [
        Candidate(a, revoked_at[str(a.id)].astimezone(SHANGHAI).date()
                  if str(a.id) in revoked_at else today, a.status_grounds)
        for a in rows
    ]  # fmt: skip


def latest_entries() -> dict[int, AnnouncementEntry]:
    """Each authorization's most recent announcement line (what the public was last told)."""
    newest = db.select(db.func.max(AnnouncementEntry.id)).group_by(
        AnnouncementEntry.authorization_id
    )
    rows = db.session.scalars(db.select(AnnouncementEntry).where(AnnouncementEntry.id.in_(newest)))
    return {row.authorization_id: row for row in rows}


def describe_change(entry: AnnouncementEntry, now: dict) -> str:
    """The announced facts that differ from today's, in the authorities' wording."""
    changes = []
    for key, name in FIELD_NAMES.items():
        old = getattr(entry, key)
        if old != now[key]:
            changes.append(f"{name}由“{old}”变更为“{now[key]}”")
    return "；".join(changes)


def change_candidates(today: date) -> list[Candidate]:
    """Announced, not revoked authorizations whose public facts changed since last announced."""
    last = latest_entries()
    rows = _authorizations(Authorization.id.in_(list(last)) if last else db.false(),
                           Authorization.status != AuthorizationStatus.REVOKED)  # fmt: skip
    candidates = []
    for authorization in rows:
        if reason := describe_change(last[authorization.id], facts(authorization)):
            candidates.append(Candidate(authorization, today, reason))
    return candidates


CANDIDATES = {
    AnnouncementKind.APPROVAL: approval_candidates,
    AnnouncementKind.CHANGE: change_candidates,
    AnnouncementKind.CANCELLATION: cancellation_candidates,
}


def candidates(kind: str, today: date | None = None) -> list[Candidate]:
    """What an announcement of `kind` could list now."""
    return CANDIDATES[AnnouncementKind(kind)](today or local_today())


def ensure_approver(actor: User) -> None:
    if not actor.has_role(Role.APPROVER):
        raise NotPermitted(_("Only approvers can publish announcements."))


def new_announcement(kind: AnnouncementKind, actor: User, note: str,
                     corrects: Announcement | None = None) -> Announcement:  # fmt: skip
    """Take the year's next number (this also serialises concurrent publishers) and add the row."""
    year = local_today().year
    sequence = next_value(f"announcement-{year}")
    announcement = Announcement(
        number=f"{GI_NAME}〔{year}〕第{sequence}号", year=year, sequence=sequence, kind=kind,
        title=TITLES[kind], note=note, issuing_office=current_app.config["OFFICE_NAME"],
        corrects=corrects, published_by_id=actor.id,
    )  # fmt: skip
    db.session.add(announcement)
    return announcement


def add_entries(announcement: Announcement, chosen: list[Candidate]) -> None:
    for position, candidate in enumerate(chosen, start=1):
        authorization = candidate.authorization
        announcement.entries.append(AnnouncementEntry(
            position=position, authorization_id=authorization.id,
            enterprise_id=authorization.enterprise_id, scope=list(authorization.scope),
            event_date=candidate.event_date, reason=candidate.reason, **facts(authorization),
        ))  # fmt: skip


def audit_publication(announcement: Announcement, actor: User) -> None:
    """One entry for the announcement, and one on each authorization's own history."""
    db.session.flush()
    record("announcement.publish", "announcement", announcement.id, actor,
           after={"number": announcement.number, "kind": announcement.kind,
                  "corrects": announcement.corrects.number if announcement.corrects else None,
                  "entries": [[e.position, e.credit_code, e.authorization_id]
                              for e in announcement.entries]},
           grounds=announcement.note)  # fmt: skip
    for entry in announcement.entries:
        record("authorization.announce", "authorization", entry.authorization_id, actor,
               after={"announcement": announcement.number, "announcement_id": announcement.id,
                      "kind": announcement.kind, "position": entry.position},
               grounds=entry.reason)  # fmt: skip


def publish_announcement(kind: str, authorization_ids: list[int], actor: User,
                         note: str = "") -> Announcement:  # fmt: skip
    """An approver publishes a numbered announcement listing the chosen candidates; commits."""
    ensure_approver(actor)
    if kind not in CANDIDATES:
        raise Invalid(_("Choose the kind of announcement."), "kind")
    wanted = set(authorization_ids)
    if not wanted:
        raise Invalid(_("Choose at least one enterprise to announce."), "authorizations")
    announcement = new_announcement(AnnouncementKind(kind), actor, (note or "").strip())
    # Candidates are read after the number is taken, so two approvers cannot list the same one.
    available = {c.authorization.id: c for c in candidates(kind)}
    if stale := wanted - set(available):
        db.session.rollback()
        raise Invalid(_("%(n)d of the chosen enterprises no longer await this announcement "
                        "(someone else may have just announced them). Review the list and "
                        "publish again.", n=len(stale)), "authorizations")  # fmt: skip
    add_entries(announcement, [c for i, c in available.items() if i in wanted])
    audit_publication(announcement, actor)
    db.session.commit()
    return announcement


def publish_correction(original: Announcement, entry_ids: list[int], actor: User,
                       reason: str) -> Announcement:  # fmt: skip
    """An approver corrects an announcement: a new one re-lists chosen lines as they are now."""
    ensure_approver(actor)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say what is being corrected."), "reason")
    lines = [e for e in original.entries if e.id in set(entry_ids)]
    if not lines:
        raise Invalid(_("Choose at least one line to correct."), "entries")
    authorizations = {a.id: a for a in _authorizations(
        Authorization.id.in_([e.authorization_id for e in lines]))}  # fmt: skip
    announcement = new_announcement(AnnouncementKind.CORRECTION, actor, reason, corrects=original)
    add_entries(announcement, [Candidate(authorizations[e.authorization_id], e.event_date, reason)
                               for e in lines])  # fmt: skip
    audit_publication(announcement, actor)
    db.session.commit()
    return announcement


def announcement_page(page: int, per_page: int = 20):
    """Published announcements, newest first."""
    query = db.select(Announcement).order_by(Announcement.published_at.desc(),
                                             Announcement.id.desc())  # fmt: skip
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def corrections_of(announcement: Announcement) -> list[Announcement]:
    """Later announcements that correct this one."""
    return list(db.session.scalars(
        db.select(Announcement).where(Announcement.corrects_id == announcement.id)
        .order_by(Announcement.id)
    ))  # fmt: skip
