"""The scan log's writer: scan rows are appended in batches by a background thread, off the request.

A verification page puts its scan row on an in-process queue and goes on; a daemon thread of the
worker process writes what has queued up every SCAN_FLUSH_INTERVAL seconds (or as soon as
SCAN_FLUSH_SIZE rows wait) in ONE transaction with executemany: one commit for hundreds of scans
instead of one each. The queue is bounded (SCAN_QUEUE_LIMIT): when it is full the row is written
in the request instead, so nothing is dropped while the database keeps up, and a write that fails
is logged, never raised (the page must not fail because of its log). What is queued is written
when the process exits (atexit, and gunicorn's worker_exit hook).

The trade-off: a scan row reaches the database up to SCAN_FLUSH_INTERVAL after the page was
served, and a process killed with SIGKILL loses at most that much of the log. Nothing a consumer
sees depends on it: a label's counters (count, first scan, distinct scanners) are updated in the
request (services.check_label). The dashboard's tallies and the officials' list of a reported
code's scans read the log a moment later.

Tests (TESTING) and SCAN_BATCH = False write each row in the request, as before.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from datetime import UTC

from flask import Flask, current_app
from sqlalchemy import insert

from ..extensions import db
from ..models.certificates import Scan

log = logging.getLogger(__name__)

DEFAULTS = {"SCAN_FLUSH_INTERVAL": 0.2, "SCAN_FLUSH_SIZE": 500, "SCAN_QUEUE_LIMIT": 20_000}


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
        self.written = 0

    def add(self, row: dict) -> None:
        """Queue one scan row; never raises."""
        if self.pid != os.getpid():  # first use in this process (threads do not survive a fork)
            self._start()
        try:
            self.queue.put_nowait(row)
        except queue.Full:
            log.warning("scan queue full: writing in the request")
            self.flush()
            self._write([row])
            return
        if self.queue.qsize() >= self.size:
            self.wake.set()

    def _start(self) -> None:
        with self.lock:
            if self.pid == os.getpid():
                return
            if self.pid is not None:  # a forked child: what the parent queued is the parent's
                self.queue = queue.Queue(maxsize=self.queue.maxsize)
                self.wake = threading.Event()
            self.pid, self.stopping = os.getpid(), False
            self.thread = threading.Thread(target=self._run, name="scan-writer", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while not self.stopping:
            self.wake.wait(self.interval)
            self.wake.clear()
            self.flush()

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
                self._insert(rows)
        except Exception:
            log.exception("could not write %d scan rows", len(rows))
            return 0
        self.written += len(rows)
        if (elapsed := time.perf_counter() - started) > 1.0:
            log.warning("writing %d scan rows took %.1f s", len(rows), elapsed)
        return len(rows)

    def _insert(self, rows: list[dict]) -> None:
        """One executemany on a raw connection: SQLAlchemy's per-row type processing of a few
        hundred rows would hold the GIL for milliseconds, stalling this worker's requests."""
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sql = "INSERT INTO scan (kind, target_id, at, scanner) VALUES (?, ?, ?, ?)"
            stamp = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's DateTime text on SQLite, in UTC
            values = [(r["kind"], r["target_id"], r["at"].astimezone(UTC).strftime(stamp),
                       r["scanner"]) for r in rows]  # fmt: skip
        elif engine.dialect.name == "postgresql":
            sql = "INSERT INTO scan (kind, target_id, at, scanner) VALUES (%s, %s, %s, %s)"
            values = [(r["kind"], r["target_id"], r["at"], r["scanner"]) for r in rows]
        else:
            with engine.begin() as conn:
                conn.execute(insert(Scan), rows)
            return
        conn = engine.raw_connection()
        try:
            cursor = conn.cursor()
            cursor.executemany(sql, values)
            cursor.close()
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()

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


def batching() -> bool:
    return bool(current_app.config.get("SCAN_BATCH", not current_app.testing))


def enqueue(row: dict) -> None:
    """Queue a scan row for the current app's writer."""
    writer_for(current_app._get_current_object()).add(row)


def flush_all() -> int:
    """Write every queued scan of every app in this process (exit hooks, tests, the bench)."""
    return sum(w.flush() for w in list(_writers.values()) if w.pid == os.getpid())


@atexit.register
def _close_all() -> None:
    for writer in list(_writers.values()):
        if writer.pid == os.getpid():
            writer.close()
