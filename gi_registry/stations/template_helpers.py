"""Filters and globals that the stations' templates (and the enterprise page's include) use."""

from flask import Blueprint

from . import labels


def register(bp: Blueprint) -> None:
    """Install the filters app-wide, so that other areas' templates can show station facts."""
    filters = {
        "ledger_kind_label": lambda v: labels.label(labels.KIND_LABELS, v),
        "ledger_kind_short": lambda v: labels.label(labels.KIND_SHORT_LABELS, v),
        "host_type_label": lambda v: labels.label(labels.HOST_TYPE_LABELS, v),
        "station_status_label": lambda v: labels.label(labels.STATUS_LABELS, v),
        "station_status_icon": lambda v: labels.icon(labels.STATUS_LABELS, v),
        "article_status_label": lambda v: labels.label(labels.ARTICLE_STATUS_LABELS, v),
        "article_status_icon": lambda v: labels.icon(labels.ARTICLE_STATUS_LABELS, v),
        "file_kind_label": lambda v: labels.label(labels.ATTACHMENT_LABELS, v),
        "language_label": lambda v: labels.label(labels.LANGUAGE_LABELS, v),
    }
    for name, function in filters.items():
        bp.add_app_template_filter(function, name)

    @bp.app_template_global()
    def station_named_for(enterprise):
        """The station the producer's public record names (None without consent)."""
        from .services import station_that_helped

        return station_that_helped(enterprise) if enterprise is not None else None
