"""Attachments: checked by their bytes, size-limited, stored under random names, owner-only."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from gi_registry.extensions import db
from gi_registry.models import Attachment, AuditEntry

from . import helpers


def png_bytes(size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def draft(app, login):
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "draft")
    login(producer)
    return application


def upload(client, application, data: bytes, name: str, kind: str = "other"):
    return client.post(
        f"/applications/{application.id}/attachments?lang=en",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip


def attachments(application):
    return db.session.scalars(db.select(Attachment).where(
        Attachment.application_id == application.id, Attachment.kind == "other")).all()  # fmt: skip


def test_a_real_png_is_stored_under_a_random_name(app, client, draft):
    response = upload(client, draft, png_bytes(), "照片.png")
    assert "Document attached" in response.get_data(as_text=True)
    (attachment,) = attachments(draft)
    assert attachment.original_name == "照片.png" and attachment.content_type == "image/png"
    stored = Path(app.config["UPLOAD_DIR"]) / attachment.stored_name
    assert stored.read_bytes() == png_bytes()
    assert "照片" not in attachment.stored_name and len(attachment.stored_name) >= 32


@pytest.mark.parametrize(("data", "name"), [
    (b"MZ\x90\x00 this is a windows executable", "scan.pdf"),
    (b"<html><script>alert(1)</script></html>", "photo.png"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "broken.png"),  # PNG magic, garbage after it
    (helpers.MINIMAL_PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "form.pdf"),
])  # fmt: skip
def test_wrong_or_dangerous_bytes_under_a_good_name_are_refused(client, draft, data, name):
    response = upload(client, draft, data, name)
    assert "was not accepted" in response.get_data(as_text=True)
    assert attachments(draft) == []


def test_oversized_file_is_refused(app, client, draft):
    app.config["MAX_UPLOAD_BYTES"] = 1024
    response = upload(client, draft, helpers.MINIMAL_PDF + b"%" * 2048 + b"\n%%EOF\n", "big.pdf")
    assert "larger than" in response.get_data(as_text=True)
    assert attachments(draft) == []


def test_request_over_the_global_limit_gets_the_413_page(app, client, draft):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = client.post(f"/applications/{draft.id}/attachments", data={
        "kind": "other", "file": (io.BytesIO(b"%PDF-" + b"0" * 4096), "x.pdf")},
        content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)


def test_decompression_bomb_is_refused(client, draft):
    response = upload(client, draft, png_bytes((8000, 6000)), "bomb.png")
    assert "was not accepted" in response.get_data(as_text=True)


@pytest.mark.parametrize(("name", "shown"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Windows\\system32\\x.pdf", None),  # backslashes may not even survive the trip
    ("invoice\u202efdp.exe", "invoicefdp.pdf"),  # right-to-left override trick
    ("/", "attachment.pdf"),
])  # fmt: skip
def test_path_like_and_unicode_trick_names_are_made_harmless(app, client, draft, name, shown):
    upload(client, draft, helpers.MINIMAL_PDF, name)
    (attachment,) = attachments(draft)
    assert attachment.original_name == shown or shown is None
    assert not set("/\\\u202e") & set(attachment.original_name)
    assert attachment.original_name.endswith(".pdf")
    upload_dir = Path(app.config["UPLOAD_DIR"]).resolve()
    assert all(Path(root).resolve() == upload_dir for root, _, _ in os.walk(upload_dir))


def test_only_the_owner_and_officials_can_download(app, client, login, draft):
    attachment = draft.attachments[0]
    response = client.get(f"/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == helpers.MINIMAL_PDF
    assert "attachment" in response.headers["Content-Disposition"]
    login(helpers.make_producer())
    assert client.get(f"/attachments/{attachment.id}").status_code == 404


def test_upload_and_removal_are_audited_and_removal_deletes_the_file(app, client, draft):
    upload(client, draft, helpers.MINIMAL_PDF, "extra.pdf")
    (attachment,) = attachments(draft)
    path = Path(app.config["UPLOAD_DIR"]) / attachment.stored_name
    client.post(f"/attachments/{attachment.id}/delete")
    assert not path.exists()
    actions = db.session.scalars(db.select(AuditEntry.action).where(  # in the order written
        AuditEntry.object_type == "application", AuditEntry.object_id == str(draft.id)
    ).order_by(AuditEntry.id)).all()  # fmt: skip
    assert actions[-2:] == ["application.attach", "application.detach"]


def test_no_upload_once_submitted(client, login):
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "submitted")
    login(producer)
    response = client.post(f"/applications/{application.id}/attachments", data={
        "kind": "other", "file": (io.BytesIO(helpers.MINIMAL_PDF), "late.pdf")},
        content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 409
