"""The signed payload carried in a certificate QR, its verification, and the signed status list.

QR text: `{PUBLIC_BASE_URL}/v/{code}#{payload}`. Phones open the URL (browsers never send the
fragment to the server); an offline verifier reads the fragment. The payload is

    GI1~kid~certificate~credit_code~scope,scope~standard~version~YYYYMMDD~YYYYMMDD~signature

with each field percent-encoded (so `~` and `,` never occur inside one) and the signature the
base64url Ed25519 signature of `url + "#" + payload-before-the-last-~`. Signing the URL as well
costs no QR space and lets an offline inspector see that the printed address is the registry's
own: a genuine payload copied behind a look-alike domain fails as `invalid_signature`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit

from .keys import COMPROMISED, KeySet, KeyStore, b64url, b64url_decode

PREFIX = "GI1"
SEP = "~"
STATUS_DOMAIN = b"GI-STATUS1\n"  # keeps a status-list signature from ever passing as a payload's
STATUS_TYPE = "gi-status"
SHANGHAI = timezone(timedelta(hours=8))  # China keeps no daylight saving time
_SAFE = "-._:/@"  # left readable; everything else (including ~ , % and spaces) is escaped
_DATE = re.compile(r"\d{8}")
_KID = re.compile(r"[0-9a-f]{16}")
_LISTED = ("suspended", "revoked", "superseded")
MAX_PAYLOAD = 1200  # far above any real payload; stops absurd input before any work


class State(StrEnum):
    """What a verifier concludes about a payload."""

    VALID = "valid"
    INVALID_SIGNATURE = "invalid_signature"
    UNKNOWN_KEY = "unknown_key"
    KEY_COMPROMISED = "key_compromised"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class PayloadFields:
    """What a certificate QR asserts, signed."""

    certificate_number: str
    credit_code: str
    scope: tuple[str, ...]
    standard_code: str
    standard_version: str
    valid_from: date
    valid_until: date
    kid: str = ""


@dataclass(frozen=True)
class Verdict:
    """The outcome of verifying a payload, with the decoded fields when they could be read."""

    state: State
    fields: PayloadFields | None
    reason: str
    superseded_by: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether the certificate is valid."""
        return self.state is State.VALID


class QrText(NamedTuple):
    """The parts of a certificate QR's text."""

    url: str
    code: str | None
    payload: str | None


@dataclass(frozen=True)
class StatusEntry:
    """The status of one certificate that is not plainly valid."""

    status: str  # suspended | revoked | superseded
    superseded_by: str | None = None


@dataclass(frozen=True)
class StatusList:
    """A verified status list: certificate number to status, and when it was issued."""

    issued_at: str
    kid: str
    entries: Mapping[str, StatusEntry] = field(default_factory=dict)


class StatusListError(ValueError):
    """Raised when a status list is malformed, unsigned, or signed by an unusable key."""


def _enc(value: str) -> str:
    """Return value percent-encoded for a payload field."""
    # quote() never escapes "~" (an unreserved character), but here it separates fields.
    return quote(value, safe=_SAFE).replace("~", "%7E")


def encode_body(fields: PayloadFields) -> str:
    """Return the canonical unsigned payload text for fields."""
    parts = [
        PREFIX,
        fields.kid,
        _enc(fields.certificate_number),
        _enc(fields.credit_code),
        ",".join(_enc(s) for s in fields.scope),
        _enc(fields.standard_code),
        _enc(fields.standard_version),
        fields.valid_from.strftime("%Y%m%d"),
        fields.valid_until.strftime("%Y%m%d"),
    ]
    return SEP.join(parts)


def _message(url: str, body: str) -> bytes:
    """Return the bytes that are signed: the QR's URL and the unsigned payload."""
    return f"{url}#{body}".encode()


def sign_payload(fields: PayloadFields, keystore: KeyStore, *, url: str) -> str:
    """Return the signed payload for fields with the store's active key, bound to url."""
    key = keystore.active()
    body = encode_body(replace(fields, kid=key.kid))
    return f"{body}{SEP}{b64url(key.sign(_message(url, body)))}"


def qr_text(url: str, payload: str) -> str:
    """Return the text to encode in the certificate QR."""
    return f"{url}#{payload}"


def parse_qr_text(text: str) -> QrText:
    """Split QR text into its URL, the code of a `/v/<code>` URL (else None), and the payload."""
    url, _, fragment = text.strip().partition("#")
    try:
        path = urlsplit(url).path
    except ValueError:  # not even a URL, e.g. "https://[": no code; the signature will fail
        path = ""
    match = re.search(r"/v/([0-9A-Za-z]+)/?$", path)
    return QrText(url, match.group(1) if match else None, fragment or None)


def _decode(payload: str) -> tuple[PayloadFields, str, bytes] | None:
    """Return the fields, the unsigned body and the signature of payload, or None if malformed."""
    if len(payload) > MAX_PAYLOAD or not payload.isascii():
        return None
    body, _, signature_text = payload.rpartition(SEP)
    parts = body.split(SEP)
    if len(parts) != 9 or parts[0] != PREFIX or not _KID.fullmatch(parts[1]):
        return None
    if not (_DATE.fullmatch(parts[7]) and _DATE.fullmatch(parts[8])):
        return None
    try:
        signature = b64url_decode(signature_text)
        valid_from = datetime.strptime(parts[7], "%Y%m%d").date()
        valid_until = datetime.strptime(parts[8], "%Y%m%d").date()
    except ValueError:
        return None
    if len(signature) != 64:
        return None
    scope = tuple(unquote(s) for s in parts[4].split(",")) if parts[4] else ()
    fields = PayloadFields(
        unquote(parts[2]), unquote(parts[3]), scope, unquote(parts[5]), unquote(parts[6]),
        valid_from, valid_until, parts[1],
    )  # fmt: skip
    return fields, body, signature


def shanghai_today() -> date:
    """Return today's date in Asia/Shanghai, the date printed on certificates."""
    return datetime.now(SHANGHAI).date()


def verify_payload(
    payload: str,
    keyset: KeySet,
    status_list: StatusList | Mapping | None = None,
    today: date | None = None,
    *,
    url: str,
) -> Verdict:
    """Verify a payload read from a QR whose URL is url, offline, and return the verdict.

    A status list given as its published JSON is verified first (StatusListError if it is bad).
    """
    decoded = _decode(payload) if isinstance(payload, str) else None
    if decoded is None:
        return Verdict(State.MALFORMED, None, "the QR does not carry a readable registry payload")
    fields, body, signature = decoded
    key = keyset.get(fields.kid)
    if key is None:
        return Verdict(State.UNKNOWN_KEY, fields, f"key {fields.kid} is not in the key set")
    if not key.verify(signature, _message(url, body)):
        return Verdict(State.INVALID_SIGNATURE, fields, "the signature does not match the content")
    if key.status == COMPROMISED:
        reason = f"key {key.kid} was withdrawn on {key.retired_at}: {key.reason}"
        return Verdict(State.KEY_COMPROMISED, fields, reason)
    if isinstance(status_list, Mapping):
        status_list = verify_status_list(status_list, keyset)
    entry = status_list.entries.get(fields.certificate_number) if status_list else None
    if entry is not None:
        return _status_verdict(fields, entry, status_list.issued_at)
    today = today or shanghai_today()
    if today < fields.valid_from:
        return Verdict(State.NOT_YET_VALID, fields, f"valid from {fields.valid_from.isoformat()}")
    if today > fields.valid_until:
        return Verdict(State.EXPIRED, fields, f"expired after {fields.valid_until.isoformat()}")
    return Verdict(State.VALID, fields, "signature, key, validity and status are in order")


def verify_qr_text(
    text: str,
    keyset: KeySet,
    status_list: StatusList | Mapping | None = None,
    today: date | None = None,
) -> Verdict:
    """Verify the full text of a certificate QR offline and return the verdict."""
    parts = parse_qr_text(text)
    if parts.payload is None:
        return Verdict(State.MALFORMED, None, "the QR carries no signed payload")
    return verify_payload(parts.payload, keyset, status_list, today, url=parts.url)


def _status_verdict(fields: PayloadFields, entry: StatusEntry, issued_at: str) -> Verdict:
    """Return the verdict for a certificate listed in the status list."""
    state = State(entry.status)
    reason = f"{state.value} according to the status list of {issued_at}"
    if entry.superseded_by:
        reason += f"; the current certificate is {entry.superseded_by}"
    return Verdict(state, fields, reason, entry.superseded_by)


def _status_message(body: Mapping) -> bytes:
    """Return the canonical signed bytes of a status list body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return STATUS_DOMAIN + canonical.encode("ascii")


def _entry_json(entry: StatusEntry | str) -> dict:
    """Return the JSON form of a status entry given as a StatusEntry or a bare status."""
    entry = StatusEntry(entry) if isinstance(entry, str) else entry
    if entry.status not in _LISTED:
        raise ValueError(f"not a certificate status: {entry.status!r}")
    if entry.status == State.SUPERSEDED and not entry.superseded_by:
        raise ValueError("a superseded certificate needs superseded_by")
    result = {"status": entry.status}
    if entry.superseded_by:
        result["superseded_by"] = entry.superseded_by
    return result


def sign_status_list(
    entries: Mapping[str, StatusEntry | str], keystore: KeyStore, issued_at: datetime | None = None
) -> dict:
    """Return the signed status list document for entries (certificate number to status)."""
    key = keystore.active()
    when = (issued_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    body = {
        "type": STATUS_TYPE,
        "version": 1,
        "kid": key.kid,
        "issued_at": when.isoformat().replace("+00:00", "Z"),
        "entries": {number: _entry_json(e) for number, e in sorted(entries.items())},
    }
    return {**body, "signature": b64url(key.sign(_status_message(body)))}


def verify_status_list(document: Mapping, keyset: KeySet) -> StatusList:
    """Return the verified status list of a published document; raise StatusListError if bad."""
    if not isinstance(document, Mapping) or document.get("type") != STATUS_TYPE:
        raise StatusListError("not a gi-status document")
    body = {k: v for k, v in document.items() if k != "signature"}
    key = keyset.get(str(document.get("kid")))
    if key is None:
        raise StatusListError(f"status list signed by unknown key {document.get('kid')!r}")
    if key.status == COMPROMISED:
        raise StatusListError(f"status list signed by withdrawn key {key.kid}")
    try:
        signature = b64url_decode(document.get("signature", ""))
    except ValueError as exc:
        raise StatusListError("status list signature is not base64url") from exc
    if not key.verify(signature, _status_message(body)):
        raise StatusListError("status list signature does not match its content")
    try:
        entries = {
            number: StatusEntry(str(e["status"]), e.get("superseded_by"))
            for number, e in body["entries"].items()
        }
    except (AttributeError, KeyError, TypeError) as exc:
        raise StatusListError("status list entries are malformed") from exc
    if any(e.status not in _LISTED for e in entries.values()):
        raise StatusListError("status list has an unknown status")
    return StatusList(str(body["issued_at"]), key.kid, entries)
