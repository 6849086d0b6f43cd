"""Certificates' verification rows kept in each worker on PostgreSQL, emptied on any change.

A certificate's QR is printed on the certificate a producer shows in the shop and on its
packaging: the same code is scanned again and again, and the row its page is made from changes
only when an official acts (suspend, reinstate, revoke, reissue) or a certificate is issued.
On PostgreSQL, where every read is a round trip to a server that shares the machine's cores,
each worker process keeps up to VERIFY_CACHE_SIZE of those rows by code, and a thread that
LISTENs on the channel that triggers on the certificate and authorization tables notify in the
changing transaction (models/changes.py). A notice empties the cache; PostgreSQL delivers it
when the change commits, so a page reflects an official's action a few milliseconds later.

Safe by construction:
- nothing is cached unless the listener is connected and the triggers exist (a database not
  migrated to e3b1c9a0d7f2 simply runs without the cache, with a warning in the log);
- a row read before a notice is not stored after it (`generation`);
- a lost connection empties the cache and stops caching until the listener is back;
- what depends on the day (expiry) or on the key set (a withdrawn key) is still decided per
  request, from the cached row; scans are still recorded per request.

Off in tests (TESTING) unless VERIFY_CACHE is set, and on SQLite (one machine, reads in process).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict

from flask import Flask

from ..models.changes import CHANNEL, TABLES, trigger_name

log = logging.getLogger(__name__)


class RowCache:
    """One per app and worker process (a thread does not survive the fork: started on first use)."""

    def __init__(self, app: Flask, size: int) -> None:
        self.app, self.size = app, size
        self.rows: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()
        self.generation = 0
        self.listening = False
        self.pid: int | None = None
        self.thread: threading.Thread | None = None
        self.hits = self.misses = 0
        self.stopping = False

    def get(self, code: str) -> tuple | None:
        if self.pid != os.getpid():
            self._start()
        if not self.listening:
            return None
        row = self.rows.get(code)
        if row is None:
            self.misses += 1
        else:
            self.hits += 1
        return row

    def put(self, code: str, row: tuple, generation: int) -> None:
        """Keep a row read while `generation` was current, unless a notice came since."""
        with self.lock:
            if not self.listening or generation != self.generation:
                return
            self.rows[code] = row
            if len(self.rows) > self.size:
                self.rows.popitem(last=False)  # the oldest stored

    def invalidate(self, listening: bool | None = None) -> None:
        with self.lock:
            self.generation += 1
            self.rows.clear()
            if listening is not None:
                self.listening = listening

    def _start(self) -> None:
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid, self.listening, self.rows = os.getpid(), False, OrderedDict()
            self.thread = threading.Thread(target=self._run, name="verify-cache", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        pause = 1.0
        while not self.stopping:
            conn = None
            try:
                conn = self._connect()
                pause = 1.0
                self.invalidate(listening=True)
                while not self.stopping:
                    for _notice in conn.notifies(timeout=30.0):
                        self.invalidate()
                        if self.stopping:
                            break
                    conn.execute("SELECT 1")  # the connection is still there
            except Exception:
                log.warning("verification cache off: no change notices", exc_info=True)
            finally:
                self.invalidate(listening=False)
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
            if not self.stopping:
                time.sleep(pause)
                pause = min(pause * 2, 60.0)

    def close(self) -> None:
        """Stop listening (tests; a worker's thread ends with its process)."""
        from ..extensions import db

        self.stopping = True
        if self.thread is not None and self.thread.is_alive():
            with self.app.app_context(), db.engine.begin() as conn:
                conn.exec_driver_sql(f"NOTIFY {CHANNEL}")  # wakes the listener
            self.thread.join(timeout=10)

    def _connect(self):
        """A connection of its own, in autocommit, listening; after checking the triggers."""
        from ..extensions import db

        with self.app.app_context():
            proxied = db.engine.raw_connection()
        conn = proxied.driver_connection
        proxied.detach()  # ours for good, not the pool's
        conn.autocommit = True
        names = [trigger_name(table) for table in TABLES]
        found = conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s)",
                             (names,)).fetchone()[0]  # fmt: skip
        if found != len(names):
            conn.close()
            raise RuntimeError("the change-notice triggers are missing (flask db upgrade)")
        conn.execute(f"LISTEN {CHANNEL}")
        return conn


_caches: dict[int, tuple[Flask, RowCache | None]] = {}


def for_app(app: Flask) -> RowCache | None:
    """The app's cache, or None where it is off (SQLite, tests, VERIFY_CACHE_SIZE = 0)."""
    found = _caches.get(id(app))
    if found is not None and found[0] is app:
        return found[1]
    from ..extensions import db

    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    size = int(app.config.get("VERIFY_CACHE_SIZE", 10_000))
    wanted = app.config.get("VERIFY_CACHE", not app.testing)
    cache = RowCache(app, size) if postgres and wanted and size > 0 else None
    _caches[id(app)] = (app, cache)
    return cache
