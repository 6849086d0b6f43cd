"""Who may see and change a station's records: one helper per object, used by every view."""

from flask import abort

from ..extensions import db
from ..models import Role
from ..models.stations import (
    AttachmentKind,
    GuidanceArticle,
    GuidanceStation,
    LedgerAttachment,
    LedgerEntry,
)


def can_manage(user, station: GuidanceStation) -> bool:
    """Admins, and the operators assigned to this very station."""
    if user is None or not user.is_authenticated:
        return False
    return user.has_role(Role.ADMIN) or (
        user.has_role(Role.STATION_OPERATOR) and station.has_operator(user)
    )


def can_inspect(user, station: GuidanceStation) -> bool:
    """Those who manage the station, and officials (inspectors read the whole ledger)."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_official or can_manage(user, station)


def get_station_or_404(station_id: int) -> GuidanceStation:
    """Stations are public records: anyone may see any station."""
    return db.get_or_404(GuidanceStation, station_id)


def get_managed_station(station_id: int, user) -> GuidanceStation:
    """The station if `user` manages it; 403 otherwise (its existence is public anyway)."""
    station = get_station_or_404(station_id)
    if not can_manage(user, station):
        abort(403)
    return station


def entry_visible(user, entry: LedgerEntry) -> bool:
    return entry.is_published or can_inspect(user, entry.station)


def get_entry_or_404(entry_id: int, user) -> LedgerEntry:
    """A ledger entry the user may read: published ones for all, the rest for inspectors."""
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or not entry_visible(user, entry):
        abort(404)
    return entry


def get_managed_entry(entry_id: int, user) -> LedgerEntry:
    """An entry the user may change: 404 if they cannot even see it, 403 if only see it."""
    entry = get_entry_or_404(entry_id, user)
    if not can_manage(user, entry.station):
        abort(403)
    return entry


def attachment_visible(user, attachment: LedgerAttachment) -> bool:
    """Photos of published entries are public; sign-in sheets (names, phones) and removed files
    only for inspectors."""
    entry = attachment.entry
    if can_inspect(user, entry.station):
        return True
    return (
        entry.is_published
        and attachment.kind == AttachmentKind.PHOTO
        and attachment.removed_at is None
    )


def get_attachment_or_404(attachment_id: int, user) -> LedgerAttachment:
    attachment = db.session.get(LedgerAttachment, attachment_id)
    if attachment is None or not attachment_visible(user, attachment):
        abort(404)
    return attachment


def get_managed_attachment(attachment_id: int, user) -> LedgerAttachment:
    attachment = get_attachment_or_404(attachment_id, user)
    if not can_manage(user, attachment.entry.station):
        abort(403)
    return attachment


def article_visible(user, article: GuidanceArticle) -> bool:
    return article.is_published or can_inspect(user, article.station)


def get_article_or_404(article_id: int, user) -> GuidanceArticle:
    article = db.session.get(GuidanceArticle, article_id)
    if article is None or not article_visible(user, article):
        abort(404)
    return article


def get_managed_article(article_id: int, user) -> GuidanceArticle:
    article = get_article_or_404(article_id, user)
    if not can_manage(user, article.station):
        abort(403)
    return article
