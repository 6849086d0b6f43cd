"""The certificate rows each worker keeps on PostgreSQL, emptied by the database's change notices."""

import time

import pytest

from gi_registry.authorization import services as flow
from gi_registry.extensions import db
from gi_registry.models import Role
from gi_registry.verify import fastpath, rowcache

from . import helpers
from .test_verify_fastpath import certificate_for

pytestmark = pytest.mark.postgres


@pytest.fixture
def cache(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the verification cache is PostgreSQL's (set TEST_DATABASE_URL)")
    app.config["VERIFY_CACHE"] = True
    rowcache._caches.pop(id(app), None)
    found = rowcache.for_app(app)
    found.get("")  # starts the listener
    wait_for(lambda: found.listening)
    yield found
    found.close()
    rowcache._caches.pop(id(app), None)


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def reads(app, monkeypatch):
    """The certificate reads that reached the database."""
    calls, real = [], fastpath.FastVerify.fetch

    def fetch(self, name, values):
        calls.append(name)
        return real(self, name, values)

    monkeypatch.setattr(fastpath.FastVerify, "fetch", fetch)
    return calls


def test_a_scanned_certificate_is_read_once_until_an_official_acts(client, app, cache, reads):
    approver = helpers.make_user(Role.APPROVER)
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "approved", approver=approver)
    certificate = certificate_for(application.authorization)
    wait_for(lambda: not cache.rows)  # the issuing transactions' notices have arrived
    path = f"/v/{certificate.code}?lang=en"
    first = client.get(path).get_data(as_text=True)
    assert client.get(path).get_data(as_text=True) == first and "✔" in first
    assert reads == ["certificate"]  # the second scan came from the cache
    assert cache.hits == 1

    generation = cache.generation
    flow.change_authorization(application.authorization, "revoke", approver, "依据")
    wait_for(lambda: cache.generation > generation)  # the commit's notice emptied the cache
    body = client.get(path).get_data(as_text=True)
    assert "has been revoked" in body and "✔" not in body
    assert reads == ["certificate", "certificate"]


def test_a_row_read_before_a_notice_is_not_kept(app, cache):
    generation = cache.generation
    cache.invalidate()  # a notice arrives while a page is reading
    cache.put("CODE", ("row",), generation)
    assert cache.get("CODE") is None
    cache.put("CODE", ("row",), cache.generation)
    assert cache.get("CODE") == ("row",)


def test_the_cache_keeps_its_size(app, cache):
    cache.size = 3
    for n in range(5):
        cache.put(f"C{n}", (n,), cache.generation)
    assert list(cache.rows) == ["C2", "C3", "C4"]


def test_nothing_is_cached_without_the_listener(app, cache):
    cache.close()
    wait_for(lambda: not cache.listening)
    cache.put("CODE", ("row",), cache.generation)
    assert cache.get("CODE") is None


def test_without_the_triggers_the_cache_stays_off(app, caplog):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER certificate_notify_change ON certificate")
    try:
        found = rowcache.RowCache(app, 10)
        found.get("")
        time.sleep(0.5)
        assert not found.listening and "triggers are missing" in caplog.text
        found.stopping = True
    finally:
        from gi_registry.models.changes import create_trigger

        with db.engine.begin() as conn:
            conn.exec_driver_sql(create_trigger("certificate"))


def test_off_in_tests_and_on_sqlite(app):
    assert rowcache.for_app(app) is None  # TESTING, unless VERIFY_CACHE is set
