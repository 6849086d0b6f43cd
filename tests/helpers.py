"""Data makers shared by the tests."""

from datetime import date
from io import BytesIO
from pathlib import Path

from werkzeug.datastructures import FileStorage

from gi_registry import creditcode
from gi_registry.accounts.services import create_user
from gi_registry.authorization import services as flow
from gi_registry.enterprises.services import register_enterprise
from gi_registry.models import Role
from gi_registry.standards.services import load_standards_if_missing

PASSWORD = "correct-horse-battery"
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
_counter = {"n": 0}


def test_config(database_url: str, tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "KEYS_DIR": str(tmp_path / "keys"),
        "LABELS_DIR": str(tmp_path / "labels"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "https://gi.example.test",
    }


def unique(prefix: str) -> str:
    _counter["n"] += 1
    return f"{prefix}{_counter['n']}"


def valid_code(seed: int | None = None) -> str:
    """A credit code that passes the check, different for every call."""
    if seed is None:
        _counter["n"] += 1
        seed = _counter["n"]
    first17 = f"91370304MA{seed:07d}"
    return first17 + creditcode.check_character(first17)


def make_user(*roles: Role, email: str | None = None):
    return create_user(email or unique("user") + "@example.cn", PASSWORD, set(roles), None)


def enterprise_details(**overrides) -> dict:
    details = dict(
        name=unique("琉璃工坊"), credit_code=valid_code(), legal_representative="李四",
        address="山头街道琉璃路 1 号", town="山头街道", phone="0533-4100000",
        route="certification_licensee", trademark_name="博山琉璃", trademark_reg_no="12345678",
        trademark_valid_until=date(2030, 12, 31), licence_start=date(2025, 1, 1),
        licence_end=date(2030, 12, 31), announcement_no="",
    )  # fmt: skip
    details.update(overrides)
    return details


def make_producer(**overrides):
    """A producer account with a registered enterprise (and the product standard loaded)."""
    load_standards_if_missing()
    user = make_user(Role.PRODUCER)
    register_enterprise(enterprise_details(**overrides), user, user)
    return user


def pdf_upload(name: str = "form.pdf") -> FileStorage:
    return FileStorage(BytesIO(MINIMAL_PDF), filename=name, content_type="application/pdf")


CATEGORIES = {"carving", "flower-ball", "bead", "vessel"}


def make_application(producer, state: str = "draft", reviewer=None, approver=None,
                     answer_clauses: bool = True):  # fmt: skip
    """An application of `producer` brought to `state` through the real services.

    Submitting answers every clause of the standard. With `answer_clauses` a draft's clauses are
    answered too (so that it can be submitted), and a submitted or resubmitted application's
    clauses are passed by the reviewer (so that its review can pass).
    """
    from gi_registry import categories
    from gi_registry.standards import conformance

    load_standards_if_missing()
    allowed = categories.slugs()
    application = flow.create_application(
        producer.enterprise, producer,
        dict(categories=["carving"], production_town="山头街道", production_address="琉璃路 1 号"),
        allowed,
    )  # fmt: skip
    for kind in ("application_form", "licence_contract", "licence_recording_notice"):
        flow.add_attachment(application, producer, kind, pdf_upload(kind + ".pdf"))
    if answer_clauses:
        conformance.save_answers(application, producer, conformance.sample_answers(application))
    reviewer = reviewer or make_user(Role.REVIEWER)
    approver = approver or make_user(Role.APPROVER)
    path = {
        "draft": [],
        "submitted": ["submit"],
        "returned": ["submit", "return"],
        "resubmitted": ["submit", "return", "resubmit"],
        "review_passed": ["submit", "pass_review"],
        "approved": ["submit", "pass_review", "approve"],
        "rejected": ["submit", "pass_review", "reject"],
        "withdrawn": ["withdraw"],
    }[state]
    from gi_registry.demo import run_step

    for action in path:
        run_step(application, action, producer, reviewer, approver)
    if answer_clauses and state in ("submitted", "resubmitted"):
        conformance.pass_every_clause(application, reviewer)
    return application


def answer_clauses(application) -> None:
    """Answer, as its producer, every clause of the standard that applies to the application."""
    from gi_registry.standards import conformance

    producer = application.enterprise.owner
    conformance.save_answers(application, producer, conformance.sample_answers(application))


def png_upload(name: str = "item.png", size=(64, 48), color=(180, 120, 40)) -> FileStorage:
    """A small real PNG photo."""
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    buffer.seek(0)
    return FileStorage(buffer, filename=name, content_type="image/png")


def registry_objects(producer, approver) -> tuple[int, int]:
    """An approval announcement listing `producer`, and a pending photo of its products."""
    from gi_registry.registry.announcements import publish_announcement
    from gi_registry.registry.photos import submit_photo

    authorization = producer.enterprise.authorizations[0]
    announcement = publish_announcement("approval", [authorization.id], approver)
    photo = submit_photo(producer.enterprise, producer, authorization.scope[0], "", png_upload())
    return announcement.id, photo.id


def label_batch(producer, quantity: int = 2):
    """A ready batch of labels under the producer's first authorization (issued in-process)."""
    from gi_registry.labels.issuing import issue_batch
    from gi_registry.labels.services import order_batch

    authorization = producer.enterprise.authorizations[0]
    batch = order_batch(authorization, producer, authorization.scope[0], quantity)
    assert issue_batch(batch.id), batch.error
    return batch
