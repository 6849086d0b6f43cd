"""Photos of genuine items: producers submit, officials decide, everyone sees approved ones."""

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import uploads
from ..access import officials_only, roles_required
from ..categories import label as category_label
from ..exceptions import Invalid
from ..extensions import db
from ..formtools import show_error
from ..models import Role
from ..models.registry import PhotoState, ProductPhoto
from . import photos as service
from .forms import PhotoDecisionForm, PhotoForm
from .services import category_names
from .views import bp


@bp.route("/registry/photos/mine", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def my_photos():
    """A producer's photos of genuine items, and the form to submit one."""
    enterprise = current_user.enterprise
    allowed = service.photo_categories(enterprise)
    form = PhotoForm()
    form.category.choices = [(c, category_label(c)) for c in allowed]
    if allowed and form.validate_on_submit():
        try:
            service.submit_photo(enterprise, current_user, form.category.data, form.caption.data,
                                 form.photo.data)  # fmt: skip
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Photo submitted. It is shown publicly once an official approves it."),
                  "success")  # fmt: skip
            return redirect(url_for("registry.my_photos"))
    photos = service.my_photos(enterprise) if enterprise else []
    return render_template("registry/my_photos.html", form=form, photos=photos, allowed=allowed,
                           names=category_names())  # fmt: skip


@bp.route("/registry/photos/review")
@officials_only
def photo_review():
    """Officials: pending photos to approve or reject, and approved ones to take down."""
    return render_template("registry/photo_review.html", photos=service.review_queue(),
                           form=PhotoDecisionForm(), names=category_names())  # fmt: skip


@bp.route("/registry/photos/<int:photo_id>/<any(approve,reject):decision>", methods=["POST"])
@officials_only
def decide_photo(photo_id: int, decision: str):
    """An official approves or rejects a photo (rejecting needs grounds)."""
    photo = db.get_or_404(ProductPhoto, photo_id)
    form = PhotoDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.decide_photo(photo, current_user, decision, form.note.data)
    except Invalid as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Photo approved.") if decision == "approve" else _("Photo rejected."), "success")
    return redirect(url_for("registry.photo_review"))


@bp.route("/registry/photos/<int:photo_id>")
def photo_image(photo_id: int):
    """The image itself: anyone once approved; before that only its producer and officials."""
    photo = service.get_photo_or_404(photo_id, current_user)
    response = send_file(uploads.upload_dir() / photo.stored_name, mimetype=photo.content_type,
                         max_age=3600 if photo.state == PhotoState.APPROVED else 0)  # fmt: skip
    if photo.state != PhotoState.APPROVED:
        response.headers["Cache-Control"] = "private, no-store"
    return response
