"""Rate limits on sign-in, registration, verification and fake reports (Flask-Limiter).

The limiter is one module-level object whose storage is set by the last `init_app`, so the test
that two app instances share one count through Redis runs each instance in its own process, as
gunicorn's workers do.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import uuid

import pytest

from gi_registry import create_app
from gi_registry.certificates.serials import new_code, new_serial
from gi_registry.extensions import db

from . import helpers

REDIS = "redis://127.0.0.1:6379"

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_LOGIN": "3 per minute",
    "RATELIMIT_REGISTER": "2 per hour",
    "RATELIMIT_VERIFY": "4 per minute",
    "RATELIMIT_REPORT": "2 per hour",
}


@pytest.fixture
def limited(database_url, tmp_path):
    """An app with small limits switched on (fresh in-memory counts), and its client."""
    app = create_app({**helpers.test_config(database_url, tmp_path), **LIMITS})
    with app.app_context():
        yield app.test_client()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


def assert_refused(response):
    """The 429 page: both languages, a Retry-After, nothing else."""
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "请求过于频繁" in body and "Too many requests" in body
    assert int(response.headers["Retry-After"]) > 0


def test_login_attempts(limited):
    form = {"email": "nobody@example.cn", "password": "wrong password"}
    for _ in range(3):
        assert limited.post("/account/login", data=form).status_code == 200  # the form again
    assert_refused(limited.post("/account/login", data=form))
    # Reading the sign-in page is not an attempt, and another address has its own count.
    assert limited.get("/account/login").status_code == 200
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert limited.post("/account/login", data=form, environ_base=other).status_code == 200


def test_registration(limited):
    for i in range(2):
        form = {"email": f"maker{i}@example.cn", "name": "李四", "password": helpers.PASSWORD,
                "confirm": helpers.PASSWORD}  # fmt: skip
        assert limited.post("/account/register", data=form).status_code in (200, 302)
        limited.post("/account/logout")
    assert_refused(limited.post("/account/register", data={"email": "third@example.cn"}))


def test_verification_shares_one_budget_across_v_l_and_check(limited):
    answers = [
        limited.get(f"/v/{new_code()}").status_code,
        limited.get(f"/l/{new_serial()}").status_code,
        limited.get("/check", query_string={"q": "BSLL-C-2026-000001"}).status_code,
        limited.get(f"/v/{new_code()}").status_code,
    ]
    assert answers == [404, 404, 404, 404]  # unknown, but answered
    assert_refused(limited.get(f"/l/{new_serial()}"))
    assert_refused(limited.get("/check", query_string={"q": "anything"}))
    # A shop behind another address scans on.
    assert (
        limited.get(f"/v/{new_code()}", environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code
        == 404
    )


def test_fake_reports(limited):
    form = {"code": "", "where_bought": "博山区某商店", "what_seen": "做工粗糙"}
    for _ in range(2):
        assert limited.post("/report", data=form).status_code == 302
    assert_refused(limited.post("/report", data=form))
    assert limited.get("/report").status_code == 200  # the form itself stays readable


def test_the_limits_are_named_in_the_configuration():
    from gi_registry.config import DefaultConfig

    assert DefaultConfig.RATELIMIT_VERIFY == "120 per minute"
    for name in ("LOGIN", "REGISTER", "VERIFY", "REPORT"):
        assert " per " in getattr(DefaultConfig, f"RATELIMIT_{name}")


def test_redis_url_becomes_the_limiter_storage(monkeypatch):
    monkeypatch.setenv("REDIS_URL", REDIS + "/3")
    from gi_registry.config import environment_overrides

    assert environment_overrides()["RATELIMIT_STORAGE_URI"] == REDIS + "/3"


# --- two processes, one count -----------------------------------------------------------------

SERVER = textwrap.dedent("""
    import json, sys
    from werkzeug.serving import make_server
    from gi_registry import create_app
    from gi_registry.extensions import db

    app = create_app(json.loads(sys.argv[1]))
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()
""")


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def servers(tmp_path):
    """start(storage): two separate server processes of the app on one SQLite file."""
    processes = []

    def start(storage: str) -> list[str]:
        config = {**helpers.test_config(f"sqlite:///{tmp_path / 'shared.sqlite3'}", tmp_path),
                  **LIMITS, "RATELIMIT_STORAGE_URI": storage,
                  "RATELIMIT_KEY_PREFIX": f"gi-test-{uuid.uuid4().hex}"}  # fmt: skip
        urls = []
        for _ in range(2):
            process = subprocess.Popen([sys.executable, "-c", SERVER, json.dumps(config)],
                                       stdout=subprocess.PIPE, text=True,
                                       cwd=os.path.dirname(os.path.dirname(__file__)))  # fmt: skip
            processes.append(process)
            port = process.stdout.readline().strip()
            assert port.isdigit(), "the test server did not start"
            urls.append(f"http://127.0.0.1:{port}")
        return urls

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def alternate(urls: list[str], times: int) -> list[int]:
    """GET /v/<unknown> on each server in turn."""
    return [status_of(f"{urls[i % 2]}/v/{new_code()}") for i in range(times)]


def test_two_app_processes_share_the_count_through_redis(servers):
    if not redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running at 127.0.0.1:6379; CI must start it")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    started = time.monotonic()
    assert alternate(servers(REDIS), 5) == [404, 404, 404, 404, 429]
    assert time.monotonic() - started < 60  # all within the limit's one-minute window


def test_in_memory_counts_are_per_process(servers):
    """The control: without a shared storage each process lets its own four through."""
    assert alternate(servers("memory://"), 8) == [404] * 8


@pytest.mark.parametrize("fast", [True, False], ids=["lean path", "flask"])
def test_verification_counts_down_in_its_headers(limited, fast):
    limited.application.config["VERIFY_FAST_PATH"] = fast
    answers = [limited.get(f"/v/{new_code()}") for _ in range(4)]
    assert [r.headers["X-RateLimit-Remaining"] for r in answers] == ["3", "2", "1", "0"]
    assert {r.headers["X-RateLimit-Limit"] for r in answers} == {"4"}
    assert all(0 < int(r.headers["Retry-After"]) <= 60 for r in answers)
    assert_refused(limited.get(f"/l/{new_serial()}"))


def test_the_lean_path_asks_the_limit_storage_twice_per_verification(limited, monkeypatch):
    """A count and its window's end: with Redis, each call to the storage is a round trip."""
    from gi_registry.extensions import limiter

    calls = []

    class Recorder:  # the storage, recording the calls made to it from outside
        def __init__(self, storage):
            self.storage = storage

        def __getattr__(self, name):
            found = getattr(self.storage, name)
            if not callable(found):
                return found
            return lambda *a, **k: calls.append(name) or found(*a, **k)

    monkeypatch.setattr(limiter.limiter, "storage", Recorder(limiter.limiter.storage))
    assert limited.get(f"/v/{new_code()}").headers["X-RateLimit-Remaining"] == "3"
    assert calls == ["incr", "get_expiry"]
