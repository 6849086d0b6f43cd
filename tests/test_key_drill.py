"""Key-compromise drill, as the office would run it (docs/security.md, "Stolen signing key").

Two producers hold certificates signed with the first key; the key is rotated (a third producer's
certificate is signed with the new one), then the first key is reported stolen and retired with
`flask gi keys-retire`. Everything it signed must fail, offline (an inspector's `verify-qr` reading
the printed PDF, with the key set and status list downloaded afterwards) and online (/v/), while
what the new key signed stays valid. `flask gi certificates-reissue --kid` then gives every
affected holder a certificate under the new key, valid again both ways, and the whole drill is in
the audit log.
"""

import shutil

import pytest

from gi_registry.certificates.services import certificate_for, rotate_keys
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role

from . import helpers


def published(client, tmp_path) -> tuple[str, str]:
    """The key set and status list as an inspector downloads them before going offline."""
    keys, status = tmp_path / "gi-keys.json", tmp_path / "gi-status.json"
    keys.write_bytes(client.get("/.well-known/gi-keys.json").data)
    status.write_bytes(client.get("/.well-known/gi-status.json").data)
    return str(keys), str(status)


def offline(runner, client, certificate, tmp_path) -> tuple[int, str]:
    """`flask gi verify-qr` on the certificate's PDF (its QR read from pixels when pdftoppm is
    there, else on the QR text), with freshly published keys and status."""
    source = certificate.qr_text
    if shutil.which("pdftoppm"):
        pdf = tmp_path / f"{certificate.number}.pdf"
        pdf.write_bytes(client.get(f"/certificates/{certificate.id}/certificate.pdf").data)
        source = str(pdf)
    keys, status = published(client, tmp_path)
    result = runner.invoke(args=["gi", "verify-qr", source, "--keys", keys, "--status", status])
    return result.exit_code, result.output


def online(client, certificate) -> str:
    return client.get(f"/v/{certificate.code}?lang=en").get_data(as_text=True)


@pytest.fixture
def officials(app):
    return helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)


def certified(reviewer, approver):
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "approved", reviewer, approver)
    return certificate_for(application.authorization)


def test_key_compromise_drill(client, runner, login, officials, tmp_path):
    reviewer, approver = officials
    first, second = certified(reviewer, approver), certified(reviewer, approver)
    stolen = first.kid
    assert second.kid == stolen
    new_kid = rotate_keys("drill")
    untouched = certified(reviewer, approver)
    assert untouched.kid == new_kid != stolen
    login(reviewer)  # the PDFs are downloaded by an official
    for certificate in (first, second, untouched):
        code, output = offline(runner, client, certificate, tmp_path)
        assert code == 0 and "Verdict: VALID" in output, output

    # The key is reported stolen.
    result = runner.invoke(args=["gi", "keys-retire", stolen, "--reason", "drill: laptop stolen"])
    assert result.exit_code == 0 and "2 current certificate(s)" in result.output, result.output
    keyset = client.get("/.well-known/gi-keys.json").get_json()
    assert "compromised" in str(keyset) and stolen in str(keyset)
    for certificate in (first, second):
        code, output = offline(runner, client, certificate, tmp_path)
        assert code == 1 and "KEY COMPROMISED" in output, output
        page = online(client, certificate)
        assert "withdrawn signing key" in page and "may not be genuine" in page
    code, output = offline(runner, client, untouched, tmp_path)
    assert code == 0, output
    assert "verdict-valid" in online(client, untouched)

    # Every holder gets a certificate under the new key.
    result = runner.invoke(args=["gi", "certificates-reissue", "--kid", stolen])
    assert result.exit_code == 0 and "2 certificate(s) reissued" in result.output, result.output
    for old in (first, second):
        new = certificate_for(old.authorization)
        assert new.id != old.id and new.kid == new_kid and new.code != old.code
        code, output = offline(runner, client, new, tmp_path)
        assert code == 0 and "Verdict: VALID" in output, output
        assert "verdict-valid" in online(client, new)
        assert "verdict-valid" not in online(client, old)  # the stolen key's QR stays dead
        assert old.number not in new.qr_text
    assert certificate_for(untouched.authorization).id == untouched.id  # not reissued

    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "key.rotate" in actions and "key.retire" in actions
    assert sum(1 for a in actions if a.startswith("certificate.") and "issue" in a) >= 5
