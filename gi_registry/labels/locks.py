"""Locks that die with their holder: who is issuing a batch, and whether a queue worker runs.

A crashed process cannot clean up after itself, so "is this batch still being worked on?" must
be answered by something the operating system or the database releases when the holder dies:
a PostgreSQL session-level advisory lock (released when the connection drops, and seen by every
machine on the same database), or on SQLite an flock() on a file next to the database's machine
(released when the process exits). Neither needs a heartbeat column or a timeout guess.
"""

from __future__ import annotations

import fcntl
import os
import zlib

from sqlalchemy import text

from ..extensions import db

# First key of the two-key advisory locks, so that other areas' locks cannot collide with ours.
PG_NAMESPACE = zlib.crc32(b"gi_registry.labels") & 0x7FFFFFFF
WORKER = 0  # the queue worker's lock; batch locks use the batch id (ids start at 1)


class HeldLock:
    """A non-blocking exclusive lock on `key`; `acquire()` says whether we got it."""

    def __init__(self, key: int, folder) -> None:
        self.key, self.folder = key, folder
        self._conn = None
        self._fd: int | None = None

    def acquire(self) -> bool:
        if db.engine.dialect.name == "postgresql":
            conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = conn.scalar(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                              {"ns": PG_NAMESPACE, "key": self.key})  # fmt: skip
            if not got:
                conn.close()
                return False
            self._conn = conn
            return True
        lock_dir = os.path.join(self.folder, "locks")
        os.makedirs(lock_dir, exist_ok=True)
        fd = os.open(os.path.join(lock_dir, f"{self.key}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            # flock locks belong to the open file, so two threads of one process exclude each
            # other too (unlike POSIX record locks).
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:ns, :key)"),
                                   {"ns": PG_NAMESPACE, "key": self.key})  # fmt: skip
            finally:
                self._conn.close()
                self._conn = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> HeldLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()
