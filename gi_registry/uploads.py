"""Storing uploaded files: checked by their bytes, kept under instance/ with random names."""

import contextlib
import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask import current_app, send_file
from flask_babel import gettext as _
from PIL import Image
from werkzeug.datastructures import FileStorage

from .exceptions import Invalid
from .extensions import db

# Magic numbers of the types we accept; the name and the browser's content type are ignored.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
# Active content a PDF reader may run; nobody needs it in an application form.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")
MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; more is a decompression bomb


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_display_name(name: str, extension: str) -> str:
    """A name fit to show and to offer on download: no path, no control or direction tricks."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ")
    name = name.strip(" .")[:150]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem or "attachment") + extension


def sniff(data: bytes) -> tuple[str, str] | None:
    """The (content type, extension) that the bytes really are, if we accept that type."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    return None


def check_content(data: bytes, content_type: str) -> None:
    """Refuse images that do not decode or are bombs, and PDFs with active content."""
    if content_type == "application/pdf":
        if PDF_ACTIVE.search(data):
            raise Invalid(_("PDF files with scripts or embedded actions are not accepted."))
        if b"%%EOF" not in data[-2048:]:
            raise Invalid(_("The PDF file is incomplete or damaged."))
        return
    try:
        with Image.open(BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise Invalid(_("The image is too large (more than 40 megapixels)."))
            image.verify()
    except Invalid:
        raise
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise Invalid(_("The image file is damaged or not a real JPEG/PNG image.")) from None


def store_upload(file: FileStorage) -> StoredFile:
    """Check an uploaded file and save it; raises Invalid with a message for the field."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    data = file.stream.read(limit + 1)
    if not data:
        raise Invalid(_("The file is empty."))
    if len(data) > limit:
        raise Invalid(_("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024)))
    kind = sniff(data)
    if kind is None:
        raise Invalid(_("Only PDF, JPEG and PNG files are accepted (checked by content)."))
    content_type, extension = kind
    check_content(data, content_type)
    stored_name = secrets.token_hex(16) + extension
    path = upload_dir() / stored_name
    with open(path, "xb") as out:
        out.write(data)
    return StoredFile(
        stored_name=stored_name,
        original_name=safe_display_name(file.filename or "", extension),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def discard(stored_name: str) -> None:
    """Remove a stored file whose database record was not written."""
    with contextlib.suppress(FileNotFoundError):
        os.remove(upload_dir() / stored_name)


@contextlib.contextmanager
def commit_or_discard(stored_name: str | None) -> Iterator[None]:
    """Commit the change made in the block once; if the block or the commit fails, roll it back
    and remove the stored file, so that no file outlives a record that was not saved."""
    try:
        yield
        db.session.commit()
    except BaseException:  # an interrupted request must not leave its file behind either
        try:
            db.session.rollback()
        finally:
            if stored_name:
                discard(stored_name)
        raise


@contextlib.contextmanager
def stored(file: FileStorage | None) -> Iterator[StoredFile | None]:
    """Check and store an upload for the record the block adds (with its audit entry), then
    commit once; on any failure roll back and remove the file. No file (None) yields None."""
    kept = store_upload(file) if file is not None else None
    with commit_or_discard(kept.stored_name if kept else None):
        yield kept


def send_stored(stored_name: str, download_name: str, content_type: str):
    """Send a stored file as a download (never rendered inline by the browser)."""
    path = upload_dir() / stored_name
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=download_name)
