"""Concurrent officials and producers on PostgreSQL: unique numbers, no lost update, one chain."""

import os
import re
import threading
import time

import pytest
import sqlalchemy as sa

from gi_registry import create_app
from gi_registry.audit.services import record, verify_chain
from gi_registry.authorization import services as flow
from gi_registry.exceptions import InvalidTransition
from gi_registry.extensions import db
from gi_registry.models import Application, Authorization, Role, User
from gi_registry.models.certificates import Certificate

from . import helpers
from .conftest import RequestScopedClient

N = 16
pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(database_url, tmp_path):
    """The app on PostgreSQL with a pool large enough for every thread at once."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("concurrency tests need PostgreSQL: set TEST_DATABASE_URL")
    config = helpers.test_config(database_url, tmp_path)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, "pool_size": N + 4}
    app = create_app(config)
    app.test_client_class = RequestScopedClient
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


def race(app, prepare, act, n: int = N) -> list:
    """Run act(*prepare(i)) in n threads, each in its own app context (its own session), all
    released together once prepared; the results, exceptions included."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(i: int) -> None:
        with app.app_context():
            try:
                args = prepare(i)
                barrier.wait(timeout=60)
                results[i] = act(*args)
            except Exception as error:  # kept for the assertions
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return results


def numbers(prefix: str, values) -> list[int]:
    return sorted(int(re.fullmatch(prefix + r"-\d{4}-(\d+)", v).group(1)) for v in values)


def assert_chain_intact() -> None:
    db.session.remove()
    checked, broken = verify_chain()
    assert broken is None, broken
    assert checked > 0


def test_16_approvals_at_once_get_consecutive_unique_numbers(pg_app):
    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    ids = [helpers.make_application(helpers.make_producer(), "review_passed", reviewer, approver).id
           for _ in range(N)]  # fmt: skip
    approver_id = approver.id
    db.session.remove()

    results = race(
        pg_app,
        lambda i: (db.session.get(Application, ids[i]), db.session.get(User, approver_id)),
        lambda application, actor: flow.approve_application(application, actor).number,
    )
    assert all(isinstance(r, str) for r in results), results
    taken = numbers("BSLL", results)
    assert taken == list(range(taken[0], taken[0] + N))  # unique and consecutive
    authorizations = db.session.scalars(db.select(Authorization)).all()
    assert sorted(a.application_id for a in authorizations) == sorted(ids)
    states = db.session.scalars(db.select(Application.state).where(Application.id.in_(ids)))
    assert set(states) == {"approved"}
    # Approval issues the certificate in the same transaction: 16 certificates, unique numbers.
    certificates = db.session.scalars(db.select(Certificate.number)).all()
    taken = numbers("BSLL-C", certificates)
    assert len(certificates) == N and taken == list(range(taken[0], taken[0] + N))
    assert_chain_intact()


def test_16_approvals_of_the_same_application_one_wins_the_rest_are_refused(pg_app):
    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    application_id = helpers.make_application(helpers.make_producer(), "review_passed",
                                              reviewer, approver).id  # fmt: skip
    email = approver.email
    db.session.remove()

    def signed_in(i):
        client = pg_app.test_client()
        response = client.post(
            "/account/login", data={"email": email, "password": helpers.PASSWORD}
        )
        assert response.status_code == 302
        return (client,)

    results = race(pg_app, signed_in,
                   lambda client: client.post(f"/applications/{application_id}/approve", data={}))  # fmt: skip
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = sorted(r.status_code for r in results)
    assert codes == [302] + [409] * (N - 1), codes
    refused = next(r for r in results if r.status_code == 409).get_data(as_text=True)
    assert "状态冲突" in refused and "Conflict" in refused
    assert db.session.scalar(db.select(sa.func.count()).select_from(Authorization)) == 1
    assert db.session.get(Application, application_id).state == "approved"
    assert_chain_intact()


def test_16_approvals_of_the_same_application_through_the_service(pg_app):
    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    application_id = helpers.make_application(helpers.make_producer(), "review_passed",
                                              reviewer, approver).id  # fmt: skip
    approver_id = approver.id
    db.session.remove()

    results = race(
        pg_app,
        lambda i: (db.session.get(Application, application_id), db.session.get(User, approver_id)),
        flow.approve_application,
    )
    won = [r for r in results if isinstance(r, Authorization)]
    refused = [r for r in results if isinstance(r, InvalidTransition | sa.orm.exc.StaleDataError)]
    assert len(won) == 1 and len(refused) == N - 1, results
    assert_chain_intact()


def test_concurrent_reissues_leave_exactly_one_current_certificate(pg_app):
    from gi_registry.certificates.services import certificate_for, reissue_certificate

    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    producers = [helpers.make_producer() for _ in range(4)]
    authorization_ids = []
    for producer in producers:
        helpers.make_application(producer, "approved", reviewer, approver)
        authorization_ids.append(producer.enterprise.authorizations[0].id)
    approver_id = approver.id
    db.session.remove()

    def current(i):
        authorization = db.session.get(Authorization, authorization_ids[i % 4])
        return certificate_for(authorization), db.session.get(User, approver_id)

    results = race(pg_app, current, lambda c, actor: reissue_certificate(c, actor, "更正").number)
    assert all(isinstance(r, str) for r in results), results
    every = db.session.scalars(db.select(Certificate)).all()
    taken = numbers("BSLL-C", [c.number for c in every])
    assert taken == list(range(taken[0], taken[0] + 4 + N))  # unique, none skipped or reused
    for authorization_id in authorization_ids:
        mine = [c for c in every if c.authorization_id == authorization_id]
        assert [c.status for c in mine].count("current") == 1
        # The superseded ones form one line from the first to the current, none left dangling.
        assert all(c.superseded_by_id for c in mine if c.status != "current")
        assert len({c.superseded_by_id for c in mine if c.superseded_by_id}) == len(mine) - 1
    assert_chain_intact()


def test_16_label_batches_at_once_get_unique_serials(pg_app):
    from gi_registry.labels.issuing import issue_batch
    from gi_registry.labels.services import order_batch
    from gi_registry.models.labels import Label, LabelBatch

    producer = helpers.make_producer()
    helpers.make_application(producer, "approved")
    authorization_id, producer_id = producer.enterprise.authorizations[0].id, producer.id
    db.session.remove()

    def order(i):
        authorization = db.session.get(Authorization, authorization_id)
        return authorization, db.session.get(User, producer_id)

    def order_and_issue(authorization, actor):
        batch = order_batch(authorization, actor, authorization.scope[0], 5)
        return batch.id, issue_batch(batch.id)

    results = race(pg_app, order, order_and_issue)
    assert all(isinstance(r, tuple) and r[1] for r in results), results
    batches = db.session.scalars(db.select(LabelBatch)).all()
    assert len(batches) == N and {b.state for b in batches} == {"ready"}
    serials = db.session.scalars(db.select(Label.serial)).all()
    assert len(serials) == 5 * N == len(set(serials))
    assert_chain_intact()


def test_audit_appends_wait_for_each_other(pg_app):
    """record() takes a transaction-scoped advisory lock: a second writer waits for the first."""
    first_done, second_prev = threading.Event(), {}
    db.session.remove()

    def second() -> None:
        with pg_app.app_context():
            entry = record("test.second", "test", 2, None)
            db.session.commit()
            second_prev["hash"] = entry.prev_hash
            db.session.remove()

    entry = record("test.first", "test", 1, None)  # holds the lock until commit
    thread = threading.Thread(target=second)
    thread.start()
    waiting = wait_for_advisory_waiter()
    assert waiting, "the second writer did not wait for the advisory lock"
    db.session.commit()
    first_done.set()
    thread.join(timeout=60)
    assert second_prev["hash"] == entry.hash  # it chained onto the first, not onto the old tail
    assert_chain_intact()


def wait_for_advisory_waiter(timeout: float = 30) -> bool:
    """Watch pg_locks from another connection until someone waits on an advisory lock."""
    watcher = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    deadline = time.monotonic() + timeout
    try:
        with watcher.connect() as conn:
            while time.monotonic() < deadline:
                query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                if conn.execute(sa.text(query)).scalar():
                    return True
                conn.rollback()
                time.sleep(0.01)  # polling a condition, not waiting for a guess
    finally:
        watcher.dispose()
    return False


def test_scan_batches_of_every_worker_count_the_same_labels_without_deadlock(pg_app):
    """Each worker's scan writer counts its queued label scans in one transaction; 16 of them
    holding the same 20 labels in different orders must neither deadlock nor lose a count."""
    import random

    from gi_registry.labels.issuing import issue_batch
    from gi_registry.labels.services import order_batch
    from gi_registry.models.base import utcnow
    from gi_registry.models.labels import Label
    from gi_registry.verify import scanlog

    producer = helpers.make_producer()
    helpers.make_application(producer, "approved")
    authorization = producer.enterprise.authorizations[0]
    batch = order_batch(authorization, producer, authorization.scope[0], 20)
    issue_batch(batch.id)
    labels = db.session.execute(db.select(Label.id, Label.serial)).all()
    db.session.remove()

    def prepare(i):
        rows = [{"kind": "label", "target_id": label_id, "serial": serial, "at": utcnow(),
                 "scanner": f"{i:032d}"} for label_id, serial in labels]  # fmt: skip
        random.Random(i).shuffle(rows)
        return (rows,)

    writer = scanlog.ScanWriter(pg_app)
    results = race(pg_app, prepare, writer._insert)
    assert all(isinstance(r, list) for r in results), results
    counts = db.session.execute(db.select(Label.scan_count, Label.distinct_scanners)).all()
    assert set(counts) == {(N, N)}
    assert db.session.get(Label, labels[0][0]).copy_flagged_at is None  # flagged by _write only
