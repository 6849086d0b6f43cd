"""Photos of genuine items: producers submit them, officials approve or reject, the public sees."""

import hashlib
import secrets
from io import BytesIO

from flask import abort
from flask_babel import gettext as _
from PIL import Image, ImageOps
from werkzeug.datastructures import FileStorage

from .. import uploads
from ..audit.services import record, snapshot
from ..clock import local_today
from ..exceptions import Invalid, InvalidTransition, NotPermitted
from ..extensions import db
from ..models import AuthorizationStatus, Enterprise, User
from ..models.base import utcnow
from ..models.registry import PhotoState, ProductPhoto

FORMATS = {"image/jpeg": ("JPEG", ".jpg"), "image/png": ("PNG", ".png")}


def photo_categories(enterprise: Enterprise | None) -> list[str]:
    """The categories a producer may show photos of: the scope of its valid authorizations."""
    if enterprise is None:
        return []
    today = local_today()
    scope = {c for a in enterprise.authorizations
             if a.status_on(today) == AuthorizationStatus.ACTIVE for c in a.scope}  # fmt: skip
    return sorted(scope)


def ensure_image(file: FileStorage) -> None:
    """Refuse anything but JPEG or PNG before it is stored (PDFs are fine elsewhere, not here)."""
    head = file.stream.read(16)
    file.stream.seek(0)
    kind = uploads.sniff(head)
    if kind is None or kind[0] not in FORMATS:
        raise Invalid(_("Only JPEG and PNG photos are accepted (checked by content)."), "photo")


def strip_metadata(stored: uploads.StoredFile) -> tuple[str, bytes, int, int]:
    """Re-encode the checked image without its metadata (a phone photo can carry GPS position)."""
    path = uploads.upload_dir() / stored.stored_name
    image_format, extension = FORMATS[stored.content_type]
    with Image.open(path) as original:
        image = ImageOps.exif_transpose(original)
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = BytesIO()
        image.save(out, image_format, **({"quality": 88} if image_format == "JPEG" else {}))
        width, height = image.size
    name = secrets.token_hex(16) + extension
    with open(uploads.upload_dir() / name, "xb") as target:
        target.write(out.getvalue())
    return name, out.getvalue(), width, height


def submit_photo(enterprise: Enterprise, actor: User, category: str, caption: str,
                 file: FileStorage) -> ProductPhoto:  # fmt: skip
    """A producer submits a photo of a genuine item in its authorized scope; commits."""
    if enterprise.owner_id != actor.id:
        raise NotPermitted(_("You can only submit photos for your own enterprise."))
    if category not in photo_categories(enterprise):
        raise Invalid(_("Choose a product category your valid authorization covers."), "category")
    ensure_image(file)
    original = uploads.store_upload(file)
    try:
        name, data, width, height = strip_metadata(original)
    finally:
        uploads.discard(original.stored_name)  # only the copy without metadata is kept
    with uploads.commit_or_discard(name):
        photo = ProductPhoto(
            enterprise_id=enterprise.id, category=category, caption=(caption or "").strip(),
            stored_name=name, content_type=original.content_type, size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), width=width, height=height,
            uploaded_by_id=actor.id,
        )  # fmt: skip
        db.session.add(photo)
        db.session.flush()
        record("product_photo.submit", "product_photo", photo.id, actor,
               after=snapshot(photo, "category", "caption", "sha256", "state"))  # fmt: skip
    return photo


DECISIONS = {"approve": PhotoState.APPROVED, "reject": PhotoState.REJECTED}


def decide_photo(photo: ProductPhoto, actor: User, decision: str, note: str = "") -> None:
    """An official approves a pending photo, or rejects (takes down) one, with grounds; commits."""
    if not actor.is_official:
        raise NotPermitted(_("Only officials can decide on photos."))
    target = DECISIONS[decision]
    allowed = {PhotoState.PENDING} | ({PhotoState.APPROVED} if decision == "reject" else set())
    if photo.state not in allowed:
        raise InvalidTransition(_("This photo has already been decided."))
    note = (note or "").strip()
    if decision == "reject" and not note:
        raise Invalid(_("Give the grounds in writing."), "note")
    before = snapshot(photo, "state")
    photo.state, photo.decided_by_id, photo.decided_at = target, actor.id, utcnow()
    photo.decision_note = note
    record(f"product_photo.{decision}", "product_photo", photo.id, actor, before=before,
           after=snapshot(photo, "state"), grounds=note)  # fmt: skip
    db.session.commit()


def get_photo_or_404(photo_id: int, user) -> ProductPhoto:
    """An approved photo for anyone; a pending or rejected one only for its owner or officials."""
    photo = db.session.get(ProductPhoto, photo_id)
    if photo is None:
        abort(404)
    if photo.state == PhotoState.APPROVED:
        return photo
    authenticated = getattr(user, "is_authenticated", False)
    if authenticated and (user.is_official or photo.enterprise.owner_id == user.id):
        return photo
    abort(404)


def my_photos(enterprise: Enterprise) -> list[ProductPhoto]:
    return list(db.session.scalars(
        db.select(ProductPhoto).where(ProductPhoto.enterprise_id == enterprise.id)
        .order_by(ProductPhoto.id.desc())
    ))  # fmt: skip


def review_queue() -> list[ProductPhoto]:
    """Pending photos first (oldest first), then the approved ones that could be taken down."""
    return list(db.session.scalars(
        db.select(ProductPhoto).where(ProductPhoto.state != PhotoState.REJECTED)
        .options(db.joinedload(ProductPhoto.enterprise))
        .order_by((ProductPhoto.state == PhotoState.PENDING).desc(), ProductPhoto.id)
        .limit(200)
    ))  # fmt: skip
