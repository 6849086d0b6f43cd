"""Database outage: public pages answer 503 in both languages, and the site recovers by itself."""

import contextlib
import os
import shutil
import socket
import threading

import pytest
import sqlalchemy as sa

from gi_registry import create_app
from gi_registry.certificates.serials import new_code
from gi_registry.extensions import db
from gi_registry.models import Role

from . import helpers
from .conftest import RequestScopedClient


class CuttableProxy:
    """A TCP forwarder 127.0.0.1:<port> -> the database server that a test can cut and restore."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self.up.is_set():
                client.close()  # the database "is down": the connection ends at once
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                _close(end)

    def cut(self) -> None:
        """Drop every open connection and refuse new ones."""
        self.up.clear()
        with self.lock:
            for end in self.open:
                _close(end)
            self.open.clear()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.listener.close()
        self.cut()


def _close(end: socket.socket) -> None:
    with contextlib.suppress(OSError):
        end.shutdown(socket.SHUT_RDWR)
    end.close()


def assert_unavailable(response) -> None:
    """The bilingual 503 page, and nothing of the failure itself."""
    text = response.get_data(as_text=True)
    assert response.status_code == 503, text[:300]
    assert response.headers["Retry-After"] == "30"
    assert "服务暂不可用" in text and "Service unavailable" in text
    assert "Traceback" not in text and "psycopg" not in text and "sqlite" not in text.lower()


def sign_in(client, email: str):
    return client.post("/account/login", data={"email": email, "password": helpers.PASSWORD})


@pytest.fixture
def proxied_app(database_url, tmp_path):
    """The app talking to PostgreSQL through a proxy the test can cut."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL outage test: set TEST_DATABASE_URL to a PostgreSQL database")
    url = sa.engine.make_url(database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(helpers.test_config(proxied, tmp_path))
    app.test_client_class = RequestScopedClient
    with app.app_context():
        yield app, proxy
        proxy.restore()
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()
    proxy.close()


def test_postgres_outage_gives_503_then_recovers_without_restart(proxied_app):
    app, proxy = proxied_app
    email = helpers.make_user(Role.PRODUCER).email
    visitor, member, newcomer = app.test_client(), app.test_client(), app.test_client()
    assert sign_in(member, email).status_code == 302
    assert visitor.get("/registry/").status_code == 200
    assert member.get("/applications").status_code in (200, 302)

    proxy.cut()
    assert_unavailable(visitor.get("/registry/"))  # a public page that queries
    assert_unavailable(visitor.get("/registry/?lang=en"))
    assert_unavailable(member.get("/"))  # the first touch is Flask-Login's user loader
    assert_unavailable(sign_in(newcomer, email))  # the sign-in form reads the user
    assert_unavailable(visitor.get(f"/v/{new_code()}"))  # a consumer checks a certificate

    proxy.restore()
    assert visitor.get("/registry/").status_code == 200
    home = member.get("/")
    assert home.status_code == 200 and email in home.get_data(as_text=True)
    assert sign_in(newcomer, email).status_code == 302


def test_sqlite_database_missing_gives_503_then_recovers(tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    url = f"sqlite:///{folder / 'registry.sqlite3'}"
    app = create_app(helpers.test_config(url, tmp_path))
    app.test_client_class = RequestScopedClient
    with app.app_context():
        db.create_all()
        email = helpers.make_user(Role.PRODUCER).email
        visitor, member = app.test_client(), app.test_client()
        assert sign_in(member, email).status_code == 302
        assert visitor.get("/registry/").status_code == 200

        # The file goes away (a lost mount). Pooled connections keep the old file open, as a
        # running worker would; a worker that opens a new connection finds nothing.
        shutil.move(folder, tmp_path / "elsewhere")
        db.session.remove()
        db.engine.dispose()
        assert_unavailable(visitor.get("/registry/"))
        assert_unavailable(member.get("/"))
        assert_unavailable(sign_in(app.test_client(), email))
        assert not folder.exists()  # the outage did not make an empty database in its place

        shutil.move(tmp_path / "elsewhere", folder)
        assert visitor.get("/registry/").status_code == 200
        assert email in member.get("/").get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_sqlite_database_unreadable_gives_503(tmp_path):
    path = tmp_path / "registry.sqlite3"
    app = create_app(helpers.test_config(f"sqlite:///{path}", tmp_path))
    app.test_client_class = RequestScopedClient
    with app.app_context():
        db.create_all()
        helpers.make_user(Role.PRODUCER)
        db.session.remove()
        db.engine.dispose()
        path.write_bytes(b"this is not a database" * 100)  # overwritten by mistake
        assert_unavailable(app.test_client().get("/registry/"))
        db.session.remove()
        db.engine.dispose()


def test_503_even_when_the_rollback_itself_fails(tmp_path, monkeypatch):
    from sqlalchemy.orm import Session

    folder = tmp_path / "db"
    folder.mkdir()
    app = create_app(helpers.test_config(f"sqlite:///{folder / 'registry.sqlite3'}", tmp_path))
    with app.app_context():
        db.create_all()
        helpers.make_user(Role.PRODUCER)
        db.session.remove()
        db.engine.dispose()
        shutil.move(folder, tmp_path / "elsewhere")

        def rollback_fails(self):
            raise sa.exc.OperationalError("ROLLBACK", {}, Exception("connection lost"))

        monkeypatch.setattr(Session, "rollback", rollback_fails)
        assert_unavailable(app.test_client().get("/registry/"))
        monkeypatch.undo()
        shutil.move(tmp_path / "elsewhere", folder)
        assert app.test_client().get("/registry/").status_code == 200
        db.session.remove()
        db.engine.dispose()
