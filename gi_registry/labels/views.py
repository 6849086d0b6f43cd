"""Label batches: producers order and download them; officials list batches and flagged labels."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import officials_only, roles_required
from ..audit.services import entries_for
from ..certificates.serials import format_serial
from ..exceptions import Invalid, InvalidTransition
from ..extensions import db
from ..formtools import show_error
from ..models import Role
from ..models.labels import BatchState, LabelBatch
from . import jobs, services, text
from .forms import LabelOrderForm

bp = Blueprint("labels", __name__, url_prefix="/labels")


@bp.context_processor
def label_texts():
    return {"labels_text": text}


@bp.route("/")
@roles_required(Role.PRODUCER)
def mine():
    """A producer's label batches, and its authorizations to order more under."""
    enterprise = current_user.enterprise
    if enterprise is None:
        flash(_("Register your enterprise first."), "info")
        return redirect(url_for("enterprises.register"))
    page = db.paginate(services.batches_query(enterprise), per_page=20, error_out=False)
    return render_template("labels/mine.html", enterprise=enterprise, page=page)


@bp.route("/order/<int:authorization_id>", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def order(authorization_id: int):
    """A producer orders a batch of labels for one category of its authorization's scope."""
    authorization = services.get_own_authorization_or_404(authorization_id, current_user)
    form = LabelOrderForm(category_choices=text.category_choices(authorization.scope))
    status = 200
    if form.validate_on_submit():
        try:
            batch = services.order_batch(
                authorization, current_user, form.category.data, form.quantity.data
            )
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        except InvalidTransition as error:
            db.session.rollback()
            flash(error.message, "error")
            status = 409
        else:
            jobs.dispatch(batch)
            return redirect(url_for("labels.batch", batch_id=batch.id))
    refusal = services.authorization_refusal(authorization)
    recent = db.session.scalars(services.batches_query(authorization_id=authorization.id).limit(10))
    return render_template("labels/order.html", form=form, authorization=authorization,
                           refusal=refusal, recent=list(recent)), status  # fmt: skip


@bp.route("/batches/<int:batch_id>")
@login_required
def batch(batch_id: int):
    """One batch: its progress while it is prepared (the page reloads itself), then downloads."""
    batch = services.get_batch_or_404(batch_id, current_user)
    if not batch.is_finished:
        jobs.keep_moving(batch)
    return render_template("labels/batch.html", batch=batch,
                           timeline=entries_for(("label_batch", batch.id)))  # fmt: skip


@bp.route("/batches/<int:batch_id>/sheet.pdf")
@login_required
def sheet(batch_id: int):
    """The label-sheet PDF of a ready batch (the owner and officials only)."""
    batch = services.get_batch_or_404(batch_id, current_user)
    path = services.sheet_path(batch) or abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"{batch.number}.pdf")  # fmt: skip
    response.cache_control.private = True
    return response


@bp.route("/batches/<int:batch_id>/serials.csv")
@login_required
def serials(batch_id: int):
    """The serials of a ready batch as CSV: serial, as printed, and the URL its QR opens."""
    batch = services.get_batch_or_404(batch_id, current_user)
    if batch.state != BatchState.READY:
        abort(404)

    def rows():
        yield "serial,printed,url\r\n"
        for serial in services.batch_serials(batch.id):
            yield f"{serial},{format_serial(serial)},{services.label_url(serial)}\r\n"

    return Response(stream_with_context(rows()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{batch.number}-serials.csv"',
        "Cache-Control": "private, no-cache"})  # fmt: skip


@bp.route("/batches")
@officials_only
def batches():
    """Every label batch, newest first, optionally of one state."""
    state = request.args.get("state", "")
    query = services.batches_query()
    if state in set(BatchState):
        query = query.where(LabelBatch.state == state)
    page = db.paginate(query, per_page=30, error_out=False)
    return render_template("labels/batches.html", page=page, state=state, states=list(BatchState))


@bp.route("/flagged")
@officials_only
def flagged():
    """Labels scanned by so many different people that the code may have been copied."""
    page = db.paginate(services.flagged_labels_query(), per_page=30, error_out=False)
    return render_template("labels/flagged.html", page=page)
