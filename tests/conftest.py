"""Fixtures: an app per test on a clean database (SQLite, or TEST_DATABASE_URL), a client, login."""

import os
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from gi_registry import create_app
from gi_registry.extensions import db

from . import helpers


def worker_database_url(base: str, worker: str) -> str:
    """One PostgreSQL database per xdist worker, created on first use."""
    if worker == "master":
        return base
    url = sa.engine.make_url(base)
    name = f"{url.database}_{re.sub(r'[^a-z0-9]', '', worker)}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    """The test database for this worker, with the schema created once."""
    from gi_registry.config import normalise_database_url

    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url = worker_database_url(normalise_database_url(base), worker_id)
    else:
        url = f"sqlite:///{tmp_path_factory.getbasetemp() / 'registry.sqlite3'}"
    app = create_app(helpers.test_config(url, tmp_path_factory.mktemp("setup")))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return url


_STATEMENT_CACHES: dict[str, object] = {}


def share_statement_cache(engine) -> None:
    """Give every test's engine the same compiled-statement cache.

    Each test builds its own app, hence its own engine, and SQLAlchemy keeps compiled SQL per
    engine: without this, every test would compile every statement afresh (seconds per test).
    """
    key = str(engine.url)
    engine._compiled_cache = _STATEMENT_CACHES.setdefault(key, engine._compiled_cache)


@pytest.fixture
def app(database_url, tmp_path):
    """A fresh application on an empty database."""
    app = create_app(helpers.test_config(database_url, tmp_path))
    with app.app_context():
        share_statement_cache(db.engine)
        yield app
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


class RequestScopedClient(FlaskClient):
    """A test client whose every request starts with an empty `g`.

    The fixture keeps an app context open for the whole test (so that tests can use the
    database), and Flask reuses it for requests; without this, what Flask-Babel and Flask-Login
    cache on `g` would leak from one request to the next, which never happens in production.
    """

    def open(self, *args, **kwargs):
        from flask import g

        for name in list(vars(g)):
            delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = RequestScopedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """login(user): sign the test client in as `user` (through the real form)."""

    def sign_in(user):
        client.post("/account/logout")
        response = client.post(
            "/account/login", data={"email": user.email, "password": helpers.PASSWORD}
        )
        assert response.status_code == 302, response.data[:500]
        return user

    return sign_in
