"""Issuing label batches: serials, sheets, refusals, failures, concurrency, the job and the CLI."""

import io
import shutil
import subprocess
import threading
from datetime import date, timedelta

import pytest
from PIL import Image

from gi_registry.authorization.services import change_authorization
from gi_registry.certificates import qr
from gi_registry.certificates.serials import is_valid_serial, new_serial
from gi_registry.exceptions import Invalid, InvalidTransition, NotPermitted
from gi_registry.extensions import db
from gi_registry.labels import issuing, jobs, services
from gi_registry.models import AuditEntry, Role
from gi_registry.models.labels import BatchState, Label, LabelBatch

from . import helpers

BASE = "https://gi.example.test"  # PUBLIC_BASE_URL of helpers.test_config


@pytest.fixture
def producer(app):
    producer = helpers.make_producer()
    helpers.make_application(producer, "approved")
    return producer


@pytest.fixture
def authorization(producer):
    return producer.enterprise.authorizations[0]


def serials_of(batch_id: int) -> list[str]:
    return list(db.session.scalars(db.select(Label.serial).where(Label.batch_id == batch_id)))


def reload(batch_id: int) -> LabelBatch:
    return db.session.get(LabelBatch, batch_id, populate_existing=True)


def actions_of(batch_id: int) -> list[str]:
    return list(db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.object_type == "label_batch",
                                           AuditEntry.object_id == str(batch_id))
        .order_by(AuditEntry.id)
    ))  # fmt: skip


def sheet_files() -> list[str]:
    folder = services.labels_dir()
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def rasterise(pdf: bytes, page: int, dpi: int = 300) -> Image.Image:
    result = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-"],
        input=pdf, capture_output=True, check=True,
    )  # fmt: skip
    return Image.open(io.BytesIO(result.stdout))


def test_a_batch_has_exactly_n_unique_valid_serials_and_is_audited(authorization, producer):
    batch = services.order_batch(authorization, producer, "carving", 1234)
    assert batch.state == BatchState.QUEUED
    assert issuing.issue_batch(batch.id)
    batch = reload(batch.id)
    serials = serials_of(batch.id)
    assert batch.state == BatchState.READY and batch.progress == 1234 and batch.finished_at
    assert len(serials) == 1234 == len(set(serials))
    assert all(is_valid_serial(s) for s in serials)
    assert services.sheet_path(batch).stat().st_size > 0
    assert actions_of(batch.id) == ["label_batch.order", "label_batch.start", "label_batch.ready"]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")
def test_the_sheet_qr_codes_open_the_labels_own_pages(authorization, producer):
    batch = services.order_batch(authorization, producer, "carving", 45)
    issuing.issue_batch(batch.id)
    pdf = services.sheet_path(reload(batch.id)).read_bytes()
    decoded = qr.decode(rasterise(pdf, 1)) + qr.decode(rasterise(pdf, 2))
    assert len(decoded) == 45
    assert sorted(decoded) == sorted(f"{BASE}/l/{s}" for s in serials_of(batch.id))


def test_only_a_valid_authorization_may_order(authorization, producer):
    approver = helpers.make_user(Role.APPROVER)
    change_authorization(authorization, "suspend", approver, "抽检不合格",
                         deadline=date.today() + timedelta(days=30))  # fmt: skip
    with pytest.raises(InvalidTransition):
        services.order_batch(authorization, producer, "carving", 10)
    change_authorization(authorization, "reinstate", approver, "已整改")
    services.order_batch(authorization, producer, "carving", 10)
    change_authorization(authorization, "revoke", approver, "严重违规")
    with pytest.raises(InvalidTransition):
        services.order_batch(authorization, producer, "carving", 10)


def test_only_categories_in_scope_and_sane_quantities(authorization, producer):
    assert "vessel" not in authorization.scope
    with pytest.raises(Invalid) as error:
        services.order_batch(authorization, producer, "vessel", 10)
    assert error.value.field == "category"
    for quantity in (0, -1, 50_001, None):
        with pytest.raises(Invalid) as error:
            services.order_batch(authorization, producer, "carving", quantity)
        assert error.value.field == "quantity"
    assert db.session.scalar(db.select(db.func.count(LabelBatch.id))) == 0


def test_only_the_holder_may_order(authorization):
    other = helpers.make_producer()
    with pytest.raises(NotPermitted):
        services.order_batch(authorization, other, "carving", 10)


def test_a_suspension_after_ordering_stops_the_queued_batch(authorization, producer):
    batch = services.order_batch(authorization, producer, "carving", 10)
    change_authorization(authorization, "suspend", helpers.make_user(Role.APPROVER), "抽检",
                         deadline=date.today() + timedelta(days=30))  # fmt: skip
    assert not issuing.issue_batch(batch.id)
    batch = reload(batch.id)
    assert batch.state == BatchState.FAILED and batch.error.startswith("authorization_inactive")
    assert serials_of(batch.id) == []


@pytest.mark.parametrize("where", ["render", "commit"])
def test_a_failure_mid_batch_leaves_no_labels_and_a_failed_batch(
    authorization, producer, monkeypatch, where
):
    real_render, real_record = issuing.label_sheet_pdf, issuing.record

    def render_then_fail(labels, out, progress=None, **kw):
        def stop(done, total):
            progress(done, total)
            if done >= 200:
                raise OSError(28, "No space left on device")

        return real_render(labels, out, progress=stop, **kw)

    def fail_when_ready(action, *args, **kwargs):
        if action == "label_batch.ready":  # every label has been inserted by now
            assert len(serials_of(batch.id)) == 500
            raise RuntimeError("database went away")
        return real_record(action, *args, **kwargs)

    if where == "render":
        monkeypatch.setattr(issuing, "label_sheet_pdf", render_then_fail)
    else:
        monkeypatch.setattr(issuing, "record", fail_when_ready)
    batch = services.order_batch(authorization, producer, "carving", 500)
    assert not issuing.issue_batch(batch.id)
    batch = reload(batch.id)
    assert batch.state == BatchState.FAILED and batch.error.startswith("internal")
    assert serials_of(batch.id) == [] and batch.pdf_name == ""
    assert sheet_files() == []  # neither the partial nor the final PDF is left
    assert actions_of(batch.id)[-1] == "label_batch.fail"


def test_a_serial_collision_redraws_its_chunk(authorization, producer, monkeypatch, caplog):
    first = helpers.label_batch(producer, 1)
    taken = serials_of(first.id)[0]
    draws = iter([None] * 100 + [taken])  # the 101st serial drawn, in the second chunk, is taken
    monkeypatch.setattr(issuing, "CHUNK", 100)
    monkeypatch.setattr(issuing, "new_serial", lambda: next(draws, None) or new_serial())
    batch = services.order_batch(authorization, producer, "carving", 250)
    assert issuing.issue_batch(batch.id)
    serials = serials_of(batch.id)
    assert len(set(serials)) == 250 and taken not in serials
    assert "serial collision in chunk 1" in caplog.text
    assert serials_of(first.id) == [taken]


def issue_concurrently(app, batch_ids: list[int]) -> list[bool | None]:
    """Issue each batch in its own thread, app context and session, all starting together."""
    barrier, results = threading.Barrier(len(batch_ids)), [None] * len(batch_ids)

    def work(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[index] = issuing.issue_batch(batch_ids[index])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(batch_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_batches_have_unique_serials(app, authorization, producer):
    ids = [services.order_batch(authorization, producer, "carving", 600).id for _ in range(4)]
    assert issue_concurrently(app, ids) == [True] * 4
    serials = list(db.session.scalars(db.select(Label.serial)))
    assert len(serials) == 2400 == len(set(serials))
    assert {reload(i).state for i in ids} == {BatchState.READY}


def test_concurrent_batches_drawing_the_same_serial_both_finish(
    app, authorization, producer, monkeypatch, caplog
):
    """Two batches insert the same serial at the same time: one waits, fails, redraws."""
    clash, drawn = new_serial(), threading.local()

    def draw():
        if not getattr(drawn, "once", False):
            drawn.once = True
            return clash
        return new_serial()

    monkeypatch.setattr(issuing, "new_serial", draw)
    ids = [services.order_batch(authorization, producer, "carving", 300).id for _ in range(2)]
    assert issue_concurrently(app, ids) == [True, True]
    serials = list(db.session.scalars(db.select(Label.serial)))
    assert len(serials) == 600 == len(set(serials)) and clash in serials
    assert caplog.text.count("serial collision") == 1  # the loser redrew, the winner did not


def test_a_batch_is_issued_once_even_if_two_workers_try(app, authorization, producer):
    batch = services.order_batch(authorization, producer, "carving", 300)
    assert sorted(issue_concurrently(app, [batch.id] * 3)) == [False, False, True]
    assert len(serials_of(batch.id)) == 300
    assert actions_of(batch.id).count("label_batch.start") == 1


def test_the_queue_worker_issues_queued_batches_in_order(authorization, producer):
    ids = [services.order_batch(authorization, producer, "carving", n).id for n in (50, 70)]
    assert jobs.drain() == 2
    assert [reload(i).state for i in ids] == [BatchState.READY, BatchState.READY]
    assert jobs.drain() == 0


def test_the_web_process_drains_in_a_thread_when_no_worker_runs(app, authorization, producer):
    batch = services.order_batch(authorization, producer, "carving", 60)
    thread = jobs.kick()
    assert thread is not None
    thread.join(timeout=60)
    assert reload(batch.id).state == BatchState.READY


def test_no_drain_thread_while_a_worker_holds_the_queue(app, authorization, producer):
    from gi_registry.labels.locks import WORKER, HeldLock

    services.order_batch(authorization, producer, "carving", 5)
    with HeldLock(WORKER, services.labels_dir()) as worker:
        assert worker.acquire()
        assert jobs.kick() is None


def test_an_orphaned_batch_goes_back_to_the_queue(authorization, producer):
    """A batch left `issuing` with nobody holding its lock (its process died) is requeued."""
    batch = services.order_batch(authorization, producer, "carving", 30)
    batch.state, batch.pdf_name = BatchState.ISSUING, "deadbeef.pdf"
    db.session.commit()
    (services.labels_dir() / "deadbeef.pdf.part").write_bytes(b"%PDF-1.4 half")
    assert jobs.recover_interrupted() == 1
    assert reload(batch.id).state == BatchState.QUEUED and sheet_files() == []
    assert jobs.drain() == 1
    assert reload(batch.id).state == BatchState.READY
    assert "label_batch.requeue" in actions_of(batch.id)


def test_the_cli_issues_a_batch_with_progress(runner, authorization, tmp_path):
    out = tmp_path / "sheet.pdf"
    result = runner.invoke(args=["gi", "labels-issue", "--authorization", authorization.number,
                                 "--category", "carving", "--quantity", "400", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "400 / 400 labels (100%)" in result.output and "ready" in result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert db.session.scalar(db.select(db.func.count(Label.id))) == 400


def test_the_cli_refuses_out_of_scope_categories(runner, authorization):
    result = runner.invoke(args=["gi", "labels-issue", "--authorization", authorization.number,
                                 "--category", "vessel", "--quantity", "10"])  # fmt: skip
    assert result.exit_code != 0
    assert db.session.scalar(db.select(db.func.count(LabelBatch.id))) == 0
