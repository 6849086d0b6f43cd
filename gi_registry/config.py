"""Safe defaults. Secrets come only from instance/config.py or FLASK_* environment variables."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSECURE_SECRET_KEY = "dev-insecure-secret-key-do-not-deploy"


class DefaultConfig:
    SECRET_KEY = INSECURE_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = ""  # filled in create_app: instance/gi_registry.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    STANDARDS_DIR = str(ROOT / "standards")
    UPLOAD_DIR = ""  # instance/uploads
    KEYS_DIR = ""  # instance/keys
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    OFFICE_NAME = "淄博市博山区市场监督管理局"
    OFFICE_NAME_EN = "Boshan District Administration for Market Regulation, Zibo"

    # Uploads: the request cap is a little above one file's cap so that the form can say which file.
    MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024

    # werkzeug's scrypt: a deliberately slow hash. Tests use a cheap method to stay fast.
    PASSWORD_HASH_METHOD = "scrypt"
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")

    # Per client address. Storage: memory:// in one process; REDIS_URL shares the counts between
    # gunicorn's workers and machines. Generous where honest use is heavy (a shop scans many items).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute"  # sign-in attempts (the lockout counts per account)
    RATELIMIT_REGISTER = "20 per hour"  # new accounts (a guidance station may sign up several)
    RATELIMIT_VERIFY = "120 per minute"  # /v/, /l/ and /check together
    RATELIMIT_REPORT = "10 per hour"  # reports of suspected fakes

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PER_PAGE = 20


def environment_overrides() -> dict:
    """Settings read from the conventional unprefixed variables (DATABASE_URL, REDIS_URL)."""
    overrides = {}
    if url := os.environ.get("DATABASE_URL"):
        overrides["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options()
    if url := os.environ.get("REDIS_URL"):
        overrides["RATELIMIT_STORAGE_URI"] = url
    if url := os.environ.get("PUBLIC_BASE_URL"):
        overrides["PUBLIC_BASE_URL"] = url
    return overrides


def engine_options() -> dict:
    """The connection pool of each server process, sized to its threads (gunicorn.conf.py).

    A request thread holds at most two connections (the lean verification path keeps one of its
    own; Flask's session checks one out per request), plus the scan writer and the label drain
    thread: pool_size = 2 x threads + 2 by default. DB_POOL_SIZE and DB_MAX_OVERFLOW override it.
    The server must allow processes x (pool_size + max_overflow) for every app server, plus the
    label worker and a few for administration (PostgreSQL's default max_connections is 100).
    """
    threads = int(os.environ.get("GUNICORN_THREADS", 4))
    return {
        "pool_pre_ping": True,  # a connection broken by a database restart is replaced, not used
        "pool_size": int(os.environ.get("DB_POOL_SIZE", 2 * threads + 2)),
        "max_overflow": int(os.environ.get("DB_MAX_OVERFLOW", 2)),
        "pool_recycle": 3600,
    }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the common way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
