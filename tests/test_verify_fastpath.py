"""The lean verification path answers exactly as Flask's views do, and keeps its scan log right."""

import logging
import threading
from datetime import timedelta

import pytest

from gi_registry.authorization import services as flow
from gi_registry.certificates.serials import format_serial, new_code, new_serial
from gi_registry.certificates.services import certificate_for, reissue_certificate
from gi_registry.clock import local_today
from gi_registry.extensions import db
from gi_registry.models import Role
from gi_registry.models.base import utcnow
from gi_registry.models.certificates import Scan
from gi_registry.models.labels import BatchState, Label, LabelBatch
from gi_registry.templating import local_datetime
from gi_registry.verify import scanlog

from . import helpers


@pytest.fixture
def approver(app):
    return helpers.make_user(Role.APPROVER)


@pytest.fixture
def certificate(app, approver):
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "approved", approver=approver)
    return certificate_for(application.authorization)


@pytest.fixture
def flask_calls(app):
    """How many requests reached Flask's request cycle (the lean path skips it)."""
    calls = []
    app.before_request(lambda: calls.append(1))
    return calls


def both(client, app, path: str, **kwargs):
    """The same request answered by the lean path, then by Flask's views alone."""
    fast = client.get(path, **kwargs)
    app.config["VERIFY_FAST_PATH"] = False
    try:
        slow = client.get(path, **kwargs)
    finally:
        app.config["VERIFY_FAST_PATH"] = True
    return fast, slow


def assert_same(fast, slow):
    assert fast.status_code == slow.status_code
    assert fast.get_data(as_text=True) == slow.get_data(as_text=True)
    assert dict(fast.headers) == dict(slow.headers)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_certificate_pages_are_identical(client, app, certificate, approver, flask_calls, lang):
    fast, slow = both(client, app, f"/v/{certificate.code}", query_string={"lang": lang})
    assert_same(fast, slow)
    assert len(flask_calls) == 1 and "verdict-valid" in fast.get_data(as_text=True)
    new = reissue_certificate(certificate, approver, "经营范围变更")
    fast, slow = both(client, app, f"/v/{certificate.code}", query_string={"lang": lang})
    assert_same(fast, slow)
    assert f'href="/v/{new.code}"' in fast.get_data(as_text=True)
    flow.change_authorization(new.authorization, "suspend", approver, "抽检不合格",
                              local_today() + timedelta(days=20))  # fmt: skip
    fast, slow = both(client, app, f"/v/{new.code}", headers={"Cookie": f"lang={lang}"})
    assert_same(fast, slow)
    assert "verdict-suspended" in fast.get_data(as_text=True)
    fast, slow = both(client, app, f"/v/{new_code()}", query_string={"lang": lang})
    assert_same(fast, slow)
    assert fast.status_code == 404 and len(flask_calls) == 4


def test_what_the_lean_path_leaves_to_flask(client, app, certificate, flask_calls):
    code = certificate.code
    assert client.get(f"/v/{code.lower()}").status_code == 301  # a redirect to the canonical form
    assert client.get("/v/not-a-code").status_code == 404  # free text is echoed by Flask
    assert client.head(f"/v/{code}").status_code == 200
    client.set_cookie("session", "x")  # a session (a signed-in official sees their menu)
    assert client.get(f"/v/{code}").status_code == 200
    assert len(flask_calls) == 4
    client.delete_cookie("session")
    assert client.get(f"/v/{code}").status_code == 200 and len(flask_calls) == 4


def test_certificate_scans_are_recorded_by_the_lean_path(client, certificate):
    client.get(f"/v/{certificate.code}", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    (scan,) = db.session.scalars(db.select(Scan).where(Scan.target_id == certificate.id)).all()
    assert scan.kind == "certificate" and len(scan.scanner) == 32 and "203.0" not in scan.scanner


def make_label(authorization_id: int) -> Label:
    batch = LabelBatch(authorization_id=authorization_id, category="carving", quantity=1,
                       state=BatchState.READY, progress=1)  # fmt: skip
    db.session.add(batch)
    db.session.flush()
    label = Label(batch_id=batch.id, serial=new_serial())
    db.session.add(label)
    db.session.commit()
    return label


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_label_pages_are_identical_scan_after_scan(client, app, certificate, lang, flask_calls):
    """Two labels scanned the same way, one by each path: the same pages, the same counters."""
    fast_label, slow_label = (make_label(certificate.authorization_id) for _ in range(2))
    for phone in (1, 1, 2, 3, 4, 5, 6, 7):
        environ = {"REMOTE_ADDR": f"198.51.100.{phone}"}
        fast = client.get(f"/l/{fast_label.serial}?lang={lang}", environ_base=environ)
        app.config["VERIFY_FAST_PATH"] = False
        slow = client.get(f"/l/{slow_label.serial}?lang={lang}", environ_base=environ)
        app.config["VERIFY_FAST_PATH"] = True
        db.session.expire_all()
        a, b = db.session.get(Label, fast_label.id), db.session.get(Label, slow_label.id)
        assert (a.scan_count, a.distinct_scanners) == (b.scan_count, b.distinct_scanners)
        assert (a.copy_flagged_at is None) == (b.copy_flagged_at is None)
        same = slow.get_data(as_text=True)
        for old, new in ((slow_label.serial, fast_label.serial),
                         (format_serial(slow_label.serial), format_serial(fast_label.serial)),
                         (local_datetime(b.first_scan_at), local_datetime(a.first_scan_at))):  # fmt: skip
            same = same.replace(old, new)
        assert fast.get_data(as_text=True) == same
        assert fast.status_code == slow.status_code == 200
    assert (a.scan_count, a.distinct_scanners) == (8, 7) and a.copy_flagged_at is not None
    assert "⚠" in fast.get_data(as_text=True)  # the copy warning
    assert len(flask_calls) == 8  # only the Flask half


def test_batched_scan_log_writes_later_and_loses_nothing(app, certificate, caplog):
    app.config.update(SCAN_BATCH=True, SCAN_FLUSH_INTERVAL=60, SCAN_QUEUE_LIMIT=3)
    writer = scanlog.ScanWriter(app)
    rows = [{"kind": "certificate", "target_id": certificate.id, "at": utcnow(),
             "scanner": f"{n:032d}"} for n in range(5)]  # fmt: skip
    count = lambda: db.session.scalar(db.select(db.func.count(Scan.id)))  # noqa: E731
    for row in rows[:3]:
        writer.add(row)
    assert count() == 0  # queued, not written in the request
    writer.add(rows[3])  # the queue is full: the queue and this row are written now
    assert count() == 4
    writer.add(rows[4])
    writer.close()  # process exit writes what is left
    assert count() == 5
    stored = db.session.execute(db.select(Scan.kind, Scan.target_id, Scan.at, Scan.scanner)
                                .order_by(Scan.scanner)).all()  # fmt: skip
    assert [tuple(row) for row in stored] == [
        (r["kind"], r["target_id"], r["at"], r["scanner"]) for r in rows]  # fmt: skip
    with caplog.at_level(logging.ERROR):
        assert writer._write([{"kind": "certificate"}]) == 0  # a bad row is logged, not raised
    assert "could not write" in caplog.text


def test_scan_writer_tries_again_after_a_passing_database_failure(app, certificate, monkeypatch):
    writer = scanlog.ScanWriter(app)
    real, calls = writer._insert, []

    def flaky(rows):
        calls.append(len(rows))
        if len(calls) == 1:
            raise db.engine.dialect.loaded_dbapi.OperationalError("database is locked")
        return real(rows)

    monkeypatch.setattr(writer, "_insert", flaky)
    row = {"kind": "certificate", "target_id": certificate.id, "at": utcnow(), "scanner": "1" * 32}
    with app.app_context():
        assert writer._write([row]) == 1
    assert calls == [1, 1]
    assert db.session.scalar(db.select(db.func.count(Scan.id))) == 1


@pytest.mark.parametrize("text", ["plain", "<b>&\"'</b>", "博山琉璃 & co", "", "it's", 'say "hi"'])
def test_values_are_escaped_as_jinja_escapes_them(app, text):
    from markupsafe import escape

    from gi_registry.verify.words import CERTIFICATE_VERDICTS

    values = {"typed": text, "report_url": "/report"}
    page = app.wsgi_app.fill({"PATH_INFO": "/v/0"}, "en", "verify/not_found.html",
                             CERTIFICATE_VERDICTS["not_found"], values, {}, not_found=True)  # fmt: skip
    assert f"<code>{escape(text)}</code>" in page


@pytest.mark.parametrize(
    "path, query",
    [
        ("/v/ABC123", ""),
        ("/l/X9", "lang=en"),
        ("/v/A", "x=<\"'&>%20 中&y=/:;@!$()*,+"),
        ("/l/Z", "a=b=c"),
    ],
)
def test_the_language_link_is_url_for_s(app, path, query):
    layer = app.wsgi_app
    environ = {"PATH_INFO": path, "QUERY_STRING": query}
    for locale, other in (("zh", "en"), ("en", "zh")):
        expected = layer.adapter.build(
            "main.set_language", {"lang": other, "next": f"{path}?{query}"}
        )
        assert layer.language_link(locale, environ) == expected


@pytest.mark.parametrize("batched", [False, True], ids=["scans in the request", "batched"])
def test_the_lean_path_answers_without_an_app_context(app, certificate, flask_calls, monkeypatch,
                                                       batched):  # fmt: skip
    """Under gunicorn no app context is current when a page begins (the tests' fixture keeps
    one): from a thread that has none, with every cache cold, the lean path answers both pages
    itself, records the scans and flags a copied label."""
    from flask import has_app_context
    from flask.testing import FlaskClient

    from gi_registry.verify import services

    monkeypatch.setattr(services, "_compromised", {})
    monkeypatch.setattr(services, "_standard_cache", {})
    app.config["SCAN_BATCH"] = batched
    writer = scanlog.writer_for(app)
    label = make_label(certificate.authorization_id)
    label_id, serial, code = label.id, label.serial, certificate.code
    threshold = app.config.get("LABEL_COPY_THRESHOLD", 5)
    answers, failures = [], []

    def consumer():
        try:
            assert not has_app_context()
            client = FlaskClient(app)
            answers.append(client.get(f"/v/{code}?lang=en"))
            for phone in range(threshold + 1):
                environ = {"REMOTE_ADDR": f"198.51.100.{phone}"}
                answers.append(client.get(f"/l/{serial}?lang=en", environ_base=environ))
            writer.flush()
        except BaseException as error:  # noqa: BLE001 - reported by the test's thread
            failures.append(error)

    thread = threading.Thread(target=consumer)
    thread.start()
    thread.join(timeout=60)
    writer.close()
    assert not failures and len(answers) == threshold + 2
    assert all(answer.status_code == 200 for answer in answers) and not flask_calls
    assert "verdict-valid" in answers[0].get_data(as_text=True)
    assert f"checked {threshold + 1} times" in answers[-1].get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Label, label_id)
    assert (stored.scan_count, stored.distinct_scanners) == (threshold + 1, threshold + 1)
    assert stored.copy_flagged_at is not None
    assert db.session.scalar(db.select(db.func.count(Scan.id))) == threshold + 2


def test_reads_through_flask_use_the_apps_own_context(app, database_url, tmp_path):
    """services.within: with another app's context current, a cache refreshed for `app` reads
    through `app` (its database, its key store), not through the app whose context is there."""
    from flask import current_app

    from gi_registry import create_app
    from gi_registry.verify import services

    other = create_app(helpers.test_config(database_url, tmp_path / "other"))
    with other.app_context():
        with services.within(app):
            assert current_app._get_current_object() is app
        with services.within(other):
            assert current_app._get_current_object() is other
