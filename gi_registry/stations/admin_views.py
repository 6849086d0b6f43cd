"""Admins' pages: record and change stations, assign and remove their operators."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..exceptions import Invalid
from ..extensions import db
from ..formtools import EmptyForm, show_error
from ..models import Role
from . import services
from .access import get_station_or_404
from .forms import OperatorForm, StationForm
from .views import bp


def manage_url(station) -> str:
    return url_for("stations.manage", station_id=station.id)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def station_new():
    """Record a new guidance station."""
    form = StationForm()
    if form.validate_on_submit():
        try:
            station = services.create_station(current_user, form.data)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Station recorded. Assign its operators next."), "success")
            return redirect(manage_url(station))
    return render_template("stations/station_form.html", form=form, station=None)


@bp.route("/<int:station_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def station_edit(station_id: int):
    """Correct a station's details or change its status."""
    station = get_station_or_404(station_id)
    form = StationForm(obj=station)
    if form.validate_on_submit():
        try:
            services.update_station(station, current_user, form.data)
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Changes saved."), "success")
            return redirect(manage_url(station))
    return render_template("stations/station_form.html", form=form, station=station)


@bp.route("/<int:station_id>/operators", methods=["POST"])
@roles_required(Role.ADMIN)
def operator_add(station_id: int):
    """Let an operator account keep this station's records."""
    station = get_station_or_404(station_id)
    form = OperatorForm()
    if not form.validate_on_submit():
        flash(_("Give the email of a station operator's account."), "error")
        return redirect(manage_url(station))
    try:
        user = services.assign_operator(station, current_user, form.email.data)
    except Invalid as error:
        flash(error.message, "error")
    else:
        flash(_("%(email)s now operates this station.", email=user.email), "success")
    return redirect(manage_url(station))


@bp.route("/<int:station_id>/operators/<int:user_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def operator_remove(station_id: int, user_id: int):
    """Take the station away from one of its operators."""
    station = get_station_or_404(station_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.remove_operator(station, current_user, user_id)
    except Invalid as error:
        flash(error.message, "error")
    else:
        flash(_("Operator removed from the station."), "success")
    return redirect(manage_url(station))
