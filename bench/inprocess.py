"""What the bench measures inside the app: label issuance and the server time of the busiest pages.

Pages are timed through Flask's test client in this process, on the same app settings and
database as the HTTP runs: the time covers routing, the view, its queries and the template, and
leaves out the network and gunicorn (which the HTTP runs cover). Queries are counted with a
`before_cursor_execute` listener on the engine.

Label batches are issued in a child process (`python -m bench.inprocess issue ...`) by the labels
service itself, so that its peak resident memory (VmHWM) is the job's own.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import FULL, QUICK, ROOT, make_app

BUSY_PAGES = (
    ("review queue", "/review"),
    ("review queue, submitted, one town", "/review?state=submitted&town=%E5%9F%8E%E4%B8%9C%E8%A1%97%E9%81%93"),
    ("directory", "/registry/"),
    ("directory, page 50", "/registry/?page=50"),
    ("directory search by name", "/registry/?q=%E7%90%89%E7%92%83"),
    ("directory search by credit code", "/registry/?q=91370304MA0012"),
    ("directory, active, one category", "/registry/?status=active&category=bead"),
    ("dashboard", "/dashboard/"),
    ("certificates (officials)", "/certificates/all"),
    ("label batches (officials)", "/labels/batches"),
    ("flagged labels", "/labels/flagged"),
)  # fmt: skip


def time_pages(url: str, scale, repeat: int = 7) -> list[dict]:
    """Median and worst server time and the query count of each busy page, signed in as admin."""
    from gi_registry.extensions import db

    app = make_app(url, scale)
    results = []
    with app.app_context():
        queries = {"n": 0}

        def count(*_args, **_kwargs):
            queries["n"] += 1

        sa.event.listen(db.engine, "before_cursor_execute", count)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = "1"
            session["_fresh"] = True
        for name, path in BUSY_PAGES:
            if client.get(path).status_code == 404:
                continue  # a page this version of the site does not have
            times, status = [], None
            for _ in range(repeat):
                queries["n"] = 0
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                status = response.status_code
            results.append({"page": name, "path": path, "status": status,
                            "median_ms": round(statistics.median(times), 1),
                            "max_ms": round(max(times), 1), "queries": queries["n"]})  # fmt: skip
        sa.event.remove(db.engine, "before_cursor_execute", count)
        db.session.remove()
        db.engine.dispose()
    return results


def issue_in_child(url: str, scale_name: str, quantity: int) -> dict:
    """Order and issue one batch in a child process; returns its timings and peak memory."""
    command = [sys.executable, "-m", "bench.inprocess", "issue", url, scale_name, str(quantity)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return {"quantity": quantity, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def issue(url: str, scale, quantity: int) -> dict:
    """Order a batch under an active authorization and issue it as the background job does
    (jobs.drain: the same code as `flask gi labels-worker`); then remove it again so that the
    bench database stays the same size."""
    from gi_registry.clock import local_today
    from gi_registry.extensions import db
    from gi_registry.labels import jobs, services
    from gi_registry.models import Authorization
    from gi_registry.models.labels import Label, LabelBatch

    app = make_app(url, scale, LABELS_THREAD=False)
    with app.app_context():
        today = local_today()
        authorization = db.session.scalars(
            db.select(Authorization).where(Authorization.status == "active",
                                           Authorization.valid_until > today,
                                           Authorization.valid_from <= today)
            .order_by(Authorization.id).limit(1)
        ).one()  # fmt: skip
        rss_before = status_kb("VmRSS")
        updates = []
        batch = services.order_batch(authorization, None, authorization.scope[0], quantity)
        started = time.perf_counter()

        def announce(_batch):
            return lambda done, total: updates.append(done)

        jobs.drain(announce)
        seconds = time.perf_counter() - started
        batch = db.session.get(LabelBatch, batch.id, populate_existing=True)
        made = db.session.scalar(
            db.select(db.func.count(Label.id)).where(Label.batch_id == batch.id)
        )
        sheet = services.sheet_path(batch)
        result = {
            "quantity": quantity, "state": batch.state, "labels": made,
            "seconds": round(seconds, 2), "labels_per_second": round(made / seconds, 1),
            "pdf_mb": round(sheet.stat().st_size / 2**20, 1) if sheet else None,
            "progress_updates": len(updates), "rss_before_mb": round(rss_before / 1024, 1),
            "peak_rss_mb": round(status_kb("VmHWM") / 1024, 1),
        }  # fmt: skip
        if sheet:
            sheet.unlink()
        db.session.execute(sa.delete(Label).where(Label.batch_id == batch.id))
        db.session.execute(sa.delete(LabelBatch).where(LabelBatch.id == batch.id))
        db.session.commit()
        db.engine.dispose()
    return result


if __name__ == "__main__":
    if sys.argv[1] == "issue":
        scale = {"full": FULL, "quick": QUICK}[sys.argv[3]]
        print(json.dumps(issue(sys.argv[2], scale, int(sys.argv[4]))))
