"""Consumers' reports of suspected fakes, and the officials' queue that handles them."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from .. import uploads
from ..audit.services import record, snapshot
from ..clock import local_today
from ..exceptions import Invalid, InvalidTransition, NotPermitted
from ..extensions import db
from ..models import User
from ..models.certificates import Certificate, FakeReport, ReportState, Scan, ScanKind
from ..models.labels import Label
from .serials import normalize_code, normalize_serial

# action: (states it may start from, state it leads to)
REPORT_MOVES = {
    "investigate": ({ReportState.NEW}, ReportState.INVESTIGATING),
    "close": ({ReportState.NEW, ReportState.INVESTIGATING}, ReportState.CLOSED),
    "reopen": ({ReportState.CLOSED}, ReportState.INVESTIGATING),
}
FIELDS = ("code", "kind", "target_id", "where_bought", "bought_on", "what_seen", "contact")


def identify(code: str) -> tuple[str, str, int | None]:
    """What a reported code refers to: (code as kept, kind, id) — kind "" if not in the registry."""
    code = (code or "").strip()[:60]
    if serial := normalize_serial(code):
        label_id = db.session.scalar(db.select(Label.id).where(Label.serial == serial))
        return serial, ScanKind.LABEL.value if label_id else "", label_id
    canonical = normalize_code(code)
    number = code.upper()
    certificate = db.session.scalar(
        db.select(Certificate.id).where(
            (Certificate.code == canonical) if canonical else (Certificate.number == number)
        )
    )
    if certificate is not None:
        return canonical or number, ScanKind.CERTIFICATE.value, certificate
    return code, "", None


def create_report(data: dict, photo: FileStorage | None) -> FakeReport:
    """A consumer reports a suspected fake (no account needed); audited; commits."""
    what_seen = (data.get("what_seen") or "").strip()
    where = (data.get("where_bought") or "").strip()
    if not what_seen:
        raise Invalid(_("Say what makes you suspect the item."), "what_seen")
    if not where:
        raise Invalid(_("Say where you bought the item."), "where_bought")
    bought_on = data.get("bought_on")
    if isinstance(bought_on, date) and bought_on > local_today():
        raise Invalid(_("The date of purchase is in the future."), "bought_on")
    given = photo if photo is not None and getattr(photo, "filename", "") else None
    with uploads.stored(given) as stored:
        if stored and not stored.content_type.startswith("image/"):
            raise Invalid(_("Only JPEG or PNG photos are accepted."), "photo")
        code, kind, target_id = identify(data.get("code") or "")
        report = FakeReport(
            code=code, kind=kind, target_id=target_id, where_bought=where[:300],
            bought_on=bought_on, what_seen=what_seen[:4000],
            contact=(data.get("contact") or "").strip()[:200],
            photo_stored_name=stored.stored_name if stored else "",
            photo_content_type=stored.content_type if stored else "",
        )  # fmt: skip
        db.session.add(report)
        db.session.flush()
        # The contact stays out of the audit log: it is personal data, kept on the report only.
        record("fake_report.create", "fake_report", report.id, None, actor_label="consumer",
               after=snapshot(report, "code", "kind", "target_id", "state"))  # fmt: skip
    return report


def change_report(report: FakeReport, action: str, actor: User, notes: str) -> None:
    """An official moves a report along new → investigating → closed (or reopens it), with a
    note; audited; commits."""
    if not actor.is_official:
        raise NotPermitted(_("Only officials handle reports."))
    sources, target = REPORT_MOVES[action]
    if report.state not in sources:
        raise InvalidTransition(_("This report cannot be changed that way now."))
    notes = (notes or "").strip()
    if target == ReportState.CLOSED and not notes:
        raise Invalid(_("Write down what was found before closing the report."), "notes")
    before = report.state
    report.state = target
    report.handled_by_id = actor.id
    if notes:
        report.official_notes = (
            report.official_notes + "\n\n" if report.official_notes else ""
        ) + notes
    record(f"fake_report.{action}", "fake_report", report.id, actor, before={"state": before},
           after={"state": target.value}, grounds=notes)  # fmt: skip
    db.session.commit()


def reports_page(state: str, page: int):
    """The queue: open reports first (oldest first), or one state."""
    query = db.select(FakeReport)
    if state in ReportState.__members__.values():
        query = query.where(FakeReport.state == state).order_by(FakeReport.created_at.desc())
    else:
        query = query.where(FakeReport.state != ReportState.CLOSED).order_by(FakeReport.created_at)
    return db.paginate(query, page=page, per_page=30, error_out=False)


def scans_of(report: FakeReport, limit: int = 200) -> tuple[list[Scan], int, int]:
    """The recent scans of the code involved, with the total and the number of distinct scanners."""
    if not report.kind or report.target_id is None:
        return [], 0, 0
    where = (Scan.kind == report.kind, Scan.target_id == report.target_id)
    total, distinct = db.session.execute(
        db.select(db.func.count(), db.func.count(db.distinct(Scan.scanner))).where(*where)
    ).one()
    rows = db.session.scalars(db.select(Scan).where(*where).order_by(Scan.id.desc()).limit(limit))
    return list(rows), total, distinct


def flagged_labels_page(page: int):
    """Labels flagged as possibly copied, most recently flagged first."""
    query = (
        db.select(Label).where(Label.copy_flagged_at.is_not(None))
        .options(db.joinedload(Label.batch)).order_by(Label.copy_flagged_at.desc())
    )  # fmt: skip
    return db.paginate(query, page=page, per_page=50, error_out=False)
