"""The Ed25519 key store: creation, rotation, withdrawal, and the published key set."""

import hashlib
import json
import stat
import threading

import pytest

from gi_registry.certificates.keys import KeySet, KeyStore, KeyStoreError, b64url_decode


def test_init_creates_one_key_and_is_idempotent(tmp_path):
    store = KeyStore(tmp_path / "keys")
    first = store.init()
    assert store.init() == first
    assert [p.name for p in (tmp_path / "keys").glob("*.pem")] == [f"{first.kid}.pem"]
    assert store.active().kid == first.kid


def test_private_keys_are_owner_only_and_kid_is_the_public_key_hash(tmp_path):
    store = KeyStore(tmp_path / "keys")
    key = store.init()
    pem = tmp_path / "keys" / f"{key.kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in pem.read_bytes()
    assert key.kid == hashlib.sha256(key.public_raw).digest()[:8].hex()
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == sorted(
        [".lock", "keys.json", f"{key.kid}.pem"]
    )


def test_concurrent_init_makes_a_single_key(tmp_path):
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(KeyStore(tmp_path / "k").init().kid))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert len(list((tmp_path / "k").glob("*.pem"))) == 1


def test_active_without_init_says_what_to_run(tmp_path):
    with pytest.raises(KeyStoreError, match="keys-init"):
        KeyStore(tmp_path / "none").active()


def test_rotate_retires_the_old_key_and_keeps_it_in_the_key_set(tmp_path):
    store = KeyStore(tmp_path / "keys")
    old = store.init()
    signature = store.active().sign(b"hello")
    new = store.rotate()
    assert new.kid != old.kid and store.active().kid == new.kid
    retired = store.get(old.kid)
    assert retired.status == "retired" and retired.valid_until
    assert retired.verify(signature, b"hello")
    assert not retired.verify(signature, b"hellO")


def test_retire_marks_compromised_with_reason_and_replaces_an_active_key(tmp_path):
    store = KeyStore(tmp_path / "keys")
    old = store.init()
    withdrawn = store.retire(old.kid, "laptop stolen")
    assert withdrawn.status == "compromised" and withdrawn.reason == "laptop stolen"
    assert withdrawn.retired_at
    assert store.active().kid != old.kid
    with pytest.raises(ValueError):
        store.retire(store.active().kid, "  ")
    with pytest.raises(KeyStoreError):
        store.retire("0000000000000000", "unknown")


def test_public_keyset_is_json_with_public_material_only(tmp_path):
    store = KeyStore(tmp_path / "keys")
    first = store.init()
    store.rotate()
    store.retire(first.kid, "test")
    document = json.loads(json.dumps(store.public_keyset()))
    assert "PRIVATE" not in json.dumps(document)
    entries = {e["kid"]: e for e in document["keys"]}
    assert entries[first.kid]["status"] == "compromised"
    assert entries[first.kid]["reason"] == "test"
    assert {e["status"] for e in entries.values()} == {"compromised", "active"}
    for entry in entries.values():
        assert entry["alg"] == "Ed25519"
        assert len(b64url_decode(entry["public_key"])) == 32
        assert entry["valid_from"]
    offline = KeySet.from_json(document)
    assert set(offline.keys) == set(entries)


def test_keyset_rejects_an_entry_whose_kid_does_not_match_its_key(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.init()
    document = store.public_keyset()
    document["keys"][0]["kid"] = "00" * 8
    with pytest.raises(ValueError, match="does not match"):
        KeySet.from_json(document)
    with pytest.raises(ValueError):
        KeySet.from_json({"type": "something-else", "keys": []})
