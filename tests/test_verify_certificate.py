"""The public verification page of a certificate: the verdict a consumer sees, and the scan log."""

from datetime import timedelta

import pytest

from gi_registry.authorization import services as flow
from gi_registry.certificates import qr
from gi_registry.certificates.serials import format_code, new_code
from gi_registry.certificates.services import (
    certificate_for,
    issue_certificate,
    reissue_certificate,
    retire_key,
)
from gi_registry.clock import local_today
from gi_registry.extensions import db
from gi_registry.models import Role
from gi_registry.models.certificates import Certificate, Scan

from . import helpers

BASE = "https://gi.example.test"


@pytest.fixture
def approver(app):
    return helpers.make_user(Role.APPROVER)


@pytest.fixture
def certificate(app, approver):
    """The certificate issued when producer A's application was approved."""
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "approved", approver=approver)
    return certificate_for(application.authorization)


def scanned_url(certificate: Certificate) -> str:
    """The URL a phone opens: decoded from the QR image, never read from the database."""
    text = qr.decode(qr.to_png(certificate.qr_text))[0]
    url = text.partition("#")[0]
    assert url.startswith(BASE + "/v/")
    return url[len(BASE) :]


def page(client, path: str, **kwargs):
    response = client.get(path, **kwargs)
    return response, response.get_data(as_text=True)


def test_a_valid_certificate_says_so_first_in_words_and_icon(client, certificate):
    response, body = page(client, scanned_url(certificate) + "?lang=en")
    assert response.status_code == 200
    verdict = body.index('class="verdict verdict-valid"')
    assert body.index("Valid", verdict) < body.index(certificate.holder_name)
    assert "✔" in body
    for fact in (certificate.holder_name, certificate.credit_code, "第12345678号", "2026"):
        assert fact in body
    assert "may not be genuine" not in body
    assert response.headers["Cache-Control"] == "no-store"


def test_chinese_by_default_with_the_official_address(client, certificate):
    _, body = page(client, scanned_url(certificate))
    assert "有效" in body and "官方" in body
    assert body.count(BASE) >= 2  # the footer and the prominent box


def test_producer_record_link(client, certificate, app):
    _, body = page(client, scanned_url(certificate))
    if "registry.producer" in app.view_functions:
        assert f"/registry/{certificate.authorization.enterprise_id}" in body


def test_suspension_changes_the_verdict_at_once(client, certificate, approver):
    flow.change_authorization(certificate.authorization, "suspend", approver, "抽检不合格",
                              local_today() + timedelta(days=30))  # fmt: skip
    response, body = page(client, scanned_url(certificate) + "?lang=en")
    assert response.status_code == 200
    assert "verdict-suspended" in body and "Suspended" in body and "‖" in body
    assert "may not be genuine" in body and "/report?code=" in body


def test_revocation(client, certificate, approver):
    flow.change_authorization(certificate.authorization, "revoke", approver, "冒用标志")
    _, body = page(client, scanned_url(certificate) + "?lang=en")
    assert "verdict-revoked" in body and "Revoked" in body and "Report a suspected fake" in body


def test_expiry(client, certificate):
    url = scanned_url(certificate)
    authorization = certificate.authorization
    # Travel in time rather than edit the certificate: it is immutable.
    from gi_registry.verify import services

    original = services.local_today
    services.local_today = lambda: authorization.valid_until + timedelta(days=1)
    try:
        _, body = page(client, url + "?lang=en")
    finally:
        services.local_today = original
    assert "verdict-expired" in body and "Expired" in body and "◷" in body


def test_superseded_points_to_the_current_certificate(client, certificate, approver):
    old_url = scanned_url(certificate)
    new = reissue_certificate(certificate, approver, "经营范围变更")
    _, body = page(client, old_url + "?lang=en")
    assert "verdict-superseded" in body and "Superseded" in body
    assert f'href="/v/{new.code}"' in body and new.number in body
    _, body = page(client, scanned_url(new) + "?lang=en")
    assert "verdict-valid" in body


def test_retired_key_fails_online_until_reissued(client, certificate, approver):
    url = scanned_url(certificate)
    retire_key(certificate.kid, "key file leaked", "test")
    _, body = page(client, url + "?lang=en")
    assert "withdrawn signing key" in body and "may not be genuine" in body
    from gi_registry.certificates.services import reissue_signed_by

    (new,) = reissue_signed_by(certificate.kid, approver, "key withdrawn")
    assert new.kid != certificate.kid
    _, body = page(client, scanned_url(new) + "?lang=en")
    assert "verdict-valid" in body


def test_unknown_code_is_a_plain_not_found_with_a_report_link(client, certificate):
    response, body = page(client, f"/v/{new_code()}?lang=en")
    assert response.status_code == 404
    assert "Not found" in body and "may not be genuine" in body and "/report" in body
    assert BASE in body


@pytest.mark.parametrize("code", ["x", "A" * 17, "../../etc/passwd", "0" * 300, "１２３"])
def test_malformed_codes_never_fail(client, certificate, code):
    response, body = page(client, f"/v/{code}")
    assert response.status_code == 404


def test_a_typed_code_is_normalised(client, certificate):
    typed = format_code(certificate.code).lower()
    response = client.get(f"/v/{typed}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/v/{certificate.code}")


def test_each_check_is_recorded_without_the_address(client, certificate):
    url = scanned_url(certificate)
    client.get(url, environ_base={"REMOTE_ADDR": "203.0.113.7"}, headers={"User-Agent": "phone"})
    client.get(url, environ_base={"REMOTE_ADDR": "203.0.113.8"}, headers={"User-Agent": "phone"})
    scans = db.session.scalars(db.select(Scan).where(Scan.target_id == certificate.id)).all()
    assert [s.kind for s in scans] == ["certificate", "certificate"]
    assert len({s.scanner for s in scans}) == 2
    for scan in scans:
        assert "203.0.113" not in scan.scanner and len(scan.scanner) == 32


def test_a_failing_scan_record_never_fails_the_page(client, certificate, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("gi_registry.verify.services.scanner_id", broken)
    response, body = page(client, scanned_url(certificate))
    assert response.status_code == 200 and "verdict-valid" in body


def test_verification_is_get_only(client, certificate):
    assert client.post(scanned_url(certificate)).status_code == 405


def test_standard_version_note(client, certificate, monkeypatch):
    monkeypatch.setattr("gi_registry.verify.services._standard_cache", {})
    monkeypatch.setattr("gi_registry.standards.services.version_status",
                        lambda code, version: (False, "2099.1"))  # fmt: skip
    _, body = page(client, scanned_url(certificate) + "?lang=en")
    assert "2099.1 is now in effect" in body


def test_issue_needs_a_live_authorization(app, certificate, approver):
    flow.change_authorization(certificate.authorization, "revoke", approver, "冒用标志")
    from gi_registry.exceptions import InvalidTransition

    with pytest.raises(InvalidTransition):
        issue_certificate(certificate.authorization, approver)


def test_the_home_page_box(client, certificate):
    body = client.get("/?lang=en").get_data(as_text=True)
    assert 'action="/check"' in body and "Is it genuine?" in body


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c.number,
        lambda c: c.number.lower().replace("-", " "),
        lambda c: format_code(c.code),
        lambda c: " " + c.code.lower() + " ",
        lambda c: c.authorization.number,
        lambda c: c.qr_text,
    ],
    ids=["number", "number-loosely", "code-grouped", "code-lower", "authorization", "qr-text"],
)
def test_typed_numbers_lead_to_the_certificate(client, certificate, typed):
    response = client.get("/check", query_string={"q": typed(certificate)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/v/{certificate.code}")


@pytest.mark.parametrize("typed", ["BSLL-C-1999-000001", "hello", "123", "<script>x</script>"])
def test_unknown_input_is_a_clear_not_found(client, certificate, typed):
    response = client.get("/check", query_string={"q": typed, "lang": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "Not found" in body and "<script>x" not in body


def test_an_empty_box_asks_again(client):
    response = client.get("/check?q=&lang=en")
    assert response.status_code == 200 and "This field is required." in response.get_data(
        as_text=True
    )
