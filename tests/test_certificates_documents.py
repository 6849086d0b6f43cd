"""Issued certificates: approval issues one, downloads decode back to the right verdict page, the
mark is the holder's alone, and an issued certificate never changes."""

import io
import json
import shutil
import subprocess

import pytest
from PIL import Image

from gi_registry.certificates import qr
from gi_registry.certificates.keys import KeySet
from gi_registry.certificates.payload import verify_qr_text
from gi_registry.certificates.services import certificate_for, reissue_certificate
from gi_registry.clock import local_today
from gi_registry.enterprises.services import update_enterprise
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role
from gi_registry.models.certificates import Certificate, CertificateImmutable

from . import helpers

BASE = "https://gi.example.test"


@pytest.fixture
def approver(app):
    return helpers.make_user(Role.APPROVER)


@pytest.fixture
def producer(app, approver):
    producer = helpers.make_producer()
    helpers.make_application(producer, "approved", approver=approver)
    return producer


@pytest.fixture
def certificate(producer):
    return certificate_for(producer.enterprise.authorizations[0])


def follow(client, qr_text: str) -> str:
    """Open the decoded QR's URL like a phone does and return the page."""
    url = qr_text.partition("#")[0]
    assert url.startswith(BASE + "/v/")
    response = client.get(url[len(BASE) :] + "?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_approval_issues_a_signed_certificate(certificate, producer):
    authorization = producer.enterprise.authorizations[0]
    assert certificate.number.startswith("BSLL-C-") and len(certificate.code) == 17
    assert certificate.holder_name == producer.enterprise.name
    assert certificate.credit_code == producer.enterprise.credit_code
    assert (
        "证明商标" in certificate.route_annotation
        and "第12345678号" in certificate.route_annotation
    )
    assert certificate.valid_until == authorization.valid_until
    assert certificate.url == f"{BASE}/v/{certificate.code}"
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "certificate.issue" in actions


def test_the_pdf_qr_leads_to_the_valid_page(client, login, producer, certificate, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot rasterise the PDF")
    login(producer)
    response = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    assert b"FontFile2" in pdf  # the CJK font is embedded
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "c.pdf"),
                    str(tmp_path / "page")], capture_output=True, check=True)  # fmt: skip
    (text,) = qr.decode((tmp_path / "page.png").read_bytes())
    assert "verdict-valid" in follow(client, text)


@pytest.mark.parametrize("name", ["certificate.png", "qr.png"])
def test_png_qr_leads_to_the_valid_page(client, login, producer, certificate, name):
    login(producer)
    response = client.get(f"/certificates/{certificate.id}/{name}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    (text,) = qr.decode(response.data)
    assert "verdict-valid" in follow(client, text)


def test_qr_svg_and_printing_guidance(client, login, producer, certificate):
    login(producer)
    svg = client.get(f"/certificates/{certificate.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    body = client.get(f"/certificates/{certificate.id}?lang=en").get_data(as_text=True)
    guidance = qr.printing_guidance(certificate.qr_text)
    assert guidance.version <= 15 and guidance.ec in "MQH"
    assert f"at least {guidance.min_size_mm} mm" in body and "quiet zone" in body


def test_the_mark_is_for_its_holder_only(client, login, producer, certificate, approver):
    login(producer)
    for name in ("mark.svg", "mark.png"):
        response = client.get(f"/certificates/{certificate.id}/{name}")
        assert response.status_code == 200
    svg = client.get(f"/certificates/{certificate.id}/mark.svg").get_data(as_text=True)
    assert certificate.credit_code in svg and "示意" in svg
    png = client.get(f"/certificates/{certificate.id}/mark.png").data
    assert Image.open(io.BytesIO(png)).format == "PNG"
    login(helpers.make_producer())
    assert client.get(f"/certificates/{certificate.id}/mark.svg").status_code == 404
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").status_code == 404
    assert client.get(f"/certificates/{certificate.id}").status_code == 404
    login(approver)
    assert client.get(f"/certificates/{certificate.id}/mark.png").status_code == 403


def test_no_mark_while_suspended(client, login, producer, certificate, approver):
    from datetime import timedelta

    from gi_registry.authorization import services as flow

    flow.change_authorization(certificate.authorization, "suspend", approver, "整改",
                              local_today() + timedelta(days=10))  # fmt: skip
    login(producer)
    response = client.get(f"/certificates/{certificate.id}/mark.svg")
    assert response.status_code == 302


def test_an_issued_certificate_cannot_change(app, certificate):
    certificate.holder_name = "别的企业"
    with pytest.raises(CertificateImmutable):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(Certificate, certificate.id))
    with pytest.raises(CertificateImmutable):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(CertificateImmutable):
        db.session.execute(db.update(Certificate).values(scope=["bead"]))


def test_reissue_supersedes(app, certificate, approver):
    new = reissue_certificate(certificate, approver, "变更")
    db.session.expire_all()
    old = db.session.get(Certificate, certificate.id)
    assert old.status == "superseded" and old.superseded_by_id == new.id
    assert new.status == "current" and new.number != old.number and new.code != old.code
    # A superseded certificate cannot come back.
    old.status = "current"
    with pytest.raises(CertificateImmutable):
        db.session.commit()


def test_an_enterprise_name_change_reissues(app, producer, certificate):
    data = {k: getattr(producer.enterprise, k) for k in helpers.enterprise_details()}
    data["name"] = "博山新名琉璃有限公司"
    update_enterprise(producer.enterprise, data, producer)
    current = certificate_for(producer.enterprise.authorizations[0])
    assert current.id != certificate.id and current.holder_name == "博山新名琉璃有限公司"
    assert db.session.get(Certificate, certificate.id).status == "superseded"


def test_an_unchanged_enterprise_keeps_its_certificate(app, producer, certificate):
    data = {k: getattr(producer.enterprise, k) for k in helpers.enterprise_details()}
    data["phone"] = "0533-4199999"
    update_enterprise(producer.enterprise, data, producer)
    assert certificate_for(producer.enterprise.authorizations[0]).id == certificate.id


def test_published_keys_verify_the_certificate_offline(client, certificate):
    response = client.get("/.well-known/gi-keys.json")
    assert response.status_code == 200 and "max-age" in response.headers["Cache-Control"]
    keyset = KeySet.from_json(response.get_json())
    assert certificate.kid in keyset.keys
    assert verify_qr_text(certificate.qr_text, keyset).ok
    again = client.get("/.well-known/gi-keys.json", headers={"If-None-Match": response.headers["ETag"]})  # fmt: skip
    assert again.status_code == 304


def test_status_list_is_signed_and_lists_superseded(client, certificate, approver):
    new = reissue_certificate(certificate, approver, "变更")
    keyset = KeySet.from_json(client.get("/.well-known/gi-keys.json").get_json())
    response = client.get("/.well-known/gi-status.json")
    assert "max-age" in response.headers["Cache-Control"]
    document = response.get_json()
    assert document["entries"] == {
        certificate.number: {"status": "superseded", "superseded_by": new.number}
    }
    verdict = verify_qr_text(certificate.qr_text, keyset, document)
    assert verdict.state == "superseded" and verdict.superseded_by == new.number
    assert verify_qr_text(new.qr_text, keyset, document).ok
    etag = response.headers["ETag"]
    assert (
        client.get("/.well-known/gi-status.json", headers={"If-None-Match": etag}).status_code
        == 304
    )
    json.dumps(document)  # plain JSON


def test_the_demo_approval_has_its_certificate(runner, client):
    assert runner.invoke(args=["gi", "keys-init"]).exit_code == 0
    assert runner.invoke(args=["gi", "seed-demo"]).exit_code == 0
    (certificate,) = db.session.scalars(db.select(Certificate)).all()
    from gi_registry.demo import PRODUCERS

    assert certificate.is_current and certificate.holder_name in {p[1] for p in PRODUCERS}
    response = client.get(f"/v/{certificate.code}?lang=en")
    assert "verdict-valid" in response.get_data(as_text=True)
