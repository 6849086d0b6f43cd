"""The lean verification path: GET /v/<code> and /l/<serial> answered below Flask's request cycle.

These two addresses are printed on every product; their load grows with every item sold. Flask's
request cycle (request and session objects, every before/after hook of every extension, the ORM
session) costs several times what the page itself needs, so a small WSGI layer in front of the
app answers the common case directly and hands everything else to Flask unchanged:

- only a GET of /v/<code> or /l/<serial> in canonical form, from a visitor without a session or
  remember-me cookie (a signed-in official sees their own menu: Flask renders that), under no
  URL prefix; a code that is not canonical (redirect), a rate limit reached (the 429 page), a
  database error (the 503 page) and anything unexpected go to Flask, which does what it always did;
- the verdict comes from the same SQL as `services` (one indexed query), on a connection the
  worker thread keeps (no pool checkout or ping per request; PostgreSQL in autocommit, so a read
  is one round trip); on PostgreSQL a certificate's row may come from the worker's cache, which
  change notices empty (rowcache.py);
- the page is the same template rendered by `pages` (pieces per language and choice, filled in);
- the scan is recorded as in `services` (services.count_label_scan for a label): queued for the
  batched writer, or, when the log is not batched, a label's counters and row are written before
  the page is, on this thread's connection (one statement on PostgreSQL);
- the rate limit is the same budget (Flask-Limiter's own storage and key, "verify" scope), with
  the same X-RateLimit headers; the security headers are those of security.py.

tests/test_verify_fastpath.py compares every verdict, in both languages, with Flask's answer.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import sqlite3
import threading
import time
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, quote_plus

from flask import Flask
from limits.strategies import FixedWindowRateLimiter
from markupsafe import escape

from ..certificates.serials import format_code, format_serial, is_valid_code, is_valid_serial
from ..clock import SHANGHAI
from ..extensions import db, limiter
from ..security import CSP
from . import pages, rowcache, scanlog, services
from .words import CERTIFICATE_VERDICTS, LABEL_VERDICTS

log = logging.getLogger(__name__)
# Values are escaped as Jinja escapes them (markupsafe), and only when they hold a character
# that needs it: most hold none, and a Markup object per value costs more than the look.
MARKUP_SPECIAL = re.compile(r"[&<>\"']").search
URL_SAFE = "!$'()*,/:;?@"  # werkzeug.urls._urlencode's safe characters (url_for's query string)
LOCALE_TTL = 60.0  # category and route names per language are re-read after this long


class Visitor:
    """The little of a request that `services.scanner_id` reads."""

    __slots__ = ("headers", "remote_addr")

    def __init__(self, environ: dict):
        self.remote_addr = environ.get("REMOTE_ADDR")
        self.headers = {"User-Agent": environ.get("HTTP_USER_AGENT", "")}


class FastVerify:
    """WSGI middleware in front of `app.wsgi_app` (installed by the verify blueprint)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.local = threading.local()
        # SQLite has one writer at a time: the process's threads queue here, and the processes
        # poll for the write lock in steps of a tenth of a millisecond (begin_immediate) rather
        # than in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15... ms.
        self.sqlite_writes = threading.Lock()
        self.names: dict[str, tuple[float, dict]] = {}
        self.cookies = (app.config["SESSION_COOKIE_NAME"] + "=",
                        app.config.get("REMEMBER_COOKIE_NAME", "remember_token") + "=")  # fmt: skip
        self.languages = tuple(app.config["LANGUAGES"])
        self.default_locale = app.config["BABEL_DEFAULT_LOCALE"]
        self.hsts = app.config["PUBLIC_BASE_URL"].startswith("https://")
        self.adapter = app.url_map.bind("localhost", script_name="/")
        self.dialect = None
        self.language_bases: dict[str, str] = {}

    # --- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        kind = path[:3]
        if (kind not in ("/v/", "/l/") or environ.get("REQUEST_METHOD") != "GET"
                or environ.get("SCRIPT_NAME") or not self.enabled()):  # fmt: skip
            return self.wsgi_app(environ, start_response)
        cookie = environ.get("HTTP_COOKIE", "")
        if cookie and any(name in cookie for name in self.cookies):
            return self.wsgi_app(environ, start_response)
        try:
            answer = self.answer(environ, kind, path[3:])
        except Exception:
            self.drop_connection()
            log.warning("fast verification path gave way to Flask", exc_info=True)
            answer = None
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, body, headers = answer
        start_response(status, headers)
        return [body]

    def enabled(self) -> bool:
        config = self.app.config
        return (pages.fast_enabled(self.app) and config.get("VERIFY_FAST_PATH", True)
                and not config.get("RATELIMIT_DEFAULT") and not config.get("RATELIMIT_APPLICATION"))  # fmt: skip

    def answer(self, environ: dict, kind: str, value: str):
        """(status, body, headers), or None to let Flask answer."""
        if not value or "/" in value:
            return None
        if not (is_valid_code(value) if kind == "/v/" else is_valid_serial(value)):
            return None  # a redirect to the canonical form, or a code that cannot be one
        limit_headers = self.rate_limit(environ)
        if limit_headers is None:
            return None
        locale = self.locale(environ)
        # No app context is pushed (its push and teardown cost more than the rest of a page):
        # what the pages need of the app is handed to them, and the rare reads through Flask
        # (a connection opened, a cache refreshed, a copied label flagged) push their own.
        if kind == "/v/":
            status, html = self.certificate(value, environ, locale)
        else:
            status, html = self.label(value, environ, locale)
        if html is None:
            return None
        body = html.encode()
        headers = [("Content-Type", "text/html; charset=utf-8"),
                   ("Content-Length", str(len(body))), ("Cache-Control", "no-store"),
                   ("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                   ("Referrer-Policy", "strict-origin-when-cross-origin"),
                   ("X-Frame-Options", "DENY")]  # fmt: skip
        if self.hsts or environ.get("wsgi.url_scheme") == "https":
            headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        headers += limit_headers
        headers.append(("Vary", "Cookie"))
        return status, body, headers

    # --- the same rules as Flask's path ------------------------------------------------------

    def locale(self, environ: dict) -> str:
        """i18n.select_locale: ?lang=, then the saved choice, then Chinese."""
        query = environ.get("QUERY_STRING", "")
        if "lang=" in query:
            for choice in parse_qs(query).get("lang", [])[:1]:
                if choice in self.languages:
                    return choice
        cookie = environ.get("HTTP_COOKIE", "")
        if "lang=" in cookie:
            for part in cookie.split(";"):
                name, _sep, choice = part.strip().partition("=")
                if name == "lang" and choice in self.languages:
                    return choice
        return self.default_locale

    def rate_limit(self, environ: dict) -> list[tuple[str, str]] | None:
        """Count the hit in the verification budget; its headers, or None when exhausted."""
        if not self.app.config.get("RATELIMIT_ENABLED", True) or not limiter.enabled:
            return []
        item = self.limit_item(self.app.config["RATELIMIT_VERIFY"])
        args = [environ.get("REMOTE_ADDR") or "127.0.0.1", "verify"]
        if prefix := self.app.config.get("RATELIMIT_KEY_PREFIX", ""):
            args = [prefix, *args]
        strategy = limiter.limiter
        # Flask-Limiter's default strategy: what its hit() and get_window_stats() do, with the
        # key made once and the count taken from the increment, two calls to the storage
        # instead of three (with Redis, two round trips instead of three).
        fixed = isinstance(strategy, FixedWindowRateLimiter)
        if fixed:
            key = item.key_for(*args)
            count = strategy.storage.incr(key, item.get_expiry())
            allowed = count <= item.amount
        else:
            allowed = strategy.hit(item, *args)
        if not allowed:
            return None
        if not self.app.config.get("RATELIMIT_HEADERS_ENABLED", False):
            return []
        if fixed:
            reset_time, remaining = strategy.storage.get_expiry(key), item.amount - count
        else:
            reset_time, remaining = strategy.get_window_stats(item, *args)
        reset_at = int(reset_time + 1)
        return [("X-RateLimit-Limit", str(item.amount)), ("X-RateLimit-Remaining", str(remaining)),
                ("X-RateLimit-Reset", str(reset_at)),
                ("Retry-After", str(int(reset_at - time.time())))]  # fmt: skip

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def limit_item(text: str):
        from limits import parse

        return parse(text)

    # --- pages ---------------------------------------------------------------------------------

    def certificate(self, code: str, environ: dict, locale: str):
        cache = rowcache.for_app(self.app)
        row = cache.get(code) if cache is not None else None
        if row is None:
            generation = cache.generation if cache is not None else 0
            row = self.fetch("certificate", {"code": code})
            if row is not None and cache is not None:
                cache.put(code, row, generation)
        if row is None:
            return "404 NOT FOUND", self.not_found(format_code(code), environ, locale)
        (cid, number, code, gi_name, holder, credit, route, annotation, scope, valid_from,
         valid_until, std_code, std_version, office, kid, payload, issued_at, status, auth_id,
         a_status, a_valid_until, enterprise_id, current_number, current_code) = row  # fmt: skip
        authorization = services.AuthorizationFacts(auth_id, a_status, self.day(a_valid_until),
                                                    enterprise_id)  # fmt: skip
        certificate = services.CertificateFacts(
            cid, number, code, gi_name, holder, credit, route, annotation, self.json(scope),
            self.day(valid_from), self.day(valid_until), std_code, std_version, office, kid,
            payload, self.moment(issued_at), status, auth_id, authorization)  # fmt: skip
        names = self.names_for(locale)
        if any(slug not in names["categories"] for slug in certificate.scope):
            return None, None  # a category the version in force no longer has: Flask names it
        state = services.certificate_state(certificate, services.compromised_kids(self.app),
                                           services.local_today())  # fmt: skip
        standard = services.standard_status(std_code, std_version, self.app)
        services.record_certificate_scan(cid, Visitor(environ), self.app)
        note = bool(standard and not standard[0] and standard[1])
        record_url = names["record"].replace("@@key@@", str(enterprise_id))
        values = {
            "number": number, "payload": payload, "code": code, "current_code": current_code,
            "current_number": current_number, "gi_name": gi_name, "holder_name": holder,
            "credit_code": credit, "route_annotation": annotation,
            "route": names["routes"].get(route, route),
            "categories": "、".join(names["categories"].get(s, s) for s in certificate.scope),
            "valid_from": certificate.valid_from.isoformat(),
            "valid_until": certificate.valid_until.isoformat(),
            "standard_code": std_code, "standard_version": std_version,
            "standard_in_force": standard[1] if note else "",
            "issue_date": certificate.issue_date.isoformat(), "issuing_office": office,
            "code_display": format_code(code), "record_url": record_url,
        }  # fmt: skip
        flags = {"current": bool(current_code), "standard": bool(std_code),
                 "standard_note": note, "record": bool(record_url)}  # fmt: skip
        words = CERTIFICATE_VERDICTS[state]
        return "200 OK", self.fill(environ, locale, "verify/certificate.html", words, values, flags)

    def label(self, serial: str, environ: dict, locale: str):
        scanner, now = services.scanner_id(Visitor(environ), self.app), datetime.now(UTC)
        writer = scanlog.active_writer(self.app)
        queued = writer.pending(serial, scanner) if writer is not None else None
        row = self.fetch("label", {"serial": serial, "scanner": scanner})
        if row is None:
            return "404 NOT FOUND", self.not_found(format_serial(serial), environ, locale)
        (label_id, serial, first_scan_at, count, distinct, _batch_id, category, auth_id, status,
         valid_until, number, gi_name, enterprise_id, name, credit, seen) = row  # fmt: skip
        names = self.names_for(locale)
        if category not in names["categories"]:
            return None, None
        authorization = services.AuthorizationFacts(auth_id, status, self.day(valid_until),
                                                    enterprise_id, number, gi_name)  # fmt: skip
        before = (self.moment(first_scan_at), count, distinct, seen)
        first_at, count, distinct = services.count_label_scan(
            label_id, serial, before, queued, scanner, now, writer, self.record_label_scan
        )
        threshold = self.app.config.get("LABEL_COPY_THRESHOLD", 5)
        state = services.label_state(authorization, services.local_today())
        record_url = names["record"].replace("@@key@@", str(enterprise_id))
        values = {
            "serial": serial, "serial_display": format_serial(serial),
            "first_scan": first_at.astimezone(SHANGHAI).isoformat(" ", "minutes")[:16],
            "count": count, "producer": name, "credit_code": credit, "gi_name": gi_name,
            "category": names["categories"].get(category, category), "authorization": number,
            "valid_until": authorization.valid_until.isoformat(), "record_url": record_url,
        }  # fmt: skip
        flags = {"first_time": count == 1, "copy_warning": distinct > threshold,
                 "record": bool(record_url)}  # fmt: skip
        words = LABEL_VERDICTS[state]
        return "200 OK", self.fill(environ, locale, "verify/label.html", words, values, flags)

    def not_found(self, typed: str, environ: dict, locale: str) -> str | None:
        values = {"typed": typed, "report_url": "/report?code=" + typed}
        return self.fill(environ, locale, "verify/not_found.html", CERTIFICATE_VERDICTS["not_found"],
                         values, {}, not_found=True)  # fmt: skip

    def fill(self, environ, locale, template, words, values, flags, not_found=False) -> str:
        """The page from its pieces, filled with this request's values (escaped as Jinja does;
        none of them is markup)."""
        pieces = self.pieces(environ.get("PATH_INFO"), locale, template, words, flags, not_found)
        values["lang_href"] = self.language_link(locale, environ)
        out = pieces[:]
        for i in range(1, len(out), 2):
            value = values[out[i]]
            text = value if type(value) is str else str(value)
            out[i] = str(escape(text)) if MARKUP_SPECIAL(text) else text
        return "".join(out)

    def pieces(self, path, locale, template, words, flags, not_found=False) -> list[str]:
        """The page's pieces, made by Flask on first use (as pages.render does)."""
        key = (id(self.app), locale, template, id(words), tuple(sorted(flags.items())))
        found = pages._pieces.get(key)
        if found is None:
            with self.app.test_request_context(path, query_string={"lang": locale}):
                extra = None
                if not_found:
                    from .forms import LookupForm

                    def extra():
                        return {"form": LookupForm(formdata=None)}

                found = pages._pieces[key] = pages._make_pieces(
                    self.app, locale, template, words, flags, extra)  # fmt: skip
        return found

    def language_link(self, locale: str, environ: dict) -> str:
        """url_for("main.set_language", ...) with request.full_path, as base.html builds it
        (the address of the other language once, then werkzeug's query encoding)."""
        full_path = environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", "")
        other = "en" if locale == "zh" else "zh"
        base = self.language_bases.get(other)
        if base is None:
            base = self.language_bases[other] = self.adapter.build("main.set_language",
                                                                   {"lang": other})  # fmt: skip
        return base + "?next=" + quote_plus(full_path, safe=URL_SAFE)

    def names_for(self, locale: str) -> dict:
        """Category and route names in a language, and the producer-record address pattern."""
        cached = self.names.get(locale)
        if cached is not None and time.monotonic() - cached[0] < LOCALE_TTL:
            return cached[1]
        from .. import categories
        from ..reference import ROUTE_LABELS

        with self.app.test_request_context("/", query_string={"lang": locale}):
            names = {
                "categories": {slug: services.category_names([slug])[0]
                               for slug in categories.slugs()},
                "routes": {route.value: str(label) for route, label in ROUTE_LABELS.items()},
                "record": self.record_pattern(),
            }  # fmt: skip
        self.names[locale] = (time.monotonic(), names)
        return names

    def record_pattern(self) -> str:
        from flask import url_for

        if "registry.producer" not in self.app.view_functions:
            return ""
        return url_for("registry.producer", key="@@key@@")

    # --- the database ----------------------------------------------------------------------

    def connection(self):
        """This thread's own connection (PostgreSQL: autocommit, scans without WAL waits)."""
        conn = getattr(self.local, "conn", None)
        if conn is None:
            with self.app.app_context():
                engine = db.engine
            conn = engine.raw_connection()
            self.dialect = engine.dialect
            if self.dialect.name == "postgresql":
                conn.driver_connection.autocommit = True
                with conn.cursor() as cursor:
                    cursor.execute("SET synchronous_commit TO OFF")
                    # Lookups by a unique key: the generic plan is always the right one, and
                    # PostgreSQL would otherwise keep planning them afresh (~50 µs each).
                    cursor.execute("SET plan_cache_mode TO force_generic_plan")
            elif self.dialect.name == "sqlite":  # writes poll in begin_immediate; reads never wait
                cursor = conn.cursor()
                cursor.execute("PRAGMA busy_timeout = 0")
                cursor.close()
            self.local.conn, self.local.cursor = conn, conn.cursor()
        return conn

    def drop_connection(self) -> None:
        conn = getattr(self.local, "conn", None)
        self.local.conn = self.local.cursor = None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.invalidate()

    def fetch(self, name: str, values: dict):
        """The first row of a `services` statement, on this thread's connection and cursor (a
        new psycopg cursor per query cost ~10 µs of a ~60 µs query)."""
        self.connection()
        sql, params = services.raw_statement(name, self.dialect, values)
        cursor = self.local.cursor
        cursor.execute(sql, params)
        rows = cursor.fetchall()  # to the end: no SQLite statement (and snapshot) left open
        return rows[0] if rows else None

    def record_label_scan(self, label_id: int, scanner: str, now: datetime):
        """services.record_label_scan on this thread's connection; never raises."""
        try:
            conn = self.connection()
            cursor = conn.cursor()
            try:
                if self.dialect.name == "postgresql":  # autocommit: one atomic statement
                    counted = services.raw_label_scan(cursor, self.dialect, label_id, scanner, now)
                else:
                    with self.sqlite_writes:
                        self.begin_immediate(cursor)
                        counted = services.raw_label_scan(
                            cursor, self.dialect, label_id, scanner, now)  # fmt: skip
                        conn.commit()
            finally:
                cursor.close()
            first_at, count, distinct, flagged_at = counted
            threshold = self.app.config.get("LABEL_COPY_THRESHOLD", 5)
            if distinct > threshold and flagged_at is None:
                self.flag_copied(label_id, now, distinct, threshold)
            return self.moment(first_at) or now, count, distinct
        except Exception:
            log.exception("could not record a scan of label %s", label_id)
            try:
                self.local.conn.rollback()
            except Exception:
                self.drop_connection()
            return None

    @staticmethod
    def begin_immediate(cursor, budget: float = 5.0) -> None:
        """Take SQLite's write lock, polling finely for up to `budget` seconds."""
        deadline, pause = time.monotonic() + budget, 0.0001
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 1.5, 0.002)

    def flag_copied(self, label_id: int, now: datetime, distinct: int, threshold: int) -> None:
        with self.app.app_context():  # a session of its own, removed with the context
            services._flag_copied(label_id, now, distinct, threshold)
            db.session.commit()

    # --- values as the ORM would hand them back -------------------------------------------------

    @staticmethod
    def day(value) -> date:
        return date.fromisoformat(value) if isinstance(value, str) else value

    @staticmethod
    def moment(value) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @staticmethod
    def json(value):
        return json.loads(value) if isinstance(value, str) else value


def install(app: Flask) -> None:
    """Put the lean path in front of the app (the verify blueprint calls this once)."""
    app.wsgi_app = FastVerify(app, app.wsgi_app)
    scanlog.writer_for(app)


def warm(app: Flask) -> int:
    """Make the common pages' pieces, the layouts and the names before the workers fork (they
    inherit them): a worker recycled by max_requests answers at full speed from its first
    request. Returns how many page shapes were made; never raises."""
    layer = app.wsgi_app
    while layer is not None and not isinstance(layer, FastVerify):
        layer = getattr(layer, "app", None)  # under ProxyFix
    if layer is None:
        return 0
    shapes = [("verify/not_found.html", CERTIFICATE_VERDICTS["not_found"], {}, True)]
    for state in ("valid", "superseded", "suspended", "revoked", "expired"):
        flags = {"current": state == "superseded", "standard": True, "standard_note": False,
                 "record": True}  # fmt: skip
        shapes.append(("verify/certificate.html", CERTIFICATE_VERDICTS[state], flags, False))
    for state in ("valid", "suspended", "revoked", "expired"):
        for first_time in (True, False):
            flags = {"first_time": first_time, "copy_warning": False, "record": True}
            shapes.append(("verify/label.html", LABEL_VERDICTS[state], flags, False))
    made = 0
    try:
        for locale in layer.languages:
            with app.app_context():  # a fresh `g` per language (Flask-Babel keeps the locale there)
                layer.names_for(locale)
                for template, words, flags, not_found in shapes:
                    path = "/v/0" if template != "verify/label.html" else "/l/0"
                    layer.pieces(path, locale, template, words, flags, not_found)
                    made += 1
    except Exception:
        log.warning("could not prepare the verification pages in advance", exc_info=True)
    return made
