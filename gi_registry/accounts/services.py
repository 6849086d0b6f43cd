"""Account services: creating users, signing in with lockout, passwords and roles."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from ..audit.services import record, snapshot
from ..exceptions import Invalid, NotPermitted
from ..extensions import db
from ..models import Role, User, UserRole
from ..models.base import utcnow

MIN_PASSWORD_LENGTH = 10


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader."""
    return db.session.get(User, int(user_id))


def find_user(email: str) -> User | None:
    """The user with this email (case-insensitive)."""
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            "password",
        )
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_user(
    email: str, password: str, roles: set[Role], actor: User | None, name: str = ""
) -> User:
    """Create an account with its roles; one audit entry; commits."""
    email = normalise_email(email)
    if find_user(email):
        raise Invalid(_("An account with this email already exists."), "email")
    if not roles:
        raise Invalid(_("Choose at least one role."), "roles")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    user.role_rows = [UserRole(role=Role(r).value) for r in sorted(roles)]
    db.session.add(user)
    db.session.flush()
    record(
        "user.create",
        "user",
        user.id,
        actor or user,
        after={"email": email, "name": user.name, "roles": sorted(user.roles)},
    )
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User:
    """The user if the password is right; counts failures and locks the account after too many."""
    user = find_user(email)
    now = utcnow()
    if user is None:
        raise Invalid(_("Wrong email or password."))
    if user.is_locked(now):
        raise NotPermitted(
            _("Too many failed sign-ins. The account is locked for a while; try again later.")
        )
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
            user.locked_until = now + timedelta(minutes=minutes)
            user.failed_logins = 0
            record("user.lock", "user", user.id, None, after={"locked_minutes": minutes},
                   grounds="repeated failed sign-ins")  # fmt: skip
        db.session.commit()
        raise Invalid(_("Wrong email or password."))
    if not user.is_enabled:
        raise NotPermitted(_("This account has been disabled."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; commits."""
    if not user.check_password(current):
        raise Invalid(_("The current password is wrong."), "current_password")
    user.password_hash = hash_password(new)
    record("user.password_change", "user", user.id, user)
    db.session.commit()


def update_user(user: User, actor: User, *, name: str, roles: set[Role], enabled: bool) -> None:
    """An admin changes a user's name, roles or whether the account may sign in; commits."""
    if user.id == actor.id and (Role.ADMIN not in roles or not enabled):
        raise Invalid(_("You cannot remove your own admin role or disable yourself."), "roles")
    if not roles:
        raise Invalid(_("Choose at least one role."), "roles")
    before = snapshot(user, "name", "is_enabled") | {"roles": sorted(user.roles)}
    user.name = name.strip()
    user.is_enabled = enabled
    user.role_rows = [UserRole(role=Role(r).value) for r in sorted(roles)]
    db.session.flush()
    after = snapshot(user, "name", "is_enabled") | {"roles": sorted(user.roles)}
    record("user.update", "user", user.id, actor, before=before, after=after)
    db.session.commit()


def unlock_user(user: User, actor: User) -> None:
    """An admin lifts a lockout; commits."""
    user.locked_until = None
    user.failed_logins = 0
    record("user.unlock", "user", user.id, actor)
    db.session.commit()


def reset_password(user: User, actor: User, new: str) -> None:
    """An admin sets a new password for a user; commits."""
    user.password_hash = hash_password(new)
    record("user.password_reset", "user", user.id, actor)
    db.session.commit()
