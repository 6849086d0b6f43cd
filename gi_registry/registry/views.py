"""Public pages: the directory of legal users, each producer's record, the feed, the about page."""

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from .. import categories
from ..clock import local_today
from . import areamap, services
from .feed import build_feed
from .forms import DirectoryForm

bp = Blueprint("registry", __name__)
KIND_LABELS = {
    "approval": _l("Approval announced"),
    "change": _l("Change announced"),
    "cancellation": _l("Cancellation announced"),
    "correction": _l("Correction announced"),
}
KIND_NAMES = {
    "approval": _l("Approvals"),
    "change": _l("Changes"),
    "cancellation": _l("Cancellations"),
    "correction": _l("Correction"),
}


@bp.context_processor
def registry_words():
    return {"kind_words": KIND_LABELS, "kind_names": KIND_NAMES}


@bp.route("/registry/")
def directory():
    """Search the legal users of the mark by name or credit code, with filters and pages."""
    form = DirectoryForm(request.args)
    form.validate()
    search = services.DirectoryQuery(**{name: form.value(name) for name in
                                        ("q", "town", "route", "category", "status")})  # fmt: skip
    page = services.search_directory(search, local_today(), request.args.get("page", 1, type=int))
    return render_template("registry/directory.html", form=form, page=page, search=search,
                           names=services.category_names())  # fmt: skip


@bp.route("/registry/<key>")
def producer(key: str):
    """A producer's public record, by id or credit code."""
    enterprise = services.find_public_enterprise(key)
    if enterprise is None:
        abort(404)
    current = enterprise.authorizations[0]  # newest first
    return render_template(
        "registry/producer.html",
        enterprise=enterprise,
        current=current,
        certificate=services.current_certificate(current),
        station=services.helping_station(enterprise),
        timeline=services.public_timeline(enterprise),
        photos=services.approved_photos(enterprise.id),
        names=services.category_names(),
    )


@bp.route("/registry/feed.atom")
def feed():
    """Atom feed of announcements and standard changes."""
    body = build_feed(_("Boshan Glass GI registry: announcements and standards"),
                      _office_name())  # fmt: skip
    return Response(body, mimetype="application/atom+xml")


@bp.route("/about-boshan-glass")
def about():
    """What Boshan Glass is, where it is made, what it looks like, how to tell a genuine item."""
    photos: dict[str, list] = {}
    for photo in services.approved_photos():
        photos.setdefault(photo.category, []).append(photo)
    return render_template("registry/about.html", categories=categories.effective_categories(),
                           photos=photos, boxes=areamap.boxes(local_today()),
                           standards_url=_standards_url())  # fmt: skip


def _standards_url() -> str | None:
    """The public page of the working specification, if the standards area publishes one."""
    try:
        return url_for("standards.index")
    except BuildError:
        return None


def _office_name() -> str:
    from flask import current_app
    from flask_babel import get_locale

    key = "OFFICE_NAME_EN" if str(get_locale()) == "en" else "OFFICE_NAME"
    return current_app.config[key]


from . import announcement_views, photo_views  # noqa: E402, F401  (register their routes on bp)
