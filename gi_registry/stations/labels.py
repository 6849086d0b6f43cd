"""Words (and icons) for the fixed choices of the stations area."""

from flask_babel import lazy_gettext as _l

from ..models.stations import ArticleStatus, AttachmentKind, HostType, LedgerKind, StationStatus

HOST_TYPE_LABELS = {
    HostType.SERVICE_CENTRE: _l("Administrative service centre"),
    HostType.INDUSTRIAL_PARK: _l("Industrial park or cluster"),
    HostType.UNIVERSITY: _l("University or research institute"),
    HostType.INDUSTRY_ASSOCIATION: _l("Industry association"),
}
STATUS_LABELS = {
    StationStatus.ACTIVE: (_l("Active"), "✔"),
    StationStatus.SUSPENDED: (_l("Suspended"), "⏸"),
    StationStatus.CLOSED: (_l("Closed"), "✖"),
}
KIND_LABELS = {
    LedgerKind.CONSULTATION: _l("Consultation"),
    LedgerKind.TRAINING: _l("Training or seminar"),
    LedgerKind.REGISTRATION_GUIDANCE: _l("Trademark registration guidance"),
    LedgerKind.GI_MARK_HELP: _l("Help applying for the GI special mark"),
    LedgerKind.RIGHTS_PROTECTION: _l("Rights-protection help"),
    LedgerKind.PUBLICITY: _l("Publicity event"),
}
# Short forms for chart axes and narrow table headers.
KIND_SHORT_LABELS = {
    LedgerKind.CONSULTATION: _l("Consultations"),
    LedgerKind.TRAINING: _l("Trainings"),
    LedgerKind.REGISTRATION_GUIDANCE: _l("Registration"),
    LedgerKind.GI_MARK_HELP: _l("GI mark"),
    LedgerKind.RIGHTS_PROTECTION: _l("Protection"),
    LedgerKind.PUBLICITY: _l("Publicity"),
}
ATTACHMENT_LABELS = {
    AttachmentKind.PHOTO: _l("Photo"),
    AttachmentKind.SIGN_IN_SHEET: _l("Sign-in sheet"),
}
ARTICLE_STATUS_LABELS = {
    ArticleStatus.DRAFT: (_l("Draft"), "✎"),
    ArticleStatus.PUBLISHED: (_l("Published"), "✔"),
}
LANGUAGE_LABELS = {"zh": _l("Chinese"), "en": _l("English")}


def label(table: dict, value: str) -> str:
    """The words for `value` in `table` (the value itself if unknown); icons are dropped."""
    found = table.get(value)
    if found is None:
        return value
    return str(found[0] if isinstance(found, tuple) else found)


def icon(table: dict, value: str) -> str:
    found = table.get(value)
    return found[1] if isinstance(found, tuple) else ""
