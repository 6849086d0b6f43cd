"""Officials: the review queue, and authorizations with suspension, reinstatement, revocation."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import officials_only, roles_required
from ..exceptions import Invalid
from ..extensions import db
from ..models import Application, ApplicationState, Authorization, Enterprise, Role
from ..models.base import utcnow
from ..reference import ROUTE_LABELS, TOWNS
from . import services
from .forms import AuthorizationActionForm, QueueFilterForm
from .views import bp

OPEN_STATES = (ApplicationState.SUBMITTED, ApplicationState.RESUBMITTED,
               ApplicationState.REVIEW_PASSED)  # fmt: skip
AGES = {"7": _l("More than 7 days"), "30": _l("More than 30 days")}


def queue_filter_form() -> QueueFilterForm:
    from ..templating import state_label, town_label

    form = QueueFilterForm(request.args)
    form.state.choices = [("", _l("Open (awaiting action)"))] + [
        (s.value, state_label(s)) for s in ApplicationState
    ]
    form.town.choices = [("", _l("All"))] + [(t, town_label(t)) for t in TOWNS]
    form.route.choices = [("", _l("All"))] + [(k.value, v) for k, v in ROUTE_LABELS.items()]
    form.age.choices = [("", _l("Any"))] + list(AGES.items())
    return form


@bp.route("/review")
@officials_only
def queue():
    """The officials' review queue, oldest first, with filters and pagination."""
    form = queue_filter_form()
    form.validate()
    query = db.select(Application).join(Application.enterprise)
    if form.state.data and not form.state.errors:
        query = query.where(Application.state == form.state.data)
    else:
        query = query.where(Application.state.in_(OPEN_STATES))
    if form.town.data and not form.town.errors:
        query = query.where(Application.production_town == form.town.data)
    if form.route.data and not form.route.errors:
        query = query.where(Application.route == form.route.data)
    if form.age.data in AGES:
        query = query.where(
            Application.submitted_at < utcnow() - timedelta(days=int(form.age.data))
        )
    query = query.options(db.contains_eager(Application.enterprise)).order_by(
        Application.submitted_at.asc().nulls_last(), Application.id
    )
    page = db.paginate(query, per_page=20, error_out=False)
    return render_template("authorization/queue.html", form=form, page=page, now=utcnow())


@bp.route("/authorizations")
@officials_only
def authorizations():
    """Officials: every authorization, filterable by status."""
    query = (
        db.select(Authorization)
        .join(Authorization.enterprise)
        .options(db.contains_eager(Authorization.enterprise))
    )
    status = request.args.get("status", "")
    if status in ("active", "suspended", "revoked"):
        query = query.where(Authorization.status == status)
    if q := request.args.get("q", "").strip():
        query = query.where(Enterprise.name.contains(q) | Authorization.number.contains(q.upper()))
    page = db.paginate(query.order_by(Authorization.id.desc()), per_page=30, error_out=False)
    return render_template("authorization/authorizations.html", page=page, status=status, q=q)


@bp.route("/authorizations/<int:authorization_id>")
@officials_only
def authorization(authorization_id: int):
    """Officials: one authorization with its history and the status actions."""
    authorization = db.get_or_404(Authorization, authorization_id)
    return render_template(
        "authorization/authorization.html",
        authorization=authorization,
        timeline=services.timeline(authorization.application),
        form=AuthorizationActionForm(),
    )


@bp.route("/authorizations/<int:authorization_id>/<any(suspend,reinstate,revoke):action>",
          methods=["POST"])  # fmt: skip
@roles_required(Role.APPROVER)
def change_authorization(authorization_id: int, action: str):
    """An approver suspends, reinstates or revokes an authorization, with grounds."""
    authorization = db.get_or_404(Authorization, authorization_id)
    form = AuthorizationActionForm()
    if not form.validate_on_submit():
        flash(_("Give the grounds in writing."), "error")
    else:
        try:
            services.change_authorization(
                authorization, action, current_user, form.grounds.data, form.deadline.data
            )
        except Invalid as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("Authorization updated."), "success")
    return redirect(url_for("authorization.authorization", authorization_id=authorization.id))
