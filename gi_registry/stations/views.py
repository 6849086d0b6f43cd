"""Public pages of the guidance stations: directory, station page, ledger, CSV, articles, files."""

from datetime import date

from flask import Blueprint, Response, flash, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from ..charts import bar_chart, column_chart
from ..clock import local_today
from ..extensions import db
from ..models.stations import ArticleStatus, GuidanceArticle, GuidanceStation, LedgerEntry
from ..reference import TOWNS
from ..uploads import upload_dir
from . import reports
from .access import (
    can_inspect,
    can_manage,
    get_article_or_404,
    get_attachment_or_404,
    get_entry_or_404,
    get_station_or_404,
)
from .forms import LedgerAttachmentForm, ReasonForm
from .labels import KIND_SHORT_LABELS
from .markdown import render_markdown
from .template_helpers import register as register_template_helpers

bp = Blueprint("stations", __name__, url_prefix="/stations")
register_template_helpers(bp)


def chosen_year(station: GuidanceStation) -> int:
    """The year asked for in ?year=, if the station could have a ledger then; else this year."""
    years = reports.available_years(station, local_today())
    year = request.args.get("year", type=int)
    return year if year in years else years[0]


def visible_entries_query(station: GuidanceStation):
    query = db.select(LedgerEntry).where(LedgerEntry.station_id == station.id)
    if not can_inspect(current_user, station):
        query = query.where(LedgerEntry.is_published.is_(True))
    return query


def visible_articles(station: GuidanceStation) -> list[GuidanceArticle]:
    query = db.select(GuidanceArticle).where(GuidanceArticle.station_id == station.id)
    if not can_inspect(current_user, station):
        query = query.where(GuidanceArticle.status == ArticleStatus.PUBLISHED)
    return list(db.session.scalars(query.order_by(GuidanceArticle.updated_at.desc())))


@bp.route("/")
def index():
    """The directory of guidance stations, filtered by town."""
    query = db.select(GuidanceStation).order_by(GuidanceStation.town, GuidanceStation.name)
    if (town := request.args.get("town")) in TOWNS:
        query = query.where(GuidanceStation.town == town)
    stations = db.session.scalars(query).all()
    return render_template("stations/index.html", stations=stations, town=town)


@bp.route("/<int:station_id>")
def station(station_id: int):
    """A station: its details, the year's indicators and charts, enterprises served, articles."""
    station = get_station_or_404(station_id)
    year = chosen_year(station)
    inspecting = can_inspect(current_user, station)
    entries = reports.ledger_rows(station, year, published_only=not inspecting)
    summary = reports.summarise(entries, year)
    months = [(str(m), n) for m, n in enumerate(summary["by_month"], start=1)]
    kinds = [(str(KIND_SHORT_LABELS[k]), v["count"]) for k, v in summary["by_kind"].items()]
    month_chart = column_chart(
        _("Ledger entries by month, %(year)d", year=year), months,
        _("One column per month; the table beside it gives the same numbers."))  # fmt: skip
    kind_chart = bar_chart(
        _("Ledger entries by kind of service, %(year)d", year=year), kinds,
        _("One bar per kind of service; the table gives the same numbers."))  # fmt: skip
    return render_template(
        "stations/station.html", station=station, year=year, summary=summary,
        can_be_rated=reports.can_be_rated(station, year), inspecting=inspecting,
        years=reports.available_years(station, local_today()), month_chart=month_chart,
        kind_chart=kind_chart, served=reports.enterprises_served(entries),
        recent=list(reversed(entries[-5:])), articles=visible_articles(station),
        manager=can_manage(current_user, station),
    )  # fmt: skip


@bp.route("/<int:station_id>/ledger")
def ledger(station_id: int):
    """The station's ledger entries, newest first, for one year or all years."""
    station = get_station_or_404(station_id)
    query = visible_entries_query(station)
    year = request.args.get("year", type=int)
    if year in reports.available_years(station, local_today()):
        query = query.where(LedgerEntry.entry_date.between(date(year, 1, 1), date(year, 12, 31)))
    else:
        year = None
    query = query.order_by(LedgerEntry.entry_date.desc(), LedgerEntry.id.desc())
    page = db.paginate(query, per_page=25, error_out=False)
    return render_template("stations/ledger.html", station=station, page=page, year=year,
                           years=reports.available_years(station, local_today()),
                           inspecting=can_inspect(current_user, station))  # fmt: skip


@bp.route("/<int:station_id>/ledger.csv")
def ledger_csv(station_id: int):
    """The ledger as CSV (UTF-8 with BOM) for inspectors; the same rows as the page."""
    station = get_station_or_404(station_id)
    year = request.args.get("year", type=int)
    if year not in reports.available_years(station, local_today()):
        year = None
    entries = reports.ledger_rows(station, year, not can_inspect(current_user, station))
    name = f"station-{station.id}-ledger{'-' + str(year) if year else ''}.csv"
    return Response(reports.ledger_csv(station, entries), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@bp.route("/entries/<int:entry_id>")
def entry(entry_id: int):
    """One ledger entry: its content, files, and (for inspectors) its corrections."""
    entry = get_entry_or_404(entry_id, current_user)
    inspecting = can_inspect(current_user, entry.station)
    files = [a for a in entry.attachments if inspecting or
             (a.removed_at is None and a.kind == "photo")]  # fmt: skip
    return render_template(
        "stations/entry.html", entry=entry, station=entry.station, files=files,
        inspecting=inspecting, manager=can_manage(current_user, entry.station),
        attach_form=LedgerAttachmentForm(), reason_form=ReasonForm(),
    )  # fmt: skip


@bp.route("/files/<int:attachment_id>")
def attachment(attachment_id: int):
    """A photo (shown in the page) or a sign-in sheet (downloaded, inspectors only)."""
    attachment = get_attachment_or_404(attachment_id, current_user)
    inline = attachment.content_type.startswith("image/")
    return send_file(upload_dir() / attachment.stored_name, mimetype=attachment.content_type,
                     as_attachment=not inline, download_name=attachment.original_name)  # fmt: skip


@bp.route("/articles/<int:article_id>")
def article(article_id: int):
    """A guidance article, its Markdown rendered safely."""
    article = get_article_or_404(article_id, current_user)
    if not article.is_published:
        flash(_("This article is a draft: only the station and officials can see it."), "warning")
    return render_template("stations/article.html", article=article, station=article.station,
                           body=render_markdown(article.body),
                           manager=can_manage(current_user, article.station))  # fmt: skip


from . import consent_views, manage_views  # noqa: E402, F401  (register their routes on bp)
