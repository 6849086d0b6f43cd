"""Operators' pages: their station's ledger (record, correct, publish, files) and articles."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..exceptions import Invalid, InvalidTransition
from ..extensions import db
from ..formtools import EmptyForm, show_error
from ..models import Role
from ..models.stations import GuidanceArticle, LedgerEntry
from . import articles, ledger, services
from .access import get_managed_article, get_managed_attachment, get_managed_entry
from .access import get_managed_station as managed_station
from .forms import (
    ArticleForm,
    CorrectionForm,
    LedgerAttachmentForm,
    NewEntryForm,
    OperatorForm,
    ReasonForm,
)
from .views import bp

MANAGERS = (Role.STATION_OPERATOR, Role.ADMIN)


def entry_url(entry: LedgerEntry) -> str:
    return url_for("stations.entry", entry_id=entry.id)


@bp.route("/mine")
@roles_required(*MANAGERS)
def mine():
    """The stations whose records the signed-in operator keeps."""
    stations = services.operated_stations(current_user)
    if len(stations) == 1 and not current_user.has_role(Role.ADMIN):
        return redirect(url_for("stations.manage", station_id=stations[0].id))
    return render_template("stations/mine.html", stations=stations)


@bp.route("/<int:station_id>/manage")
@roles_required(*MANAGERS)
def manage(station_id: int):
    """A station's whole ledger, drafts included, and its articles, for its operators."""
    station = managed_station(station_id, current_user)
    query = (db.select(LedgerEntry).where(LedgerEntry.station_id == station.id)
             .order_by(LedgerEntry.entry_date.desc(), LedgerEntry.id.desc()))  # fmt: skip
    page = db.paginate(query, per_page=25, error_out=False)
    station_articles = db.session.scalars(db.select(GuidanceArticle).where(
        GuidanceArticle.station_id == station.id).order_by(GuidanceArticle.updated_at.desc())).all()  # fmt: skip
    return render_template("stations/manage.html", station=station, page=page,
                           articles=station_articles, empty_form=EmptyForm(),
                           operator_form=OperatorForm())  # fmt: skip


@bp.route("/<int:station_id>/entries/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def entry_new(station_id: int):
    """Record a service in the station's ledger."""
    station = managed_station(station_id, current_user)
    form = NewEntryForm()
    if form.validate_on_submit():
        try:
            entry = ledger.add_entry(station, current_user, form.data, form.publish.data)
        except Invalid as error:
            show_error(form, error)
        except InvalidTransition as error:
            flash(error.message, "error")
        else:
            flash(_("Entry recorded."), "success")
            return redirect(entry_url(entry))
    return render_template("stations/entry_form.html", form=form, station=station, entry=None)


@bp.route("/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def entry_correct(entry_id: int):
    """Correct an entry; its previous content is kept with the reason."""
    entry = get_managed_entry(entry_id, current_user)
    form = CorrectionForm(obj=entry)
    if not form.is_submitted():
        form.registered_codes.data = "\n".join(e.credit_code for e in entry.enterprises)
    if form.validate_on_submit():
        try:
            ledger.correct_entry(entry, current_user, form.data, form.reason.data)
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Correction saved; the previous version is kept in the history."), "success")
            return redirect(entry_url(entry))
    return render_template("stations/entry_form.html", form=form, station=entry.station,
                           entry=entry)  # fmt: skip


@bp.route("/entries/<int:entry_id>/<any(publish,unpublish):action>", methods=["POST"])
@roles_required(*MANAGERS)
def entry_visibility(entry_id: int, action: str):
    """Show an entry on the public page, or take it off."""
    entry = get_managed_entry(entry_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ledger.set_entry_published(entry, current_user, action == "publish")
    flash(_("Entry published.") if action == "publish" else _("Entry no longer public."), "success")
    return redirect(entry_url(entry))


@bp.route("/entries/<int:entry_id>/files", methods=["POST"])
@roles_required(*MANAGERS)
def entry_attach(entry_id: int):
    """Attach a photo or a sign-in sheet to an entry."""
    entry = get_managed_entry(entry_id, current_user)
    form = LedgerAttachmentForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(entry_url(entry))
    try:
        ledger.add_entry_attachment(entry, current_user, form.kind.data, form.file.data)
    except Invalid as error:
        flash(_("The file was not accepted: %(why)s", why=error.message), "error")
    else:
        flash(_("File attached."), "success")
    return redirect(entry_url(entry))


@bp.route("/files/<int:attachment_id>/remove", methods=["POST"])
@roles_required(*MANAGERS)
def attachment_remove(attachment_id: int):
    """Take a file off an entry, with a reason (the file is kept for inspectors)."""
    attachment = get_managed_attachment(attachment_id, current_user)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Say why the file is removed."), "error")
    else:
        try:
            ledger.remove_entry_attachment(attachment, current_user, form.reason.data)
        except (Invalid, InvalidTransition) as error:
            flash(error.message, "error")
        else:
            flash(_("File removed from the entry."), "success")
    return redirect(entry_url(attachment.entry))


@bp.route("/<int:station_id>/articles/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def article_new(station_id: int):
    """Write a guidance article (saved as a draft)."""
    station = managed_station(station_id, current_user)
    form = ArticleForm()
    if form.validate_on_submit():
        try:
            article = articles.create_article(station, current_user, form.data)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Draft saved. Publish it when it is ready."), "success")
            return redirect(url_for("stations.article", article_id=article.id))
    return render_template("stations/article_form.html", form=form, station=station, article=None)


@bp.route("/articles/<int:article_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def article_edit(article_id: int):
    """Change an article's text."""
    article = get_managed_article(article_id, current_user)
    form = ArticleForm(obj=article)
    if form.validate_on_submit():
        try:
            articles.update_article(article, current_user, form.data)
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("stations.article", article_id=article.id))
    return render_template("stations/article_form.html", form=form, station=article.station,
                           article=article)  # fmt: skip


@bp.route("/articles/<int:article_id>/<any(publish,unpublish):action>", methods=["POST"])
@roles_required(*MANAGERS)
def article_visibility(article_id: int, action: str):
    """Publish an article, or take it back to draft."""
    article = get_managed_article(article_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    articles.set_article_published(article, current_user, action == "publish")
    flash(_("Article published.") if action == "publish" else _("Article back to draft."),
          "success")  # fmt: skip
    return redirect(url_for("stations.article", article_id=article.id))


from . import admin_views  # noqa: E402, F401  (registers the admins' routes on bp)
