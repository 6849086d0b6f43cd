"""Officials browse and filter the audit log."""

from datetime import datetime, time

from flask import Blueprint, render_template, request

from ..access import officials_only
from ..clock import SHANGHAI
from ..extensions import db
from ..models import AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/audit")


def parse_day(text: str | None):
    try:
        return datetime.strptime(text or "", "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.route("/")
@officials_only
def index():
    """The audit log, newest first, filtered by object, action, actor and dates."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    args = request.args
    if object_type := args.get("object_type", "").strip():
        query = query.where(AuditEntry.object_type == object_type)
    if object_id := args.get("object_id", "").strip():
        query = query.where(AuditEntry.object_id == object_id)
    if action := args.get("action", "").strip():
        query = query.where(AuditEntry.action.startswith(action))
    if actor := args.get("actor", "").strip():
        query = query.where(AuditEntry.actor_label.contains(actor.lower()))
    if since := parse_day(args.get("since")):
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min, SHANGHAI))
    if until := parse_day(args.get("until")):
        query = query.where(AuditEntry.at <= datetime.combine(until, time.max, SHANGHAI))
    page = db.paginate(query, per_page=50, error_out=False)
    object_types = db.session.scalars(db.select(AuditEntry.object_type).distinct()).all()
    return render_template("audit/index.html", page=page, object_types=sorted(object_types))
