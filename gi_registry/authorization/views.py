"""Producers' applications: create, edit, attach, submit, follow; shared application page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import categories, uploads
from ..access import get_application_or_404, get_attachment_or_404, roles_required
from ..exceptions import Invalid
from ..extensions import db
from ..formtools import EmptyForm, show_error
from ..models import Role
from ..reference import all_material_kinds, required_materials
from . import services
from .forms import ApplicationForm, ApprovalForm, AttachmentForm, GroundsForm
from .workflow import allowed_actions

bp = Blueprint("authorization", __name__)


def producer_enterprise():
    """The signed-in producer's enterprise, or a redirect to register it first."""
    return current_user.enterprise


@bp.route("/applications")
@roles_required(Role.PRODUCER)
def my_applications():
    """A producer's applications and authorizations."""
    enterprise = producer_enterprise()
    if enterprise is None:
        flash(_("Register your enterprise first."), "info")
        return redirect(url_for("enterprises.register"))
    return render_template("authorization/mine.html", enterprise=enterprise)


@bp.route("/applications/new", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def new_application():
    """A producer starts an application for its enterprise."""
    enterprise = producer_enterprise()
    if enterprise is None:
        return redirect(url_for("enterprises.register"))
    form = ApplicationForm(category_choices=categories.choices())
    if request.method == "GET":
        form.production_town.data = enterprise.town
        form.production_address.data = enterprise.address
    if form.validate_on_submit():
        try:
            application = services.create_application(
                enterprise, current_user, form.data, categories.slugs()
            )
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Draft saved. Attach the required materials, then submit."), "success")
            return redirect(url_for("authorization.application", application_id=application.id))
    return render_template("authorization/form.html", form=form, application=None)


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def edit_application(application_id: int):
    """The producer corrects a draft or returned application."""
    application = get_application_or_404(application_id, current_user)
    form = ApplicationForm(obj=application, category_choices=categories.choices())
    if form.validate_on_submit():
        try:
            services.update_application(application, current_user, form.data, categories.slugs())
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("authorization.application", application_id=application.id))
    return render_template("authorization/form.html", form=form, application=application)


@bp.route("/applications/<int:application_id>")
@login_required
def application(application_id: int):
    """One application: its details, materials, timeline and the actions open to the viewer."""
    application = get_application_or_404(application_id, current_user)
    attach_form = AttachmentForm()
    attach_form.kind.choices = [(m.kind, m.label) for m in all_material_kinds()]
    return render_template(
        "authorization/detail.html",
        application=application,
        actions=allowed_actions(application, current_user),
        required=required_materials(application.route),
        missing=services.missing_materials(application),
        timeline=services.timeline(application),
        attach_form=attach_form,
        grounds_form=GroundsForm(),
        approval_form=ApprovalForm(),
        empty_form=EmptyForm(),
        editable=application.is_editable and current_user.enterprise is not None
        and current_user.enterprise.id == application.enterprise_id,
    )  # fmt: skip


@bp.route("/applications/<int:application_id>/attachments", methods=["POST"])
@roles_required(Role.PRODUCER)
def upload_attachment(application_id: int):
    """The producer attaches a document (checked by its bytes)."""
    application = get_application_or_404(application_id, current_user)
    form = AttachmentForm()
    form.kind.choices = [(m.kind, m.label) for m in all_material_kinds()]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
    else:
        try:
            services.add_attachment(application, current_user, form.kind.data, form.file.data)
        except Invalid as error:
            flash(_("The file was not accepted: %(why)s", why=error.message), "error")
        else:
            flash(_("Document attached."), "success")
    return redirect(url_for("authorization.application", application_id=application.id))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download_attachment(attachment_id: int):
    """The owner or an official downloads an attachment."""
    attachment = get_attachment_or_404(attachment_id, current_user)
    return uploads.send_stored(
        attachment.stored_name, attachment.original_name, attachment.content_type
    )


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@roles_required(Role.PRODUCER)
def delete_attachment(attachment_id: int):
    """The producer removes an attachment from an editable application."""
    attachment = get_attachment_or_404(attachment_id, current_user)
    application_id = attachment.application_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.remove_attachment(attachment, current_user)
    flash(_("Document removed."), "success")
    return redirect(url_for("authorization.application", application_id=application_id))


ACTIONS = {
    "submit": (lambda a, u, f: services.submit_application(a, u), _l("Application submitted.")),
    "resubmit": (lambda a, u, f: services.resubmit_application(a, u, f.grounds.data),
                 _l("Application resubmitted.")),
    "withdraw": (lambda a, u, f: services.withdraw_application(a, u, f.grounds.data),
                 _l("Application withdrawn.")),
    "return": (lambda a, u, f: services.return_application(a, u, f.grounds.data),
               _l("Application returned for correction.")),
    "pass_review": (lambda a, u, f: services.pass_review(a, u, f.grounds.data),
                    _l("District review recorded as passed.")),
    "reject": (lambda a, u, f: services.reject_application(a, u, f.grounds.data),
               _l("Application rejected.")),
    "approve": (lambda a, u, f: services.approve_application(
        a, u, f.valid_from.data, f.valid_until.data, f.grounds.data), _l("Application approved.")),
}  # fmt: skip


@bp.route("/applications/<int:application_id>/<any(" + ",".join(ACTIONS) + "):action>",
          methods=["POST"])  # fmt: skip
@login_required
def act(application_id: int, action: str):
    """Apply one workflow action chosen on the application page."""
    application = get_application_or_404(application_id, current_user)
    form = ApprovalForm() if action == "approve" else GroundsForm()
    if not form.validate_on_submit():
        abort(400)
    run, done_message = ACTIONS[action]
    try:
        run(application, current_user, form)
    except Invalid as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(str(done_message), "success")
    return redirect(url_for("authorization.application", application_id=application.id))


from . import review_views  # noqa: E402, F401  (registers the officials' routes on bp)
