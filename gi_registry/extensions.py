"""Flask extensions, created unbound here and bound to the app in `create_app`."""

import sqlite3
import time

from flask import has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints so that Alembic migrations are the same on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


MAX_PAGE = 100_000  # no list here has that many pages; the JSON API caps `page` there too


class _SQLAlchemy(SQLAlchemy):
    def paginate(self, select, *, page: int | None = None, **kwargs):
        """Flask-SQLAlchemy's, with the page number (given, or read from the address as the
        library does) capped at MAX_PAGE: an address with ?page=99999999999999999999 would
        otherwise reach the database as an OFFSET it cannot hold (a 500 instead of an empty
        page). A page that is not a number is left to the library (page 1, or its 404).

        A page past the last one (an old link, a list that shrank) shows the last page, as
        Django's Paginator.get_page does, rather than no rows under a count that says there are
        some; that costs one more query, for the rows only."""
        if page is None and has_request_context():
            page = request.args.get("page", type=int)
        if page is not None:
            page = min(page, MAX_PAGE)
        result = super().paginate(select, page=page, **kwargs)
        if result.total and not result.items and result.page > result.pages:
            total = result.total
            result = super().paginate(select, page=result.pages, **{**kwargs, "count": False})
            result.total = total
        return result


db = _SQLAlchemy(model_class=Base)


@event.listens_for(Engine, "connect")
def _sqlite_commits_without_fsync_in_wal(dbapi_connection, _record) -> None:
    """In WAL mode (gunicorn.conf.py turns it on), SQLite's NORMAL synchronous level skips the
    fsync of every commit and is still safe if the app crashes; rollback-journal files keep FULL."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class _MemoryStorageWithoutTimerThreads(MemoryStorage):
    """limits' memory:// storage, registered again under its own scheme: the original starts a
    new timer thread to sweep expired keys at most every 10 ms, which at verification rates is
    ~100 threads a second per worker. The counts never depended on the sweep (a key's expiry is
    checked when it is read), so sweep inline at most once a second instead."""

    STORAGE_SCHEME = ["memory"]
    _last_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep >= 1.0:
            self._last_sweep = now
            self._MemoryStorage__expire_events()


# Storage comes from RATELIMIT_STORAGE_URI: memory:// on one machine, Redis when REDIS_URL is set.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
