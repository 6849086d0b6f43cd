"""Sign-in, registration, password change and user administration."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..access import roles_required
from ..exceptions import Invalid, NotPermitted
from ..extensions import db, limiter
from ..formtools import EmptyForm, show_error
from ..models import Role, User
from . import services
from .forms import (
    ROLE_LABELS,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    RegisterForm,
    UserCreateForm,
    UserEditForm,
)

bp = Blueprint("accounts", __name__, url_prefix="/account")


def login_limit() -> str:
    from flask import current_app

    return current_app.config["RATELIMIT_LOGIN"]


def register_limit() -> str:
    from flask import current_app

    return current_app.config["RATELIMIT_REGISTER"]


def safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site (no open redirect)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except (Invalid, NotPermitted) as error:
            form.password.errors = [error.message]
        else:
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out."""
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(register_limit, methods=["POST"])
def register():
    """A producer creates an account; the enterprise comes next."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data, form.password.data, {Role.PRODUCER}, None, name=form.name.data
            )
        except Invalid as error:
            show_error(form, error)
        else:
            login_user(user)
            flash(_("Your account is ready. Now register your enterprise."), "success")
            return redirect(url_for("enterprises.register"))
    return render_template("accounts/register.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/password.html", form=form)


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    """Admin: every account with its roles."""
    page = db.paginate(db.select(User).order_by(User.email), per_page=50)
    return render_template("accounts/users.html", page=page, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    """Admin: create an account for an official, operator or producer."""
    form = UserCreateForm()
    if form.validate_on_submit():
        roles = {Role(r) for r in form.roles.data}
        try:
            user = services.create_user(
                form.email.data, form.password.data, roles, current_user, name=form.name.data
            )
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    """Admin: change a user's name, roles and whether they may sign in."""
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.enabled.data = user.is_enabled
    if form.validate_on_submit():
        try:
            services.update_user(
                user, current_user, name=form.name.data or "",
                roles={Role(r) for r in form.roles.data}, enabled=form.enabled.data,
            )  # fmt: skip
        except Invalid as error:
            show_error(form, error)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_edit.html", user=user, form=form, reset_form=PasswordResetForm(),
        unlock_form=EmptyForm(),
    )  # fmt: skip


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@roles_required(Role.ADMIN)
def user_reset_password(user_id: int):
    """Admin: set a new password for a user who lost theirs."""
    user = db.get_or_404(User, user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        flash(form.password.errors[0] if form.password.errors else _("Try again."), "error")
    else:
        services.reset_password(user, current_user, form.password.data)
        flash(_("Password reset."), "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(Role.ADMIN)
def user_unlock(user_id: int):
    """Admin: lift a sign-in lockout."""
    user = db.get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.unlock_user(user, current_user)
    flash(_("Account unlocked."), "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))
