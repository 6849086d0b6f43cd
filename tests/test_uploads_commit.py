"""An upload is kept only with its record: each service commits once, and a change that is not
saved (an error in the service, or a failing commit) leaves no file behind."""

import pytest
import sqlalchemy as sa

from gi_registry import uploads
from gi_registry.authorization.services import add_attachment
from gi_registry.certificates.reports import create_report
from gi_registry.exceptions import Invalid
from gi_registry.extensions import db
from gi_registry.models import Attachment, AuditEntry, Role
from gi_registry.models.certificates import FakeReport
from gi_registry.models.registry import ProductPhoto
from gi_registry.models.stations import LedgerAttachment
from gi_registry.registry.photos import submit_photo
from gi_registry.stations import ledger

from . import helpers
from .test_stations_helpers import make_entry, make_station


def application_attachment():
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "draft")
    return lambda: add_attachment(application, producer, "other", helpers.pdf_upload()), Attachment


def ledger_photo():
    admin, operator = helpers.make_user(Role.ADMIN), helpers.make_user(Role.STATION_OPERATOR)
    entry = make_entry(make_station(admin, operators=[operator]), operator)
    return lambda: ledger.add_entry_attachment(entry, operator, "photo", helpers.png_upload()), (
        LedgerAttachment
    )


def product_photo():
    producer = helpers.make_producer()
    reviewer, approver = helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)
    helpers.make_application(producer, "approved", reviewer, approver)
    return lambda: submit_photo(producer.enterprise, producer, "carving", "",
                                helpers.png_upload()), ProductPhoto  # fmt: skip


def fake_report():
    data = {"what_seen": "标签模糊", "where_bought": "博山某市场", "code": ""}
    return lambda: create_report(data, helpers.png_upload()), FakeReport


CALLERS = [application_attachment, ledger_photo, product_photo, fake_report]


def stored_files() -> set[str]:
    return {path.name for path in uploads.upload_dir().iterdir()}


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def commits(monkeypatch):
    """The number of commits made from now on."""
    calls, real = [], db.session.commit
    monkeypatch.setattr(db.session, "commit", lambda: (calls.append(1), real())[1])
    return calls


@pytest.fixture
def failing_commit(monkeypatch):
    """From now on the database refuses every commit, as when its disk is full."""

    def refuse():
        raise sa.exc.OperationalError("COMMIT", None, Exception("disk I/O error"))

    return lambda: monkeypatch.setattr(db.session, "commit", refuse)


@pytest.mark.parametrize("caller", CALLERS, ids=lambda caller: caller.__name__)
def test_an_upload_is_saved_with_one_commit_and_its_audit_entry(app, caller, commits):
    upload, model = caller()
    files, rows, entries = stored_files(), count(model), count(AuditEntry)
    commits.clear()
    record = upload()
    assert len(commits) == 1
    assert (count(model), count(AuditEntry)) == (rows + 1, entries + 1)
    assert stored_files() - files == {record.stored_name if model is not FakeReport
                                      else record.photo_stored_name}  # fmt: skip


@pytest.mark.parametrize("caller", CALLERS, ids=lambda caller: caller.__name__)
def test_a_failing_commit_leaves_no_file_record_or_audit_entry(app, caller, failing_commit):
    upload, model = caller()
    files, rows, entries = stored_files(), count(model), count(AuditEntry)
    failing_commit()
    with pytest.raises(sa.exc.OperationalError):
        upload()
    assert stored_files() == files
    assert (count(model), count(AuditEntry)) == (rows, entries)


def test_a_refused_file_is_not_kept(app):
    operator = helpers.make_user(Role.STATION_OPERATOR)
    entry = make_entry(make_station(operators=[operator]), operator)
    files = stored_files()
    with pytest.raises(Invalid, match="JPEG 或 PNG"):  # stored, then refused as a photo
        ledger.add_entry_attachment(entry, operator, "photo", helpers.pdf_upload())
    with pytest.raises(Invalid):
        create_report({"what_seen": "假的", "where_bought": "网店"}, helpers.pdf_upload())
    assert stored_files() == files
    assert count(LedgerAttachment) == count(FakeReport) == 0


def test_stored_keeps_the_file_only_when_the_block_commits(app):
    with uploads.stored(helpers.png_upload()) as kept:
        pass
    assert kept.stored_name in stored_files()
    with pytest.raises(RuntimeError), uploads.stored(helpers.png_upload()) as dropped:
        raise RuntimeError("the record could not be built")
    assert dropped.stored_name not in stored_files()
    with uploads.stored(None) as nothing:
        assert nothing is None
