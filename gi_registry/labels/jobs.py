"""Running label batches: in the request when small, otherwise as a queued job.

The job IS the batch row in state `queued`, so it survives restarts. Two things pick it up:

- `flask gi labels-worker`, a separate process (the production set-up: it keeps running while
  web workers are recycled, and a crash of either does not affect the other);
- when no worker runs, a background thread of the web process, started when a batch is ordered
  or its page is looked at, so that `make run` alone works. The trade-off: that thread shares
  the web process's CPU (and GIL) while it renders, and dies with the process; the batch is then
  found by its free lock (locks.py) and queued again by the next thread or worker.

Only one drainer runs at a time (the WORKER lock, across processes and machines on PostgreSQL):
on a 2-core machine rendering two sheets at once would only slow both.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import delete, update

from ..audit.services import record
from ..extensions import db
from ..models import AuditEntry
from ..models.labels import BatchState, Label, LabelBatch
from .issuing import JOB_ACTOR, Progress, discard_files, fail_batch, issue_batch
from .locks import WORKER, HeldLock
from .services import labels_dir

log = logging.getLogger(__name__)

MAX_STARTS = 3  # a batch that keeps killing its process is failed, not retried for ever


def dispatch(batch: LabelBatch) -> None:
    """Issue a just-ordered batch now if it is small, else make sure a drainer will take it."""
    if batch.quantity <= current_app.config.get("LABELS_INLINE_LIMIT", 2000):
        issue_batch(batch.id)
    else:
        kick()


def keep_moving(batch: LabelBatch) -> None:
    """Someone is waiting on this batch: if it is queued or orphaned and nobody drains, start."""
    if batch.state == BatchState.QUEUED or (
        batch.state == BatchState.ISSUING and not is_being_issued(batch.id)
    ):
        kick()


def is_being_issued(batch_id: int) -> bool:
    """Whether a live process holds the batch's lock."""
    lock = HeldLock(batch_id, labels_dir())
    if lock.acquire():
        lock.release()
        return False
    return True


def kick() -> threading.Thread | None:
    """Start a drain thread in this process unless a worker (or another thread) already drains."""
    if not current_app.config.get("LABELS_THREAD", True):
        return None
    lock = HeldLock(WORKER, labels_dir())
    if not lock.acquire():
        return None
    app = current_app._get_current_object()
    thread = threading.Thread(target=_drain_in_thread, args=(app, lock), name="labels-drain",
                              daemon=True)  # fmt: skip
    thread.start()
    return thread


def _drain_in_thread(app: Flask, lock: HeldLock) -> None:
    with app.app_context():
        try:
            while True:
                try:
                    drain()
                finally:
                    lock.release()
                # An order committed while we still held the lock found it taken and counts on
                # us: look once more after letting go.
                if not queued_ids() or not lock.acquire():
                    return
        except Exception:
            log.exception("label drain thread stopped")
        finally:
            lock.release()
            db.session.remove()


def queued_ids() -> list[int]:
    ids = db.session.scalars(
        db.select(LabelBatch.id).where(LabelBatch.state == BatchState.QUEUED).order_by(LabelBatch.id)
    ).all()  # fmt: skip
    db.session.commit()
    return list(ids)


def drain(announce: Callable[[LabelBatch], Progress | None] | None = None) -> int:
    """Issue every queued batch, oldest first (after requeueing orphans); return how many."""
    tried: set[int] = set()
    issued = 0
    while True:
        recover_interrupted()
        pending = [i for i in queued_ids() if i not in tried]
        if not pending:
            return issued
        batch_id = pending[0]
        tried.add(batch_id)
        progress = announce(db.session.get(LabelBatch, batch_id)) if announce else None
        issued += issue_batch(batch_id, progress)


def recover_interrupted() -> int:
    """Batches left `issuing` by a process that died go back to the queue; return how many."""
    ids = db.session.scalars(
        db.select(LabelBatch.id).where(LabelBatch.state == BatchState.ISSUING)
    ).all()  # fmt: skip
    db.session.commit()
    recovered = 0
    for batch_id in ids:
        lock = HeldLock(batch_id, labels_dir())
        if not lock.acquire():
            continue  # alive and working
        try:
            recovered += _requeue(batch_id)
        finally:
            lock.release()
    return recovered


def _requeue(batch_id: int) -> bool:
    starts = db.session.scalar(
        db.select(db.func.count()).select_from(AuditEntry)
        .where(AuditEntry.object_type == "label_batch", AuditEntry.object_id == str(batch_id),
               AuditEntry.action == "label_batch.start")
    )  # fmt: skip
    if starts >= MAX_STARTS:
        fail_batch(batch_id, f"interrupted: {starts} starts")
        return False
    batch = db.session.get(LabelBatch, batch_id, populate_existing=True)
    discard_files(batch.pdf_name)
    db.session.execute(delete(Label).where(Label.batch_id == batch_id))
    moved = db.session.execute(
        update(LabelBatch)
        .where(LabelBatch.id == batch_id, LabelBatch.state == BatchState.ISSUING)
        .values(state=BatchState.QUEUED, progress=0, pdf_name="")
    ).rowcount  # fmt: skip
    if moved:
        record("label_batch.requeue", "label_batch", batch_id, None, actor_label=JOB_ACTOR,
               before={"state": BatchState.ISSUING}, after={"state": BatchState.QUEUED},
               grounds="interrupted")  # fmt: skip
    db.session.commit()
    return bool(moved)


def run_worker(once: bool, poll: float, say: Callable[[str], None],
               announce: Callable[[LabelBatch], Progress | None] | None = None) -> None:  # fmt: skip
    """Drain the queue until stopped (or once); only one worker drains at a time."""
    lock = HeldLock(WORKER, labels_dir())
    waiting = False
    while not lock.acquire():
        if not waiting:
            say("Another label worker is running; waiting for it to stop.")
            waiting = True
        if once:
            return
        time.sleep(poll)
    try:
        say("Label worker started." if not once else "Issuing queued label batches.")
        while True:
            drain(announce)
            if once:
                return
            time.sleep(poll)
    finally:
        lock.release()
