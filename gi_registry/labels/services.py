"""Ordering label batches, who may see them, and where their sheets live.

Issuing a batch (serials, sheet, the one transaction that makes it ready) is in `issuing.py`;
running it in the background is in `jobs.py`.
"""

from pathlib import Path

from flask import abort, current_app
from flask_babel import gettext as _

from ..audit.services import record
from ..clock import local_today
from ..exceptions import Invalid, InvalidTransition, NotPermitted
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Enterprise, User
from ..models.labels import MAX_BATCH_QUANTITY, BatchState, Label, LabelBatch


def labels_dir() -> Path:
    """The folder of label-sheet PDFs (LABELS_DIR, by default instance/labels), created on use."""
    folder = Path(
        current_app.config.get("LABELS_DIR") or Path(current_app.instance_path) / "labels"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sheet_path(batch: LabelBatch) -> Path | None:
    """The label-sheet PDF of a ready batch, if it is on disk."""
    if batch.state != BatchState.READY or not batch.pdf_name:
        return None
    path = labels_dir() / batch.pdf_name
    return path if path.is_file() else None


def label_url(serial: str) -> str:
    """What a label's QR opens: the public verification page of its serial."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/l/{serial}"


def owns_authorization(user: User, authorization: Authorization) -> bool:
    enterprise = user.enterprise
    return enterprise is not None and authorization.enterprise_id == enterprise.id


def authorization_refusal(authorization: Authorization) -> str | None:
    """Why no labels may be ordered under `authorization` today, if so (suspended, revoked...)."""
    today = local_today()
    status = authorization.status_on(today)
    if status == AuthorizationStatus.ACTIVE and authorization.valid_from <= today:
        return None
    from ..templating import state_label

    if status == AuthorizationStatus.ACTIVE:
        return _("Labels can only be ordered once the authorization is in force (from %(d)s).",
                 d=authorization.valid_from.isoformat())  # fmt: skip
    return _("Labels can only be ordered under a valid authorization; this one is %(status)s.",
             status=state_label(status))  # fmt: skip


def issuing_refusal(authorization: Authorization, category: str) -> Invalid | None:
    """Why no labels may be issued now under `authorization` for `category`, if so."""
    if message := authorization_refusal(authorization):
        return Invalid(message)
    if category not in authorization.scope:
        return Invalid(_("Choose a product category within the authorization's scope."),
                       "category")  # fmt: skip
    return None


def order_batch(
    authorization: Authorization, actor: User | None, category: str, quantity: int | None
) -> LabelBatch:
    """A producer (or the command line, actor None) orders a batch of labels; commits.

    The batch is queued; `issuing.issue_batch` makes its labels and sheet.
    """
    if actor is not None and not owns_authorization(actor, authorization):
        raise NotPermitted(_("You can only order labels under your own authorization."))
    if quantity is None or not 1 <= quantity <= MAX_BATCH_QUANTITY:
        raise Invalid(_("Order between 1 and %(max)s labels.", max=f"{MAX_BATCH_QUANTITY:,}"),
                      "quantity")  # fmt: skip
    if refusal := issuing_refusal(authorization, category):
        if refusal.field is None:
            raise InvalidTransition(refusal.message)
        raise refusal
    batch = LabelBatch(
        authorization_id=authorization.id, category=category, quantity=quantity,
        state=BatchState.QUEUED, created_by_id=actor.id if actor else None,
    )  # fmt: skip
    db.session.add(batch)
    db.session.flush()
    record("label_batch.order", "label_batch", batch.id, actor,
           actor_label=None if actor else "command line",
           after={"state": BatchState.QUEUED, "authorization": authorization.number,
                  "category": category, "quantity": quantity})  # fmt: skip
    db.session.commit()
    return batch


def can_see_batch(user, batch: LabelBatch) -> bool:
    """Officials see every batch; a producer only its own enterprise's."""
    return user.is_official or owns_authorization(user, batch.authorization)


def get_batch_or_404(batch_id: int, user) -> LabelBatch:
    """The batch if `user` may see it; 404 otherwise, so that ids leak nothing."""
    batch = db.session.get(LabelBatch, batch_id)
    if batch is None or not can_see_batch(user, batch):
        abort(404)
    return batch


def get_own_authorization_or_404(authorization_id: int, user) -> Authorization:
    """One of the signed-in producer's authorizations; 404 for anyone else's."""
    authorization = db.session.get(Authorization, authorization_id)
    if authorization is None or not owns_authorization(user, authorization):
        abort(404)
    return authorization


def batches_query(enterprise: Enterprise | None = None, authorization_id: int | None = None):
    """Batches newest first, with their authorization and enterprise loaded in the same query."""
    query = (
        db.select(LabelBatch)
        .join(LabelBatch.authorization)
        .join(Authorization.enterprise)
        .options(db.contains_eager(LabelBatch.authorization).contains_eager(
            Authorization.enterprise))
        .order_by(LabelBatch.id.desc())
    )  # fmt: skip
    if enterprise is not None:
        query = query.where(Authorization.enterprise_id == enterprise.id)
    if authorization_id is not None:
        query = query.where(LabelBatch.authorization_id == authorization_id)
    return query


def flagged_labels_query():
    """Labels flagged as possibly copied, most recently flagged first, with batch and producer."""
    return (
        db.select(Label)
        .join(Label.batch)
        .join(LabelBatch.authorization)
        .join(Authorization.enterprise)
        .options(db.contains_eager(Label.batch).contains_eager(LabelBatch.authorization)
                 .contains_eager(Authorization.enterprise))
        .where(Label.copy_flagged_at.is_not(None))
        .order_by(Label.copy_flagged_at.desc(), Label.id.desc())
    )  # fmt: skip


def batch_serials(batch_id: int, chunk: int = 2000):
    """The serials of a batch in issue order, fetched a chunk at a time (for the CSV)."""
    last = 0
    while True:
        rows = db.session.execute(
            db.select(Label.id, Label.serial).where(Label.batch_id == batch_id, Label.id > last)
            .order_by(Label.id).limit(chunk)
        ).all()  # fmt: skip
        if not rows:
            return
        yield from (serial for _, serial in rows)
        last = rows[-1][0]
