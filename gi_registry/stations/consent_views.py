"""A producer decides whether its public record names the station that helped it."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..exceptions import Invalid, InvalidTransition
from ..formtools import EmptyForm, show_error
from ..models import Role
from . import services
from .forms import ConsentForm
from .views import bp


def own_enterprise():
    """The signed-in producer's enterprise (404 if it has not registered one yet)."""
    return current_user.enterprise or abort(404)


@bp.route("/consent", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def consent():
    """Choose a station that served the enterprise to show on its public record, or none."""
    enterprise = current_user.enterprise
    if enterprise is None:
        flash(_("Register your enterprise first."), "info")
        return redirect(url_for("enterprises.register"))
    served = services.stations_that_served(enterprise)
    current = services.current_consent(enterprise)
    form = ConsentForm()
    form.station.choices = [(s.id, s.name) for s in served
                            if current is None or s.id != current.station_id]  # fmt: skip
    if form.validate_on_submit():
        try:
            services.give_consent(enterprise, current_user, form.station.data)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Your public record now names this station."), "success")
            return redirect(url_for("stations.consent"))
    return render_template("stations/consent.html", enterprise=enterprise, served=served,
                           form=form, current=current, empty_form=EmptyForm())  # fmt: skip


@bp.route("/consent/withdraw", methods=["POST"])
@roles_required(Role.PRODUCER)
def consent_withdraw():
    """Stop naming the station on the public record."""
    enterprise = own_enterprise()
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_consent(enterprise, current_user)
    except InvalidTransition as error:
        flash(error.message, "info")
    else:
        flash(_("Your public record no longer names a station."), "success")
    return redirect(url_for("stations.consent"))
