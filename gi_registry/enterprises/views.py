"""Producers register and edit their enterprise; officials record and browse enterprises."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import officials_only, roles_required
from ..exceptions import Invalid
from ..extensions import db
from ..formtools import show_error
from ..models import Enterprise, Role
from ..reference import TOWNS
from . import services
from .forms import EnterpriseForm, OfficialEnterpriseForm

bp = Blueprint("enterprises", __name__, url_prefix="/enterprise")


def form_data(form) -> dict:
    return {name: form[name].data for name in services.FIELDS if name in form}


@bp.route("/register", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def register():
    """A producer registers its enterprise."""
    if current_user.enterprise is not None:
        return redirect(url_for("enterprises.mine"))
    form = EnterpriseForm()
    if form.validate_on_submit():
        try:
            services.register_enterprise(form_data(form), current_user, current_user)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Your enterprise is registered. You can now apply to use the mark."), "success")
            return redirect(url_for("authorization.my_applications"))
    return render_template("enterprises/form.html", form=form, official=False)


@bp.route("/")
@roles_required(Role.PRODUCER)
def mine():
    """A producer's own enterprise."""
    if current_user.enterprise is None:
        return redirect(url_for("enterprises.register"))
    return render_template("enterprises/detail.html", enterprise=current_user.enterprise)


@bp.route("/edit", methods=["GET", "POST"])
@roles_required(Role.PRODUCER)
def edit_mine():
    """A producer corrects its enterprise's details."""
    enterprise = current_user.enterprise or abort(404)
    return edit_form(enterprise, EnterpriseForm, url_for("enterprises.mine"))


@bp.route("/all")
@officials_only
def index():
    """Officials: every enterprise, searchable by name or code and filtered by town."""
    query = db.select(Enterprise).order_by(Enterprise.name)
    if q := request.args.get("q", "").strip():
        query = query.where(
            Enterprise.name.contains(q) | Enterprise.credit_code.contains(q.upper())
        )
    if (town := request.args.get("town")) in TOWNS:
        query = query.where(Enterprise.town == town)
    page = db.paginate(query, per_page=30, error_out=False)
    return render_template("enterprises/index.html", page=page, q=q, town=town)


@bp.route("/new", methods=["GET", "POST"])
@officials_only
def record_new():
    """Officials record an enterprise, accepting a failing code only with a reason."""
    form = OfficialEnterpriseForm()
    if form.validate_on_submit():
        try:
            owner = services.find_owner((form.owner_email.data or "").strip())
            enterprise = services.register_enterprise(form_data(form), owner, current_user)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Enterprise recorded."), "success")
            return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))
    return render_template("enterprises/form.html", form=form, official=True)


@bp.route("/<int:enterprise_id>")
@officials_only
def detail(enterprise_id: int):
    """Officials: one enterprise with its applications and authorizations."""
    enterprise = db.get_or_404(Enterprise, enterprise_id)
    return render_template("enterprises/detail.html", enterprise=enterprise)


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@officials_only
def edit(enterprise_id: int):
    """Officials correct an enterprise's details."""
    enterprise = db.get_or_404(Enterprise, enterprise_id)
    target = url_for("enterprises.detail", enterprise_id=enterprise.id)
    return edit_form(enterprise, OfficialEnterpriseForm, target)


def edit_form(enterprise: Enterprise, form_class, done_url: str):
    form = form_class(obj=enterprise)
    if "owner_email" in form:
        del form.owner_email
    if form.validate_on_submit():
        try:
            services.update_enterprise(enterprise, form_data(form), current_user)
        except Invalid as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Changes saved."), "success")
            return redirect(done_url)
    official = form_class is OfficialEnterpriseForm
    return render_template("enterprises/form.html", form=form, official=official, editing=True)
