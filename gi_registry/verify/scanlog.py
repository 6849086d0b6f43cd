"""The scan log's writer: scans are written in batches by a background thread, off the request.

A verification page puts its scan on an in-process queue and goes on; a daemon thread of the
worker process writes what has queued up every SCAN_FLUSH_INTERVAL seconds (or as soon as
SCAN_FLUSH_SIZE scans wait) in ONE transaction: one commit for hundreds of scans instead of one
each, and on SQLite no request ever waits for the database's single write lock. The queue is
bounded (SCAN_QUEUE_LIMIT): when it is full the scan is written in the request instead, so
nothing is dropped while the database keeps up, and a write that fails is logged, never raised
(the page must not fail because of its log). What is queued is written when the process exits
(atexit, and gunicorn's worker_exit hook).

A certificate's scan is one row of the log. A label's scan also counts on the label (count, first
scan, distinct scanners, copy flag): the writer runs the counting UPDATE ... RETURNING and the
insert for each queued label scan in order, in the batch's transaction, and flags a label whose
distinct scanners cross LABEL_COPY_THRESHOLD (with its audit entry). Until then the scan is
*pending*: the page a consumer is shown adds this process's pending scans of the label to the
counters it read (services.check_label), so that the same phone scanning twice sees 1 then 2.

The trade-offs: the log and the counters reach the database up to SCAN_FLUSH_INTERVAL after the
page was served, and a process killed with SIGKILL loses at most that much. Two phones scanning
the same label through two different worker processes within that interval each see the
counters without the other's scan (both may be told it is the first scan); nothing is ever
counted twice in the database.

Tests (TESTING) and SCAN_BATCH = False write each scan in the request, as before.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app

from ..extensions import db
from ..models.certificates import ScanKind

log = logging.getLogger(__name__)

DEFAULTS = {"SCAN_FLUSH_INTERVAL": 0.2, "SCAN_FLUSH_SIZE": 500, "SCAN_QUEUE_LIMIT": 20_000}
LABEL = ScanKind.LABEL.value


@dataclass(slots=True)
class Pending:
    """A label's scans queued in this process and not yet written (one made per label scanned:
    plain containers, no Counter). How many: the sum of the scans per scanner."""

    first_at: datetime
    scanners: dict[str, int] = field(default_factory=dict)  # queued scans per scanner
    new: set[str] = field(default_factory=set)  # the scanners each counted as new when queued


@dataclass(frozen=True, slots=True)
class Queued:
    """What a page adds to a label's counters as read from the database: this process's scans
    of the label still queued (ScanWriter.pending)."""

    count: int = 0
    first_at: datetime | None = None
    new: int = 0  # how many of them were counted as a new scanner
    by_scanner: bool = False  # whether the page's own scanner is among them


NOTHING_QUEUED = Queued()


class ScanWriter:
    """One per app and process: a bounded queue and the thread that empties it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        settings = {key: app.config.get(key, value) for key, value in DEFAULTS.items()}
        self.interval = float(settings["SCAN_FLUSH_INTERVAL"])
        self.size = int(settings["SCAN_FLUSH_SIZE"])
        self.queue: queue.Queue[dict] = queue.Queue(maxsize=int(settings["SCAN_QUEUE_LIMIT"]))
        self.pid = None
        self.thread: threading.Thread | None = None
        self.wake = threading.Event()
        self.stopping = False
        self.lock = threading.Lock()  # one flush at a time (the thread, exit, or a full queue)
        self.labels: dict[str, Pending] = {}  # by serial
        self.labels_lock = threading.Lock()
        self.written = 0

    def add(self, row: dict) -> None:
        """Queue one certificate scan row; never raises."""
        if not self._put(row):
            log.warning("scan queue full: writing in the request")
            self.flush()
            self._write([row])

    def add_label(self, row: dict, new_scanner: bool) -> bool:
        """Queue one label scan (its row, with the label's "serial"; `new_scanner` as the page
        counted it); False when the queue is full: the caller records it in the request."""
        if self.pid != os.getpid():  # a fork's first use starts afresh: before, not after, this
            self._start()
        with self.labels_lock:
            pending = self.labels.get(row["serial"])
            if pending is None:
                pending = self.labels[row["serial"]] = Pending(row["at"])
            pending.scanners[row["scanner"]] = pending.scanners.get(row["scanner"], 0) + 1
            if new_scanner:
                pending.new.add(row["scanner"])
        if self._put(row):
            return True
        self._settle([row])
        return False

    def pending(self, serial: str, scanner: str = "") -> Queued | None:
        """The label's queued scans in this process as `scanner`'s page counts them, or None.
        A page reads it before the label's row: a batch written in between is then counted
        twice for a moment, never missed."""
        with self.labels_lock:
            found = self.labels.get(serial)
            if found is None:
                return None
            return Queued(sum(found.scanners.values()), found.first_at, len(found.new),
                          scanner in found.scanners)  # fmt: skip

    def _put(self, row: dict) -> bool:
        if self.pid != os.getpid():  # first use in this process (threads do not survive a fork)
            self._start()
        try:
            self.queue.put_nowait(row)
        except queue.Full:
            return False
        if self.queue.qsize() >= self.size:
            self.wake.set()
        return True

    def _settle(self, rows: list[dict]) -> None:
        """The label scans among `rows` are no longer pending (written, or given up)."""
        with self.labels_lock:
            for row in rows:
                if row.get("kind") != LABEL or row.get("serial") not in self.labels:
                    continue
                pending = self.labels[row["serial"]]
                left = pending.scanners.get(row["scanner"], 0) - 1
                if left > 0:
                    pending.scanners[row["scanner"]] = left
                else:
                    pending.scanners.pop(row["scanner"], None)
                    pending.new.discard(row["scanner"])
                if not pending.scanners:
                    del self.labels[row["serial"]]

    def _start(self) -> None:
        with self.lock:
            if self.pid == os.getpid():
                return
            if self.pid is not None:  # a forked child: what the parent queued is the parent's
                self.queue = queue.Queue(maxsize=self.queue.maxsize)
                self.wake = threading.Event()
                self.labels, self.labels_lock = {}, threading.Lock()
            self.pid, self.stopping = os.getpid(), False
            self.thread = threading.Thread(target=self._run, name="scan-writer", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        """One batch per wake: every SCAN_FLUSH_INTERVAL, or sooner once SCAN_FLUSH_SIZE scans
        wait. Not a drain: under steady load a loop that wrote whatever had come in since its
        last write would write a few rows at a time, paying a transaction per handful of scans
        (measured: 3-8 rows a batch, 200-460 us of this thread's CPU per scan on PostgreSQL,
        against 14 us in batches of a hundred)."""
        while not self.stopping:
            self.wake.wait(self.interval)
            self.wake.clear()
            with self.lock:
                if rows := self._take():
                    self._write(rows)

    def _take(self) -> list[dict]:
        rows = []
        try:
            while len(rows) < 5000:
                rows.append(self.queue.get_nowait())
        except queue.Empty:
            pass
        return rows

    def flush(self) -> int:
        """Write everything queued so far; returns how many rows were written."""
        written = 0
        with self.lock:
            while rows := self._take():
                written += self._write(rows)
        return written

    def _write(self, rows: list[dict]) -> int:
        started = time.perf_counter()
        try:
            with self.app.app_context():
                crossed = self._insert_retrying(rows)
                self._flag(crossed)
        except Exception:
            log.exception("could not write %d scan rows", len(rows))
            return 0
        finally:
            self._settle(rows)
        self.written += len(rows)
        if (elapsed := time.perf_counter() - started) > 1.0:
            log.warning("writing %d scan rows took %.1f s", len(rows), elapsed)
        return len(rows)

    def _insert_retrying(self, rows: list[dict], attempts: int = 3) -> list[tuple]:
        """_insert, tried again after a passing failure of the database (the DB-API's
        OperationalError: a lock not granted in time, a dropped connection)."""
        for attempt in range(1, attempts + 1):
            try:
                return self._insert(rows)
            except db.engine.dialect.loaded_dbapi.OperationalError:
                if attempt == attempts:
                    raise
                log.warning("writing %d scan rows failed, trying again", len(rows), exc_info=True)
                time.sleep(0.05 * attempt)
        return []

    def _insert(self, rows: list[dict]) -> list[tuple]:
        """The rows in one transaction on a raw connection (SQLAlchemy's per-row type processing
        of a few hundred rows would hold the GIL for milliseconds, stalling this worker's
        requests): certificates' rows in one go, then each label scan counted and logged, by
        label (every process's batches lock labels in the same order, so two never deadlock)
        and in the order of the scans. Returns the labels whose distinct scanners
        crossed the copy threshold."""
        from . import services

        engine = db.engine
        dialect = engine.dialect
        plain = [(r["kind"], r["target_id"], services.raw_moment(dialect, r["at"]), r["scanner"])
                 for r in rows if r["kind"] != LABEL]  # fmt: skip
        labels = sorted((r for r in rows if r["kind"] == LABEL), key=lambda r: r["target_id"])
        threshold = self.app.config.get("LABEL_COPY_THRESHOLD", 5)
        crossed = []
        conn = engine.raw_connection()
        try:
            cursor = conn.cursor()
            if dialect.name == "postgresql":  # a statement each, the values as binary arrays
                cursor.execute("SET LOCAL synchronous_commit TO OFF")  # see services' docstring
                if plain:
                    cursor.execute(
                        f"{services.SCAN_INSERT} SELECT * FROM "
                        "unnest(%b::text[], %b::integer[], %b::timestamptz[], %b::text[])",
                        [list(column) for column in zip(*plain, strict=True)])  # fmt: skip
                counted = self._count_labels_postgresql(cursor, labels) if labels else []
            else:  # in process: a statement per scan costs no round trip
                if plain:
                    cursor.executemany(services.scan_insert_sql(dialect), plain)
                counted = [(row["target_id"], row["at"],
                            *services.raw_label_scan(cursor, dialect, row["target_id"],
                                                     row["scanner"], row["at"])[2:])
                           for row in labels]  # fmt: skip
            for label_id, at, distinct, flagged_at in counted:
                if distinct > threshold and flagged_at is None:
                    crossed.append((label_id, at, distinct, threshold))
            cursor.close()
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()
        return crossed

    @staticmethod
    def _count_labels_postgresql(cursor, labels: list[dict]) -> list[tuple]:
        """All the batch's label scans in two statements rather than a round trip each (their
        values as arrays in binary: a text array costs psycopg a quoting pass per element): the
        labels locked in id order (no two workers' batches deadlock), then one UPDATE that adds
        each label's scans, keeps its first scan, adds its scanners not yet in its log, and
        inserts the rows. The same counts as services._label_counters scan by scan.
        Returns (label id, first scan of the batch, distinct scanners, flagged at) per label."""
        from . import services

        ids = sorted({row["target_id"] for row in labels})
        cursor.execute("SELECT id FROM label WHERE id = ANY(%b) ORDER BY id FOR UPDATE", (ids,))
        cursor.execute(
            f"""
            WITH batch (label_id, at, scanner) AS (
                SELECT * FROM unnest(%b::integer[], %b::timestamptz[], %b::text[])),
            logged AS ({services.SCAN_INSERT} SELECT %s, label_id, at, scanner FROM batch),
            per_label AS (
                SELECT label_id, count(*) AS scans, min(at) AS first_at,
                       count(DISTINCT scanner) FILTER (WHERE NOT EXISTS (
                           SELECT 1 FROM scan WHERE scan.kind = %s
                           AND scan.target_id = batch.label_id
                           AND scan.scanner = batch.scanner)) AS new_scanners
                FROM batch GROUP BY label_id)
            UPDATE label SET scan_count = label.scan_count + per_label.scans,
                first_scan_at = coalesce(label.first_scan_at, per_label.first_at),
                distinct_scanners = label.distinct_scanners + per_label.new_scanners
            FROM per_label WHERE label.id = per_label.label_id
            RETURNING label.id, per_label.first_at, label.distinct_scanners, label.copy_flagged_at
            """,
            ([row["target_id"] for row in labels], [row["at"] for row in labels],
             [row["scanner"] for row in labels], LABEL, LABEL),
        )  # fmt: skip
        return cursor.fetchall()

    @staticmethod
    def _flag(crossed: list[tuple]) -> None:
        """Flag the labels that crossed the copy threshold, each with its audit entry."""
        if not crossed:
            return
        from . import services

        try:
            for label_id, at, distinct, threshold in crossed:
                services._flag_copied(label_id, at, distinct, threshold)
            db.session.commit()
        except Exception:  # the scans are written; the next scan of the label flags it
            db.session.rollback()
            log.exception("could not flag %d copied labels", len(crossed))
        finally:
            db.session.remove()

    def close(self) -> None:
        """Stop the thread and write what is left (process exit)."""
        self.stopping = True
        self.wake.set()
        if self.thread is not None and self.pid == os.getpid():
            self.thread.join(timeout=5)
            self.flush()


_writers: dict[int, ScanWriter] = {}


def writer_for(app: Flask) -> ScanWriter:
    key = id(app)
    found = _writers.get(key)
    if found is None or found.app is not app:
        found = _writers[key] = ScanWriter(app)
    return found


def active_writer(app: Flask | None = None) -> ScanWriter | None:
    """The writer of `app` (by default the current app) when its scans are batched; None when
    each scan is written in the request (tests, SCAN_BATCH off). Takes the app so that the lean
    path (fastpath.py) needs no app context for it."""
    app = app or current_app._get_current_object()
    if not app.config.get("SCAN_BATCH", not app.testing):
        return None
    return writer_for(app)


def flush_all() -> int:
    """Write every queued scan of every app in this process (exit hooks, tests, the bench)."""
    return sum(w.flush() for w in list(_writers.values()) if w.pid == os.getpid())


@atexit.register
def _close_all() -> None:
    for writer in list(_writers.values()):
        if writer.pid == os.getpid():
            writer.close()
