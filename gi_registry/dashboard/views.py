"""The officials' dashboard."""

from flask import Blueprint, render_template

from ..access import officials_only
from ..clock import local_today
from ..models.base import utcnow
from .figures import dashboard

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.route("/")
@officials_only
def index():
    """Applications, authorizations, verification scans and station activity at a glance."""
    today = local_today()
    return render_template("dashboard/index.html", today=today, now=utcnow(), **dashboard(today))
