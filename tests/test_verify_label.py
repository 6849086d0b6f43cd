"""The label page /l/<serial>: first check, repeat checks, the copy warning, and live status."""

import threading
import time
from datetime import timedelta

import pytest

from gi_registry.authorization import services as flow
from gi_registry.certificates import qr
from gi_registry.certificates.serials import format_serial, new_serial
from gi_registry.clock import local_today
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role
from gi_registry.models.base import utcnow
from gi_registry.models.certificates import Scan
from gi_registry.models.labels import BatchState, Label, LabelBatch

from . import helpers


@pytest.fixture
def approver(app):
    return helpers.make_user(Role.APPROVER)


@pytest.fixture
def label(app, approver):
    """One label of a ready batch of producer A (rows made directly: the page only reads them)."""
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "approved", approver=approver)
    batch = LabelBatch(authorization_id=application.authorization.id, category="carving",
                       quantity=1, state=BatchState.READY, progress=1)  # fmt: skip
    db.session.add(batch)
    db.session.flush()
    label = Label(batch_id=batch.id, serial=new_serial())
    db.session.add(label)
    db.session.commit()
    return label


def scan(client, label, phone: int = 1, lang: str = "en"):
    """Scan the label's printed QR from a given phone (address + browser)."""
    text = qr.decode(qr.to_png(f"https://gi.example.test/l/{label.serial}"))[0]
    path = text.partition("gi.example.test")[2]
    response = client.get(path, query_string={"lang": lang},
                          environ_base={"REMOTE_ADDR": f"198.51.100.{phone}"},
                          headers={"User-Agent": f"Phone {phone}"})  # fmt: skip
    return response, response.get_data(as_text=True)


def test_first_scan_is_recorded_with_its_time(client, label):
    response, body = scan(client, label)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Genuine label" in body and "✔" in body and "First check." in body
    db.session.expire_all()
    stored = db.session.get(Label, label.id)
    assert stored.scan_count == 1 and stored.distinct_scanners == 1
    assert stored.first_scan_at is not None


def test_later_scans_show_the_count_and_the_first_time(client, label):
    scan(client, label)
    db.session.expire_all()
    first = db.session.get(Label, label.id).first_scan_at
    scan(client, label)
    _, body = scan(client, label)
    assert "checked 3 times" in body and "First check." not in body
    from gi_registry.templating import local_datetime

    assert local_datetime(first) in body
    db.session.expire_all()
    stored = db.session.get(Label, label.id)
    assert (stored.scan_count, stored.distinct_scanners) == (3, 1)


def test_chinese_by_default(client, label):
    _, body = scan(client, label, lang="zh")
    assert "首次" in body and format_serial(label.serial) in body


def test_copy_warning_past_the_threshold_of_distinct_scanners(client, label, app):
    threshold = app.config.get("LABEL_COPY_THRESHOLD", 5)
    for phone in range(1, threshold + 1):
        _, body = scan(client, label, phone)
        assert "may have been copied" not in body
    _, body = scan(client, label, phone=1)  # a repeat from a known phone adds no scanner
    assert "may have been copied" not in body
    _, body = scan(client, label, threshold + 1)
    assert "may have been copied" in body and "Report a suspected fake" in body
    scan(client, label, threshold + 2)
    db.session.expire_all()
    stored = db.session.get(Label, label.id)
    assert stored.copy_flagged_at is not None and stored.distinct_scanners == threshold + 2
    flags = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "label.copy_flag")
    ).all()
    assert len(flags) == 1  # audited once


def test_no_raw_address_is_stored(client, label):
    scan(client, label, phone=42)
    (row,) = db.session.scalars(db.select(Scan).where(Scan.kind == "label")).all()
    assert "198.51.100" not in row.scanner


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_label_follows_the_authorization(client, label, approver, action):
    authorization = db.session.get(LabelBatch, label.batch_id).authorization
    deadline = local_today() + timedelta(days=20) if action == "suspend" else None
    flow.change_authorization(authorization, action, approver, "依据", deadline)
    _, body = scan(client, label)
    expected = {"suspend": "Producer suspended", "revoke": "authorization revoked"}[action]
    assert expected in body and "may not be genuine" in body


def test_unknown_and_mistyped_serials(client, label):
    response = client.get(f"/l/{new_serial()}?lang=en")
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)
    typo = label.serial[:-2] + ("0" if label.serial[-2] != "0" else "1") + label.serial[-1]
    assert client.get(f"/l/{typo}").status_code == 404
    response = client.get(f"/l/{format_serial(label.serial).lower()}")
    assert response.status_code == 301 and response.headers["Location"].endswith(label.serial)


def test_home_box_routes_a_typed_serial(client, label):
    response = client.get("/check", query_string={"q": format_serial(label.serial)})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/l/{label.serial}"
    )


@pytest.fixture
def batched(app):
    """The scan log as production runs it: scans queued, written by the writer's batches (here
    only when the test flushes)."""
    from gi_registry.verify import scanlog

    app.config["SCAN_BATCH"] = True
    writer = scanlog.writer_for(app)
    writer.interval = 3600
    yield writer
    writer.close()


def stored_label(label):
    db.session.expire_all()
    return db.session.get(Label, label.id)


@pytest.mark.parametrize("fast", [True, False], ids=["lean path", "flask"])
def test_batched_label_scans_show_exact_counters_before_they_are_written(
    client, label, app, batched, fast
):
    app.config["VERIFY_FAST_PATH"] = fast
    threshold = app.config.get("LABEL_COPY_THRESHOLD", 5)
    _, body = scan(client, label, phone=1)
    assert "First check." in body
    _, body = scan(client, label, phone=1)
    assert "checked 2 times" in body and "First check." not in body
    assert stored_label(label).scan_count == 0  # queued, not yet written
    assert db.session.scalar(db.select(db.func.count(Scan.id))) == 0
    for phone in range(2, threshold + 1):
        _, body = scan(client, label, phone)
        assert "may have been copied" not in body
    assert batched.flush() == threshold + 1
    assert batched.pending(label.serial) is None
    stored = stored_label(label)
    assert (stored.scan_count, stored.distinct_scanners) == (threshold + 1, threshold)
    assert stored.copy_flagged_at is None
    from gi_registry.templating import local_datetime

    _, body = scan(client, label, phone=2)  # written scans and a queued one add up
    assert f"checked {threshold + 2} times" in body and local_datetime(stored.first_scan_at) in body
    assert "may have been copied" not in body
    _, body = scan(client, label, phone=threshold + 1)  # one phone too many
    assert f"checked {threshold + 3} times" in body and "may have been copied" in body
    assert stored_label(label).copy_flagged_at is None
    assert batched.flush() == 2
    stored = stored_label(label)
    assert (stored.scan_count, stored.distinct_scanners) == (threshold + 3, threshold + 1)
    assert stored.copy_flagged_at is not None
    flags = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "label.copy_flag"))
    assert len(flags.all()) == 1
    assert db.session.scalar(db.select(db.func.count(Scan.id))) == threshold + 3


def test_a_full_queue_counts_the_label_scan_in_the_request(client, label, app, batched):
    batched.queue.maxsize = 1
    batched.add({"kind": "certificate", "target_id": 1, "at": utcnow(), "scanner": "0" * 32})
    _, body = scan(client, label, phone=1)  # the queue is full: written now
    assert "First check." in body
    assert stored_label(label).scan_count == 1 and batched.pending(label.serial) is None


def test_a_forked_worker_keeps_its_first_label_scan_pending(label, batched):
    batched.pid = -1  # as in a worker just forked from the master that made the writer
    row = {"kind": "label", "target_id": label.id, "serial": label.serial, "at": utcnow(),
           "scanner": "1" * 32}  # fmt: skip
    assert batched.add_label(row, new_scanner=True)
    pending = batched.pending(label.serial, "1" * 32)
    assert pending is not None and (pending.count, pending.new, pending.by_scanner) == (1, 1, True)
    assert batched.pending(label.serial, "2" * 32).by_scanner is False
    assert batched.flush() == 1 and batched.pending(label.serial) is None


def test_the_writer_writes_one_batch_per_wake_not_a_few_scans_at_a_time(batched, monkeypatch):
    """Scans that arrive while a batch is being written wait for the next wake: under steady
    load a writer that drained the queue in a loop would pay a transaction per few scans."""

    def scan_row(n):
        return {"kind": "certificate", "target_id": n, "at": utcnow(), "scanner": "2" * 32}

    batches, first_written = [], threading.Event()

    def write(rows):
        batches.append(len(rows))
        if len(batches) == 1:  # three more scans come in while the first batch is written
            for n in range(3):
                batched.queue.put_nowait(scan_row(n))
            first_written.set()
        return len(rows)

    monkeypatch.setattr(batched, "_write", write)
    for n in range(5):
        batched.add(scan_row(n))
    batched.wake.set()
    assert first_written.wait(5)
    time.sleep(0.2)
    assert batches == [5]  # the three wait for the next interval
    batched.wake.set()
    deadline = time.monotonic() + 5
    while len(batches) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert batches == [5, 3]
