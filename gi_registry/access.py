"""Who may see what: role checks for views and one object-level helper per object."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .extensions import db
from .models import Application, Attachment, Role
from .models.accounts import OFFICIAL_ROLES


def roles_required(*roles: Role):
    """Decorator: signed in and holding at least one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def officials_only(view):
    """Decorator: reviewers, approvers and admins."""
    return roles_required(*OFFICIAL_ROLES)(view)


def can_see_application(user, application: Application) -> bool:
    """Officials see every application; a producer only its own enterprise's."""
    if user.is_official:
        return True
    enterprise = user.enterprise
    return enterprise is not None and application.enterprise_id == enterprise.id


def get_application_or_404(application_id: int, user) -> Application:
    """The application if `user` may see it; 404 otherwise, so that ids leak nothing."""
    application = db.session.get(Application, application_id)
    if application is None or not can_see_application(user, application):
        abort(404)
    return application


def get_attachment_or_404(attachment_id: int, user) -> Attachment:
    """The attachment if `user` may download it (the owner or an official)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not can_see_application(user, attachment.application):
        abort(404)
    return attachment
