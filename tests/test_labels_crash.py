"""A worker process killed in the middle of a batch leaves nothing half-made, and it resumes."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from gi_registry.extensions import db
from gi_registry.labels import jobs, services
from gi_registry.models.labels import BatchState, Label, LabelBatch

from . import helpers

ROOT = Path(__file__).resolve().parent.parent
PROGRESS = re.compile(r"labels \((\d+)%\)")


def test_a_worker_killed_mid_batch_leaves_no_labels_and_the_batch_resumes(app, database_url):
    producer = helpers.make_producer()
    helpers.make_application(producer, "approved")
    authorization = producer.enterprise.authorizations[0]
    batch_id = services.order_batch(authorization, producer, "carving", 3000).id
    env = {**os.environ, "DATABASE_URL": database_url, "FLASK_SECRET_KEY": "test-secret",
           "FLASK_LABELS_DIR": app.config["LABELS_DIR"], "PYTHONUNBUFFERED": "1",
           "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"]}  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "gi", "labels-worker", "--once"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    seen = []
    try:
        for line in worker.stdout:  # wait until it is well into rendering the sheet
            seen.append(line)
            if (match := PROGRESS.search(line)) and int(match[1]) >= 30:
                break
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert PROGRESS.search(seen[-1]) and worker.returncode == -signal.SIGKILL, "".join(seen)

    batch = db.session.get(LabelBatch, batch_id, populate_existing=True)
    assert batch.state == BatchState.ISSUING and batch.progress > 0
    labels = db.select(db.func.count(Label.id)).where(Label.batch_id == batch_id)
    assert db.session.scalar(labels) == 0  # nothing half-made
    assert [p.name for p in services.labels_dir().glob("*.pdf")] == []  # only the .part

    assert jobs.recover_interrupted() == 1
    assert list(services.labels_dir().glob("*.pdf*")) == []
    assert jobs.drain() == 1
    batch = db.session.get(LabelBatch, batch_id, populate_existing=True)
    assert batch.state == BatchState.READY and db.session.scalar(labels) == 3000
