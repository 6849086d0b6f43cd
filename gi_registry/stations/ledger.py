"""The service ledger (台账): entries recorded by a station's operators, corrected only with a
reason while the previous content is kept, published or not, with photos and sign-in sheets."""

from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from .. import uploads
from ..audit.services import record
from ..clock import local_today
from ..exceptions import Invalid, InvalidTransition
from ..extensions import db
from ..models import Enterprise, User
from ..models.base import utcnow
from ..models.stations import (
    AttachmentKind,
    GuidanceStation,
    LedgerAttachment,
    LedgerEnterprise,
    LedgerEntry,
    LedgerKind,
    LedgerRevision,
    StationStatus,
)
from .services import ensure_manager

MAX_PEOPLE = 100_000


def split_lines(text: str | None) -> list[str]:
    """Non-empty stripped lines, first occurrence kept."""
    seen, lines = set(), []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line and line.casefold() not in seen:
            seen.add(line.casefold())
            lines.append(line)
    return lines


def resolve_enterprises(codes_text: str, names_text: str) -> tuple[list[Enterprise], list[str]]:
    """Registered enterprises from credit codes (all must exist) and names; the rest stay text."""
    codes = [c.upper().replace(" ", "") for c in split_lines(codes_text)]
    found = {e.credit_code: e for e in db.session.scalars(
        db.select(Enterprise).where(Enterprise.credit_code.in_(codes)))} if codes else {}  # fmt: skip
    if unknown := [c for c in codes if c not in found]:
        raise Invalid(_("No registered enterprise has this credit code: %(codes)s. Put enterprises "
                        "that are not registered here under “Other enterprises”.",
                        codes="、".join(unknown)), "registered_codes")  # fmt: skip
    enterprises = {e.id: e for e in found.values()}
    others = []
    for name in split_lines(names_text):
        # A registered enterprise typed by its exact name is linked rather than left as text.
        match = db.session.scalars(db.select(Enterprise).where(Enterprise.name == name)).all()
        if len(match) == 1:
            enterprises.setdefault(match[0].id, match[0])
        else:
            others.append(name)
    return sorted(enterprises.values(), key=lambda e: e.name), others


def check_entry_data(station: GuidanceStation, data: dict) -> dict:
    """A ledger entry's content, checked; raises Invalid naming the field."""
    entry_date = data.get("entry_date")
    if not isinstance(entry_date, date):
        raise Invalid(_("Give the date of the service."), "entry_date")
    if entry_date > local_today():
        raise Invalid(_("The date cannot be in the future."), "entry_date")
    if entry_date < station.established_on:
        raise Invalid(_("The date is before the station was set up (%(d)s).",
                        d=station.established_on.isoformat()), "entry_date")  # fmt: skip
    if data.get("kind") not in set(LedgerKind):
        raise Invalid(_("Choose the kind of service."), "kind")
    people = data.get("people_count")
    if not isinstance(people, int) or not 1 <= people <= MAX_PEOPLE:
        raise Invalid(_("Give the number of people served (1 to %(n)d).", n=MAX_PEOPLE),
                      "people_count")  # fmt: skip
    summary = (data.get("summary") or "").strip()
    if not summary:
        raise Invalid(_("Describe the service in a few sentences."), "summary")
    enterprises, others = resolve_enterprises(data.get("registered_codes", ""),
                                              data.get("other_enterprises", ""))  # fmt: skip
    return dict(entry_date=entry_date, kind=data["kind"], people_count=people, summary=summary,
                enterprises=enterprises, other_enterprises="\n".join(others))  # fmt: skip


def entry_content(entry: LedgerEntry) -> dict:
    """What an entry says, as kept in its revisions and audit entries."""
    return content_record(dict(
        entry_date=entry.entry_date, kind=entry.kind, people_count=entry.people_count,
        summary=entry.summary, enterprises=entry.enterprises,
        other_enterprises=entry.other_enterprises,
    ))  # fmt: skip


def content_record(content: dict) -> dict:
    """Checked content (as from check_entry_data) in the JSON shape of a revision."""
    return {
        "entry_date": content["entry_date"].isoformat(),
        "kind": content["kind"],
        "people_count": content["people_count"],
        "summary": content["summary"],
        "enterprises": [{"id": e.id, "name": e.name, "credit_code": e.credit_code}
                        for e in sorted(content["enterprises"], key=lambda e: e.name)],
        "other_enterprises": split_lines(content["other_enterprises"]),
    }  # fmt: skip


def apply_content(entry: LedgerEntry, content: dict) -> None:
    for field in ("entry_date", "kind", "people_count", "summary", "other_enterprises"):
        setattr(entry, field, content[field])
    wanted = {e.id for e in content["enterprises"]}
    entry.enterprise_links = [link for link in entry.enterprise_links
                              if link.enterprise_id in wanted]  # fmt: skip
    present = {link.enterprise_id for link in entry.enterprise_links}
    for enterprise in content["enterprises"]:
        if enterprise.id not in present:
            entry.enterprise_links.append(LedgerEnterprise(enterprise=enterprise))


def add_entry(
    station: GuidanceStation, actor: User, data: dict, publish: bool = False
) -> LedgerEntry:
    """A station's operator records a service in its ledger; commits."""
    ensure_manager(actor, station)
    if station.status != StationStatus.ACTIVE:
        raise InvalidTransition(_("Only an active station can record new services."))
    content = check_entry_data(station, data)
    entry = LedgerEntry(station=station, created_by_id=actor.id, is_published=publish)
    db.session.add(entry)
    apply_content(entry, content)
    db.session.flush()
    record("ledger.create", "ledger_entry", entry.id, actor,
           after={"station": station.id, **entry_content(entry), "published": publish})  # fmt: skip
    db.session.commit()
    return entry


def correct_entry(entry: LedgerEntry, actor: User, data: dict, reason: str) -> LedgerRevision:
    """Correct an entry: the previous content is kept as a revision with who, when, why; commits."""
    ensure_manager(actor, entry.station)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the entry is corrected."), "reason")
    content = check_entry_data(entry.station, data)
    before = entry_content(entry)
    if content_record(content) == before:
        raise Invalid(_("Nothing was changed."), "reason")
    revision = LedgerRevision(entry_id=entry.id, number=entry.revision, previous=before,
                              reason=reason, changed_by_id=actor.id, changed_at=utcnow())  # fmt: skip
    db.session.add(revision)
    apply_content(entry, content)
    entry.revision += 1
    record("ledger.correct", "ledger_entry", entry.id, actor,
           before=before, after={**entry_content(entry), "revision": entry.revision},
           grounds=reason)  # fmt: skip
    db.session.commit()
    return revision


def set_entry_published(entry: LedgerEntry, actor: User, published: bool) -> None:
    """Show an entry on the public station page, or take it off again; commits."""
    ensure_manager(actor, entry.station)
    if entry.is_published == published:
        return
    entry.is_published = published
    record("ledger.publish" if published else "ledger.unpublish", "ledger_entry", entry.id,
           actor, before={"published": not published}, after={"published": published})  # fmt: skip
    db.session.commit()


def add_entry_attachment(entry: LedgerEntry, actor: User, kind: str, file: FileStorage
                         ) -> LedgerAttachment:  # fmt: skip
    """Attach a photo or sign-in sheet (checked by its bytes) to an entry; commits."""
    ensure_manager(actor, entry.station)
    if kind not in set(AttachmentKind):
        raise Invalid(_("Choose what the file is."), "kind")
    with uploads.stored(file) as stored:
        if kind == AttachmentKind.PHOTO and not stored.content_type.startswith("image/"):
            raise Invalid(_("A photo must be a JPEG or PNG image."), "file")
        attachment = LedgerAttachment(
            entry=entry, kind=kind, uploaded_by_id=actor.id, original_name=stored.original_name,
            stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size,
            sha256=stored.sha256,
        )  # fmt: skip
        db.session.add(attachment)
        db.session.flush()
        record("ledger.attach", "ledger_entry", entry.id, actor,
               after={"attachment": attachment.id, "kind": kind, "name": stored.original_name,
                      "sha256": stored.sha256})  # fmt: skip
    return attachment


def remove_entry_attachment(attachment: LedgerAttachment, actor: User, reason: str) -> None:
    """Take a file off an entry; the row and the file stay for inspectors; commits."""
    ensure_manager(actor, attachment.entry.station)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the file is removed."), "reason")
    if attachment.removed_at is not None:
        raise InvalidTransition(_("This file was already removed."))
    attachment.removed_at, attachment.removed_by_id = utcnow(), actor.id
    attachment.removal_reason = reason
    record("ledger.detach", "ledger_entry", attachment.entry_id, actor,
           before={"attachment": attachment.id, "kind": attachment.kind,
                   "name": attachment.original_name, "sha256": attachment.sha256},
           grounds=reason)  # fmt: skip
    db.session.commit()
