"""Issuing a label batch: serials, the label-sheet PDF, and one transaction that makes it ready.

Nothing half-made. The batch's labels and its `ready` state are committed in ONE short
transaction, after the sheet is already on disk:

1. claim the queued batch (a conditional UPDATE, so two workers never take the same one) and hold
   its lock (locks.py) so that a crash can be told from slow work;
2. draw the serials into a temporary spool file of fixed-width records (memory stays flat
   at 50,000 labels) and stream the sheet PDF from it to `<name>.part` (the slow part: about
   6 s per 10,000 labels), writing progress in short separate transactions;
3. in one transaction insert the labels in chunks of 2,000 with executemany, move the PDF into
   place, set the batch ready and audit it, and commit.

Why not insert first and render after: the labels would be visible (and verifiable) before the
batch is complete, and a crash while rendering would leave them behind for a clean-up to find.
Why not render inside the insert transaction: on SQLite that holds the database's write lock for
the whole render (30 s at 50,000), stalling every other writer, scans included. Inserting
50,000 short rows in one transaction takes about a second and needs no ORM objects in memory.

A serial that collides with an existing one (odds about 1 in 10^12 per label at a million
labels) makes its chunk's INSERT fail with IntegrityError: the transaction is rolled back, that
chunk is redrawn in the spool, the sheet is rendered again and the insert retried. On
PostgreSQL a concurrent batch inserting the same serial makes the second insert wait for the
first transaction, then fail the same way, so uniqueness never depends on timing.

Any failure — refusal, error, or a commit that does not happen — rolls back, deletes the files
and the batch's labels (there should be none), and marks the batch failed with the reason.
A process that dies mid-batch leaves no labels (the transaction never committed); `jobs.py`
finds its batch by its lock and puts it back in the queue.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator

from flask import current_app
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..certificates.render import LabelDoc, label_sheet_pdf
from ..certificates.serials import SERIAL_BODY, new_serial
from ..extensions import db
from ..models.base import utcnow
from ..models.labels import BatchState, Label, LabelBatch
from .locks import HeldLock
from .services import issuing_refusal, label_url, labels_dir

log = logging.getLogger(__name__)

CHUNK = 2000
RECORD = SERIAL_BODY + 1  # bytes per serial in the spool file
MAX_ATTEMPTS = 4
JOB_ACTOR = "label issuing job"
Progress = Callable[[int, int], None]


class Refused(Exception):
    """The batch may not be issued (the authorization changed); `code` names the reason."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code, self.detail = code, detail


def issue_batch(batch_id: int, progress: Progress | None = None) -> bool:
    """Issue a queued batch in this thread: True when it is ready, False otherwise (failed, or
    taken by someone else)."""
    lock = HeldLock(batch_id, labels_dir())
    if not lock.acquire():
        return False
    try:
        if not _claim(batch_id):
            return False
        try:
            _issue(batch_id, progress)
        except Refused as refusal:
            fail_batch(batch_id, f"{refusal.code}: {refusal.detail}".rstrip(": "))
            return False
        except Exception as error:  # any failure must leave a failed batch, never a half one
            log.exception("label batch %s failed", batch_id)
            fail_batch(batch_id, f"internal: {type(error).__name__}: {error}"[:500])
            return False
        return True
    finally:
        lock.release()


def _claim(batch_id: int) -> bool:
    """Move the batch from queued to issuing, naming its sheet file; commits."""
    pdf_name = f"{secrets.token_hex(16)}.pdf"
    claimed = db.session.execute(
        update(LabelBatch)
        .where(LabelBatch.id == batch_id, LabelBatch.state == BatchState.QUEUED)
        .values(state=BatchState.ISSUING, progress=0, error="", pdf_name=pdf_name)
    ).rowcount  # fmt: skip
    if claimed != 1:
        db.session.rollback()
        return False
    record("label_batch.start", "label_batch", batch_id, None, actor_label=JOB_ACTOR,
           before={"state": BatchState.QUEUED}, after={"state": BatchState.ISSUING})  # fmt: skip
    db.session.commit()
    return True


def _issue(batch_id: int, progress: Progress | None) -> None:
    batch = db.session.get(LabelBatch, batch_id, populate_existing=True)
    _check_still_allowed(batch)
    authorization = batch.authorization
    credit_code, gi_name = authorization.enterprise.credit_code, authorization.gi_name
    quantity, folder = batch.quantity, labels_dir()
    final, part = folder / batch.pdf_name, folder / (batch.pdf_name + ".part")
    reporter = _ProgressWriter(batch_id, quantity, progress)
    db.session.commit()  # hold nothing while rendering
    with tempfile.TemporaryFile(dir=folder) as spool:
        for start in range(0, quantity, CHUNK):
            _draw(spool, start, min(CHUNK, quantity - start))
        for _attempt in range(MAX_ATTEMPTS):
            reporter.restart()
            with open(part, "wb") as out:
                docs = (LabelDoc(s, label_url(s), credit_code, gi_name) for s in _read(spool))
                label_sheet_pdf(docs, out, progress=reporter)
            collided = _insert_labels(batch_id, spool, quantity)
            if collided is None:
                _make_ready(batch_id, quantity, part, final)
                return
            log.warning("label batch %s: serial collision in chunk %s, redrawing", batch_id,
                        collided)  # fmt: skip
            _draw(spool, collided * CHUNK, min(CHUNK, quantity - collided * CHUNK))
    raise Refused("collisions", f"{MAX_ATTEMPTS} attempts")


def _check_still_allowed(batch: LabelBatch) -> None:
    """The authorization may have been suspended since the batch was ordered."""
    if refusal := issuing_refusal(batch.authorization, batch.category):
        raise Refused("out_of_scope" if refusal.field else "authorization_inactive")


def _draw(spool, start: int, count: int) -> None:
    """Write `count` new serials at record `start` of the spool."""
    spool.seek(start * RECORD)
    spool.write("".join(new_serial() for _ in range(count)).encode("ascii"))


def _read(spool, chunk: int = CHUNK) -> Iterator[str]:
    """The spool's serials in order, a chunk at a time."""
    spool.seek(0, os.SEEK_END)
    total = spool.tell() // RECORD
    for start in range(0, total, chunk):
        spool.seek(start * RECORD)
        data = spool.read(min(chunk, total - start) * RECORD).decode("ascii")
        yield from (data[i : i + RECORD] for i in range(0, len(data), RECORD))


def _insert_labels(batch_id: int, spool, quantity: int) -> int | None:
    """Insert every label inside the current transaction (not committed); on a serial collision
    roll back and return the index of the chunk that collided."""
    serials = _read(spool)
    for index in range((quantity + CHUNK - 1) // CHUNK):
        rows = [{"batch_id": batch_id, "serial": next(serials)}
                for _ in range(min(CHUNK, quantity - index * CHUNK))]  # fmt: skip
        try:
            db.session.execute(insert(Label), rows)
        except IntegrityError:
            db.session.rollback()
            return index
    return None


def _make_ready(batch_id: int, quantity: int, part, final) -> None:
    """Finish the insert transaction: sheet in place, batch ready, audited, one commit."""
    try:
        batch = db.session.get(LabelBatch, batch_id, populate_existing=True)
        _check_still_allowed(batch)
        os.replace(part, final)
        done = db.session.execute(
            update(LabelBatch)
            .where(LabelBatch.id == batch_id, LabelBatch.state == BatchState.ISSUING)
            .values(state=BatchState.READY, progress=quantity, finished_at=utcnow())
        ).rowcount  # fmt: skip
        if done != 1:
            raise RuntimeError("the batch left the issuing state while it was being issued")
        record("label_batch.ready", "label_batch", batch_id, None, actor_label=JOB_ACTOR,
               before={"state": BatchState.ISSUING},
               after={"state": BatchState.READY, "labels": quantity,
                      "sheet": os.path.basename(final)})  # fmt: skip
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def fail_batch(batch_id: int, reason: str) -> None:
    """Mark a queued or issuing batch failed, leaving no labels and no files behind; commits."""
    db.session.rollback()
    batch = db.session.get(LabelBatch, batch_id, populate_existing=True)
    if batch is None:
        return
    discard_files(batch.pdf_name)
    db.session.execute(delete(Label).where(Label.batch_id == batch_id))
    before = batch.state
    failed = db.session.execute(
        update(LabelBatch)
        .where(LabelBatch.id == batch_id,
               LabelBatch.state.in_((BatchState.QUEUED, BatchState.ISSUING)))
        .values(state=BatchState.FAILED, error=reason, finished_at=utcnow(), pdf_name="")
    ).rowcount  # fmt: skip
    if failed:
        record("label_batch.fail", "label_batch", batch_id, None, actor_label=JOB_ACTOR,
               before={"state": before}, after={"state": BatchState.FAILED}, grounds=reason)  # fmt: skip
    db.session.commit()


def discard_files(pdf_name: str) -> None:
    """Delete a batch's sheet and its partial file, if any."""
    if not pdf_name:
        return
    folder = labels_dir()
    for path in (folder / pdf_name, folder / (pdf_name + ".part")):
        path.unlink(missing_ok=True)


class _ProgressWriter:
    """Records how many labels are rendered, at most about once a second, in its own commit."""

    def __init__(self, batch_id: int, total: int, echo: Progress | None) -> None:
        self.batch_id, self.total, self.echo = batch_id, total, echo
        self.interval = current_app.config.get("LABELS_PROGRESS_INTERVAL", 1.0)
        self.last = 0.0

    def restart(self) -> None:
        self.last = 0.0

    def __call__(self, done: int, _total: int | None) -> None:
        if self.echo:
            self.echo(done, self.total)
        now = time.monotonic()
        if now - self.last < self.interval and done < self.total:
            return
        self.last = now
        db.session.execute(
            update(LabelBatch)
            .where(LabelBatch.id == self.batch_id, LabelBatch.state == BatchState.ISSUING)
            .values(progress=done)
        )  # fmt: skip
        db.session.commit()
