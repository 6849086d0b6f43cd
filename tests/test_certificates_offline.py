"""`flask gi verify-qr`: an inspector with no network checks a certificate QR with the published key
set and status list. Each case also gives the same verdict online."""

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from gi_registry.authorization import services as flow
from gi_registry.certificates import qr
from gi_registry.certificates.keys import KeyStore
from gi_registry.certificates.services import certificate_for, reissue_certificate
from gi_registry.clock import local_today
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role

from . import helpers


@pytest.fixture
def approver(app):
    return helpers.make_user(Role.APPROVER)


@pytest.fixture
def certificate(app, approver):
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "approved", approver=approver)
    return certificate_for(application.authorization)


def published(client, tmp_path) -> tuple[str, str]:
    """Download the key set and status list as an inspector would before going offline."""
    keys, status = tmp_path / "gi-keys.json", tmp_path / "gi-status.json"
    keys.write_bytes(client.get("/.well-known/gi-keys.json").data)
    status.write_bytes(client.get("/.well-known/gi-status.json").data)
    return str(keys), str(status)


def verify(runner, source: str, *options: str):
    result = runner.invoke(args=["gi", "verify-qr", source, *options])
    return result.exit_code, result.output


def online(client, certificate) -> str:
    path = certificate.url.partition("gi.example.test")[2]
    return client.get(path + "?lang=en").get_data(as_text=True)


def test_valid_from_an_image_file(runner, client, certificate, tmp_path):
    image = tmp_path / "qr.png"
    image.write_bytes(qr.to_png(certificate.qr_text))
    keys, status = published(client, tmp_path)
    code, output = verify(runner, str(image), "--keys", keys, "--status", status)
    assert code == 0, output
    assert "Verdict: VALID" in output and certificate.number in output
    assert "verdict-valid" in online(client, certificate)


def test_valid_from_the_pdf(runner, client, login, certificate, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot rasterise the PDF")
    login(helpers.make_user(Role.REVIEWER))
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(client.get(f"/certificates/{certificate.id}/certificate.pdf").data)
    code, output = verify(runner, str(pdf))
    assert code == 0 and "Verdict: VALID" in output
    assert "no status list given" in output


def test_tampered_payload(runner, client, certificate, tmp_path):
    keys, status = published(client, tmp_path)
    tampered = certificate.qr_text.replace("carving", "bead")
    assert tampered != certificate.qr_text
    code, output = verify(runner, tampered, "--keys", keys, "--status", status)
    assert code == 1 and "INVALID SIGNATURE" in output
    body = client.get("/check", query_string={"q": tampered, "lang": "en"}).get_data(as_text=True)
    assert "Altered or forged QR code" in body and "may not be genuine" in body


def test_wrong_key(runner, client, certificate, tmp_path):
    from gi_registry.certificates.payload import PayloadFields, qr_text, sign_payload

    forger = KeyStore(tmp_path / "forger")
    forger.init()
    fields = PayloadFields(certificate.number, certificate.credit_code, ("carving",), "BSLL-WS",
                           "1", date(2026, 1, 1), date(2030, 1, 1))  # fmt: skip
    forged = qr_text(certificate.url, sign_payload(fields, forger, url=certificate.url))
    keys, status = published(client, tmp_path)
    code, output = verify(runner, forged, "--keys", keys, "--status", status)
    assert code == 1 and "UNKNOWN KEY" in output
    body = client.get("/check", query_string={"q": forged, "lang": "en"}).get_data(as_text=True)
    assert "Altered or forged QR code" in body


def test_a_look_alike_address(runner, client, certificate):
    fake = certificate.qr_text.replace("gi.example.test", "gi.examp1e.test")
    code, output = verify(runner, fake)
    assert code == 1 and "INVALID SIGNATURE" in output
    body = client.get("/check", query_string={"q": fake, "lang": "en"}).get_data(as_text=True)
    assert "Not the registry" in body and "<code>gi.examp1e.test</code>" in body


def test_retired_key_then_reissue(runner, client, certificate, approver, tmp_path):
    result = runner.invoke(args=["gi", "keys-retire", certificate.kid, "--reason", "leaked"])
    assert result.exit_code == 0 and "1 current certificate" in result.output
    keys, status = published(client, tmp_path)
    code, output = verify(runner, certificate.qr_text, "--keys", keys, "--status", status)
    assert code == 1 and "KEY COMPROMISED" in output
    assert "withdrawn signing key" in online(client, certificate)
    result = runner.invoke(args=["gi", "certificates-reissue", "--kid", certificate.kid])
    assert result.exit_code == 0 and "1 certificate(s) reissued" in result.output
    new = certificate_for(certificate.authorization)
    keys, status = published(client, tmp_path)
    assert verify(runner, new.qr_text, "--keys", keys, "--status", status)[0] == 0
    assert "verdict-valid" in online(client, new)


def test_expired(runner, client, approver, monkeypatch):
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "review_passed", approver=approver)
    today = local_today()
    flow.approve_application(application, approver, today - timedelta(days=30), today)
    certificate = certificate_for(application.authorization)
    assert verify(runner, certificate.qr_text)[0] == 0
    monkeypatch.setattr("gi_registry.certificates.payload.shanghai_today",
                        lambda: today + timedelta(days=2))  # fmt: skip
    code, output = verify(runner, certificate.qr_text)
    assert code == 1 and "EXPIRED" in output
    monkeypatch.setattr("gi_registry.verify.services.local_today",
                        lambda: today + timedelta(days=2))  # fmt: skip
    assert "verdict-expired" in online(client, certificate)


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_suspended_and_revoked(runner, client, certificate, approver, tmp_path, action):
    deadline = local_today() + timedelta(days=30) if action == "suspend" else None
    flow.change_authorization(certificate.authorization, action, approver, "依据", deadline)
    keys, status = published(client, tmp_path)
    code, output = verify(runner, certificate.qr_text, "--keys", keys, "--status", status)
    word = {"suspend": "SUSPENDED", "revoke": "REVOKED"}[action]
    assert code == 1 and f"Verdict: {word}" in output
    assert f"verdict-{word.lower()}" in online(client, certificate)


def test_superseded(runner, client, certificate, approver, tmp_path):
    new = reissue_certificate(certificate, approver, "变更")
    keys, status = published(client, tmp_path)
    code, output = verify(runner, certificate.qr_text, "--keys", keys, "--status", status)
    assert code == 1 and "SUPERSEDED" in output and f"Current certificate: {new.number}" in output
    assert new.number in online(client, certificate)


def test_a_forged_status_list_is_refused(runner, client, certificate, tmp_path):
    keys, status = published(client, tmp_path)
    document = json.loads(Path(status).read_text("utf-8"))
    document["entries"][certificate.number] = {"status": "revoked"}  # without the key: refused
    (tmp_path / "forged.json").write_text(json.dumps(document))
    code, output = verify(runner, certificate.qr_text, "--keys", keys, "--status",
                          str(tmp_path / "forged.json"))  # fmt: skip
    assert code != 0 and "status list refused" in output


def test_not_a_qr(runner, tmp_path):
    empty = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (50, 50), 255).save(empty)
    code, output = verify(runner, str(empty))
    assert code != 0 and "no QR code" in output
    code, output = verify(runner, "hello")
    assert code == 1 and "MALFORMED" in output


def test_rotation_keeps_issued_certificates_valid(runner, client, certificate, approver, tmp_path):
    assert runner.invoke(args=["gi", "keys-init"]).exit_code == 0
    result = runner.invoke(args=["gi", "keys-rotate"])
    assert result.exit_code == 0 and "New active signing key" in result.output
    new = reissue_certificate(certificate, approver, "换新密钥")
    assert new.kid != certificate.kid
    keys, status = published(client, tmp_path)
    assert verify(runner, new.qr_text, "--keys", keys, "--status", status)[0] == 0
    assert verify(runner, certificate.qr_text, "--keys", keys)[0] == 0  # old key still verifies
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "key.rotate" in actions
