"""Ed25519 signing keys kept in a directory, and the public key set that verifies offline.

Layout of the directory: one `<kid>.pem` private key per key (mode 0600) and `keys.json`, the
manifest of statuses. Every write goes to a temporary file then `os.replace`, under an exclusive
`flock`, so concurrent workers starting at once never see a half-written manifest or two keys.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG = "Ed25519"
ACTIVE, RETIRED, COMPROMISED = "active", "retired", "compromised"
STATUSES = (ACTIVE, RETIRED, COMPROMISED)
KEYSET_TYPE = "gi-keys"
MANIFEST = "keys.json"


class KeyStoreError(Exception):
    """Raised for an unknown key id or a key store that cannot be used."""


def b64url(data: bytes) -> str:
    """Return unpadded base64url text for data."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Return the bytes of unpadded base64url text; raise ValueError if it is not base64url."""
    if not isinstance(text, str) or "=" in text:
        raise ValueError("not unpadded base64url")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not unpadded base64url") from exc


def kid_for(public_raw: bytes) -> str:
    """Return the key id: the first 8 bytes of SHA-256 of the raw public key, in hex."""
    return hashlib.sha256(public_raw).digest()[:8].hex()


def _now() -> str:
    """Return the current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class PublicKey:
    """A verification key as published: id, raw public key, status and validity."""

    kid: str
    public_raw: bytes
    status: str = ACTIVE
    valid_from: str | None = None
    valid_until: str | None = None
    retired_at: str | None = None
    reason: str | None = None

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Tell whether signature is this key's Ed25519 signature of data (status ignored)."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_raw).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_json(self) -> dict:
        """Return the entry published in the key set."""
        return {
            "kid": self.kid,
            "alg": ALG,
            "public_key": b64url(self.public_raw),
            "status": self.status,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "retired_at": self.retired_at,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, entry: Mapping) -> PublicKey:
        """Return the key described by a published entry; raise ValueError if it is inconsistent."""
        if entry.get("alg") != ALG or entry.get("status") not in STATUSES:
            raise ValueError(f"unsupported key entry {entry.get('kid')!r}")
        raw = b64url_decode(entry["public_key"])
        # A kid that does not match its key would let one key pose as another.
        if len(raw) != 32 or kid_for(raw) != entry.get("kid"):
            raise ValueError(f"key id does not match public key {entry.get('kid')!r}")
        fields = ("valid_from", "valid_until", "retired_at", "reason")
        return cls(entry["kid"], raw, entry["status"], **{f: entry.get(f) for f in fields})


@dataclass(frozen=True)
class SigningKey:
    """The active private key with its public description."""

    public: PublicKey
    private: Ed25519PrivateKey

    @property
    def kid(self) -> str:
        """Return the key id."""
        return self.public.kid

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of data."""
        return self.private.sign(data)


@dataclass(frozen=True)
class KeySet:
    """Public keys by id: all an offline verifier needs."""

    keys: Mapping[str, PublicKey]

    def get(self, kid: str) -> PublicKey | None:
        """Return the key with this id, or None."""
        return self.keys.get(kid)

    def to_json(self) -> dict:
        """Return the JSON document published at /.well-known/gi-keys.json."""
        return {
            "type": KEYSET_TYPE,
            "version": 1,
            "keys": [k.to_json() for k in self.keys.values()],
        }

    @classmethod
    def from_json(cls, document: Mapping) -> KeySet:
        """Return the key set of a published document; raise ValueError if it is not one."""
        if not isinstance(document, Mapping) or document.get("type") != KEYSET_TYPE:
            raise ValueError("not a gi-keys document")
        keys = [PublicKey.from_json(entry) for entry in document.get("keys", [])]
        return cls({k.kid: k for k in keys})


def _write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write data to path through a temporary file in the same directory and os.replace."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class KeyStore:
    """Signing keys in a directory such as instance/keys/."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold an exclusive lock on the directory for one read-modify-write."""
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.path / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> list[PublicKey]:
        """Return the keys of the manifest, oldest first."""
        manifest = self.path / MANIFEST
        if not manifest.exists():
            return []
        document = json.loads(manifest.read_text("utf-8"))
        return list(KeySet.from_json(document).keys.values())

    def _save(self, keys: list[PublicKey]) -> None:
        """Write the manifest atomically."""
        document = KeySet({k.kid: k for k in keys}).to_json()
        data = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
        _write_atomic(self.path / MANIFEST, data, 0o644)

    def _new_key(self) -> PublicKey:
        """Create a private key file and return its public description (not yet in the manifest)."""
        private = Ed25519PrivateKey.generate()
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        kid = kid_for(raw)
        _write_atomic(self.path / f"{kid}.pem", pem, 0o600)
        return PublicKey(kid, raw, ACTIVE, valid_from=_now())

    def init(self) -> PublicKey:
        """Create the first key if the store has no active key; return the active key."""
        with self._locked():
            keys = self._load()
            current = [k for k in keys if k.status == ACTIVE]
            if current:
                return current[-1]
            key = self._new_key()
            self._save([*keys, key])
            return key

    def _rotated(self, keys: list[PublicKey]) -> list[PublicKey]:
        """Return keys with the active one retired and a new active key appended."""
        now = _now()
        retired = [
            replace(k, status=RETIRED, valid_until=now) if k.status == ACTIVE else k for k in keys
        ]
        return [*retired, self._new_key()]

    def rotate(self) -> PublicKey:
        """Start a new active key; the previous one is retired but still verifies."""
        with self._locked():
            keys = self._rotated(self._load())
            self._save(keys)
            return keys[-1]

    def retire(self, kid: str, reason: str) -> PublicKey:
        """Mark a key compromised so that all it signed fails; replace it if it was active."""
        reason = (reason or "").strip()
        if not reason:
            raise ValueError("a reason is required to retire a key")
        with self._locked():
            keys = self._load()
            target = next((k for k in keys if k.kid == kid), None)
            if target is None:
                raise KeyStoreError(f"unknown key id {kid!r}")
            if target.status == ACTIVE:
                # Signing must go on with a fresh key the moment the old one is withdrawn.
                keys = self._rotated(keys)
            now = _now()
            compromised = replace(
                target,
                status=COMPROMISED,
                valid_until=target.valid_until or now,
                retired_at=now,
                reason=reason,
            )
            keys = [compromised if k.kid == kid else k for k in keys]
            self._save(keys)
            return compromised

    def get(self, kid: str) -> PublicKey | None:
        """Return the public description of a key, or None."""
        return next((k for k in self._load() if k.kid == kid), None)

    def active(self) -> SigningKey:
        """Return the active signing key; raise KeyStoreError if init() was never run."""
        current = [k for k in self._load() if k.status == ACTIVE]
        if not current:
            raise KeyStoreError(f"no active signing key in {self.path}; run `flask gi keys-init`")
        public = current[-1]
        pem = (self.path / f"{public.kid}.pem").read_bytes()
        private = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyStoreError(f"{public.kid}.pem is not an Ed25519 key")
        return SigningKey(public, private)

    def keyset(self) -> KeySet:
        """Return all keys as a verification key set."""
        return KeySet({k.kid: k for k in self._load()})

    def public_keyset(self) -> dict:
        """Return the JSON document to publish at /.well-known/gi-keys.json."""
        return self.keyset().to_json()
