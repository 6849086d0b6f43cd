"""Signed certificate payloads and status lists, verified offline with the published key set."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from gi_registry.certificates import qr
from gi_registry.certificates.keys import KeySet, KeyStore
from gi_registry.certificates.payload import (
    PayloadFields,
    State,
    StatusEntry,
    StatusListError,
    parse_qr_text,
    qr_text,
    sign_payload,
    sign_status_list,
    verify_payload,
    verify_qr_text,
    verify_status_list,
)
from gi_registry.certificates.serials import new_code

BASE = "https://gi.boshan.example.gov.cn"
# The eight categories of the working specification BSLL-WS: a certificate naming all of them.
ALL_CATEGORIES = (
    "carving",
    "flower-ball",
    "bead",
    "screen",
    "jiyouhuang",
    "bracelet",
    "inside-painted",
    "vessel",
)
FIELDS = PayloadFields(
    certificate_number="BSLL-2026-000123",
    credit_code="91370304MA3C1234X5",
    scope=ALL_CATEGORIES,
    standard_code="BSLL-WS",
    standard_version="2026.1",
    valid_from=date(2026, 1, 1),
    valid_until=date(2028, 12, 31),
)
TODAY = date(2026, 6, 1)


@pytest.fixture
def store(tmp_path):
    keys = KeyStore(tmp_path / "keys")
    keys.init()
    return keys


def offline_keyset(store: KeyStore) -> KeySet:
    """The key set as an offline verifier has it: the published JSON, nothing else."""
    return KeySet.from_json(json.loads(json.dumps(store.public_keyset())))


def issue(store: KeyStore, fields: PayloadFields = FIELDS) -> str:
    url = f"{BASE}/v/{new_code()}"
    return qr_text(url, sign_payload(fields, store, url=url))


def test_a_signed_payload_verifies_offline_with_the_published_keyset(store):
    text = issue(store)
    verdict = verify_qr_text(text, offline_keyset(store), today=TODAY)
    assert verdict.state is State.VALID and verdict.ok
    assert verdict.fields == replace(FIELDS, kid=store.active().kid)


def test_qr_text_is_the_url_a_phone_opens_plus_a_fragment(store):
    text = issue(store)
    url, code, payload = parse_qr_text(text)
    assert url.startswith(f"{BASE}/v/") and text == f"{url}#{payload}"
    assert code == url.rsplit("/", 1)[1] and len(code) == 17
    assert payload.startswith("GI1~")
    assert parse_qr_text(f"{BASE}/l/ABC") == (f"{BASE}/l/ABC", None, None)


def test_worst_case_payload_fits_version_15_at_ec_m_or_better(store):
    long_fields = replace(
        FIELDS,
        certificate_number="BSLL-2026-000123-R12",
        standard_code="BSLL-WS/Q 370304 GI-001",
        scope=(*ALL_CATEGORIES, "carved-glass-ware", "chicken-fat-yellow-ware"),
    )
    text = issue(store, long_fields)
    symbol = qr.encode(text)
    assert symbol.version <= 15 and symbol.ec in "MQH"
    assert len(text.encode()) < 412 - 40  # headroom under the 412 bytes of version 15-M
    assert verify_qr_text(text, offline_keyset(store), today=TODAY).ok


def test_fields_with_separators_spaces_and_chinese_round_trip(store):
    odd = replace(FIELDS, standard_code="Q/BS 001~2026, 试行", scope=("a,b", "c~d"))
    verdict = verify_qr_text(issue(store, odd), offline_keyset(store), today=TODAY)
    assert verdict.ok and verdict.fields.standard_code == "Q/BS 001~2026, 试行"
    assert verdict.fields.scope == ("a,b", "c~d")


def test_tampered_payload_fails_signature(store):
    text = issue(store)
    tampered = text.replace("2028", "2038")
    assert (
        verify_qr_text(tampered, offline_keyset(store), today=TODAY).state
        is State.INVALID_SIGNATURE
    )
    extra = text.replace(",bead,", ",bead,food-contact,")
    assert extra != text
    assert (
        verify_qr_text(extra, offline_keyset(store), today=TODAY).state is State.INVALID_SIGNATURE
    )


def test_payload_behind_a_look_alike_domain_fails(store):
    text = issue(store)
    fake = text.replace("gi.boshan.example.gov.cn", "gi-boshan.example.com")
    assert verify_qr_text(fake, offline_keyset(store), today=TODAY).state is State.INVALID_SIGNATURE


def test_wrong_key(store, tmp_path):
    other = KeyStore(tmp_path / "other")
    other.init()
    text = issue(other)
    assert verify_qr_text(text, offline_keyset(store), today=TODAY).state is State.UNKNOWN_KEY
    # A forger who signs with their own key but claims the registry's key id.
    forged = text.replace(other.active().kid, store.active().kid)
    assert (
        verify_qr_text(forged, offline_keyset(store), today=TODAY).state is State.INVALID_SIGNATURE
    )


def test_rotation_keeps_old_signatures_valid(store):
    text = issue(store)
    store.rotate()
    newer = issue(store)
    keyset = offline_keyset(store)
    assert verify_qr_text(text, keyset, today=TODAY).ok
    assert verify_qr_text(newer, keyset, today=TODAY).ok
    assert parse_qr_text(text).payload.split("~")[1] != parse_qr_text(newer).payload.split("~")[1]


def test_a_compromised_key_fails_everything_it_signed(store):
    text = issue(store)
    kid = store.active().kid
    store.retire(kid, "key file leaked")
    verdict = verify_qr_text(text, offline_keyset(store), today=TODAY)
    assert verdict.state is State.KEY_COMPROMISED and "key file leaked" in verdict.reason
    assert verify_qr_text(issue(store), offline_keyset(store), today=TODAY).ok


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2025, 12, 31), State.NOT_YET_VALID),
        (date(2026, 1, 1), State.VALID),
        (date(2028, 12, 31), State.VALID),
        (date(2029, 1, 1), State.EXPIRED),
    ],
)
def test_validity_period(store, today, state):
    assert verify_qr_text(issue(store), offline_keyset(store), today=today).state is state


@pytest.mark.parametrize(
    ("entry", "state"),
    [
        ("revoked", State.REVOKED),
        ("suspended", State.SUSPENDED),
        (StatusEntry("superseded", "BSLL-2026-000200"), State.SUPERSEDED),
    ],
)
def test_status_list_changes_the_verdict(store, entry, state):
    text = issue(store)
    status = sign_status_list({FIELDS.certificate_number: entry, "OTHER-1": "revoked"}, store)
    published = json.loads(json.dumps(status))
    verdict = verify_qr_text(text, offline_keyset(store), published, today=TODAY)
    assert verdict.state is state
    if state is State.SUPERSEDED:
        assert verdict.superseded_by == "BSLL-2026-000200"
        assert "BSLL-2026-000200" in verdict.reason
    unlisted = sign_status_list({"OTHER-1": "revoked"}, store)
    assert verify_qr_text(text, offline_keyset(store), unlisted, today=TODAY).ok


def test_status_list_is_checked_before_it_is_trusted(store, tmp_path):
    status = sign_status_list({"A": "revoked"}, store, datetime(2026, 6, 1, tzinfo=UTC))
    assert status["issued_at"] == "2026-06-01T00:00:00Z"
    assert verify_status_list(status, offline_keyset(store)).entries["A"].status == "revoked"
    forged = {**status, "entries": {}}
    with pytest.raises(StatusListError):
        verify_status_list(forged, offline_keyset(store))
    other = KeyStore(tmp_path / "other")
    other.init()
    with pytest.raises(StatusListError):
        verify_status_list(sign_status_list({}, other), offline_keyset(store))
    store.retire(store.active().kid, "leaked")
    with pytest.raises(StatusListError, match="withdrawn"):
        verify_status_list(status, offline_keyset(store))
    with pytest.raises(ValueError):
        sign_status_list({"A": "superseded"}, store)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "hello",
        "GI1~zz",
        "GI2~" + "~" * 9,
        "x" * 5000,
        "GI1~0011223344556677~a~b~c~d~e~2026~2027~sig",
    ],
)
def test_malformed_payloads(store, payload):
    verdict = verify_payload(payload, offline_keyset(store), today=TODAY, url=f"{BASE}/v/X")
    assert verdict.state is State.MALFORMED and verdict.fields is None


def test_truncated_qr_text_is_malformed(store):
    text = issue(store)
    assert verify_qr_text(text[:-10], offline_keyset(store)).state is State.MALFORMED
    assert verify_qr_text(text.partition("#")[0], offline_keyset(store)).state is State.MALFORMED
