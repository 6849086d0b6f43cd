"""Issuing and reissuing certificates, the signing keys, and the published key set and status list.

Issuing signs a snapshot of the authorization (payload.sign_payload) with the active key of the
store in KEYS_DIR. A certificate row never changes after that, except to be superseded by a newer
one. Whether it is valid is always worked out from the authorization's live status.
"""

from __future__ import annotations

import hashlib
import json
import os

from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record, snapshot
from ..clock import local_today
from ..exceptions import Invalid, InvalidTransition, NotPermitted
from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Enterprise, Role, Route, User
from ..models.base import utcnow
from ..models.certificates import Certificate, CertificateStatus
from ..sequences import next_value
from .keys import KeySet, KeyStore, KeyStoreError
from .payload import PayloadFields, StatusEntry, sign_payload, sign_status_list
from .serials import new_code

ISSUE_FIELDS = ("number", "code", "authorization_id", "holder_name", "credit_code",
                "route_annotation", "scope", "valid_from", "valid_until", "standard_code",
                "standard_version", "kid")  # fmt: skip
# The facts a certificate states: when one of them changes, the certificate must be reissued.
STATED = ("holder_name", "credit_code", "route_annotation", "scope", "valid_from", "valid_until",
          "standard_code", "standard_version")  # fmt: skip


def keystore() -> KeyStore:
    """The signing keys in KEYS_DIR (instance/keys)."""
    return KeyStore(current_app.config["KEYS_DIR"])


_keyset_cache: dict[str, tuple[int, KeySet]] = {}


def live_keyset() -> KeySet:
    """The store's public key set, re-read only when its manifest changes (one stat per call)."""
    store = keystore()
    manifest = store.path / "keys.json"
    try:
        stamp = os.stat(manifest).st_mtime_ns
    except FileNotFoundError:
        return KeySet({})
    cached = _keyset_cache.get(str(manifest))
    if cached is None or cached[0] != stamp:
        cached = (stamp, store.keyset())
        _keyset_cache[str(manifest)] = cached
    return cached[1]


def verify_url(code: str) -> str:
    """The address printed in the QR: what any phone opens."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/v/" + code


def route_annotation(authorization: Authorization, enterprise: Enterprise) -> str:
    """The wording the mark must carry for the route (announcement No. 354): trademark and its
    registration number, or the standard code / announcement number of a protected product."""
    trademark = (
        f"{enterprise.trademark_name or authorization.gi_name} 第{enterprise.trademark_reg_no}号"
    )
    standard = authorization.standard_code
    if standard and authorization.standard_version:
        standard += f"（{authorization.standard_version}）"
    if authorization.route == Route.PROTECTED_PRODUCT:
        parts = [f"地理标志保护产品 {authorization.gi_name}"]
        parts += [f"执行标准 {standard}"] if standard else []
        parts += [f"批准公告 {enterprise.announcement_no}"] if enterprise.announcement_no else []
        return "；".join(parts)
    if authorization.route == Route.COLLECTIVE_MEMBER:
        return f"地理标志集体商标 {trademark}"
    if authorization.route == Route.CERTIFICATION_LICENSEE:
        return f"地理标志证明商标 {trademark}"
    parts = ["国家知识产权局登记备案"]
    parts += [enterprise.announcement_no] if enterprise.announcement_no else []
    parts += [f"商标 {trademark}"] if enterprise.trademark_reg_no else []
    return " ".join(parts)


def stated_facts(authorization: Authorization) -> dict:
    """What a certificate issued now for the authorization would state."""
    enterprise = authorization.enterprise
    return {
        "holder_name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "route_annotation": route_annotation(authorization, enterprise),
        "scope": list(authorization.scope),
        "valid_from": authorization.valid_from,
        "valid_until": authorization.valid_until,
        "standard_code": authorization.standard_code,
        "standard_version": authorization.standard_version,
    }


def certificate_for(authorization: Authorization | None) -> Certificate | None:
    """The authorization's current certificate, if it has one."""
    if authorization is None:
        return None
    return db.session.scalar(
        db.select(Certificate).where(Certificate.authorization_id == authorization.id,
                                     Certificate.status == CertificateStatus.CURRENT)
        .order_by(Certificate.id.desc()).limit(1)
    )  # fmt: skip


def signing_store() -> KeyStore:
    """The key store, with a first key made if `flask gi keys-init` was never run."""
    store = keystore()
    try:
        store.active()
    except KeyStoreError:
        current_app.logger.warning("no signing key in %s: creating the first one", store.path)
        store.init()
    return store


def issue_certificate(
    authorization: Authorization, actor: User | None, *, reason: str = "", commit: bool = True
) -> Certificate:
    """Issue a signed certificate for an authorization, superseding its current one; commits
    unless commit=False (approve_application issues inside its own transaction)."""
    if authorization.status == AuthorizationStatus.REVOKED:
        raise InvalidTransition(_("A revoked authorization gets no certificate."))
    if authorization.valid_until < local_today():
        raise InvalidTransition(_("The authorization has expired; no certificate can be issued."))
    year = local_today().year
    # Taking the counter first serialises issuers (row lock / SQLite write lock), so the read of
    # the current certificate below cannot be stale.
    number = f"BSLL-C-{year}-{next_value(f'certificate-{year}'):06d}"
    previous = certificate_for(authorization)
    facts = stated_facts(authorization)
    code = new_code()
    url = verify_url(code)
    fields = PayloadFields(number, facts["credit_code"], tuple(facts["scope"]),
                           facts["standard_code"], facts["standard_version"],
                           facts["valid_from"], facts["valid_until"])  # fmt: skip
    payload = sign_payload(fields, signing_store(), url=url)
    certificate = Certificate(
        number=number, code=code, authorization_id=authorization.id,
        gi_name=authorization.gi_name, route=authorization.route,
        standard_hash=authorization.standard_hash,
        issuing_office=current_app.config["OFFICE_NAME"], url=url, kid=payload.split("~")[1],
        payload=payload, issued_at=utcnow(), issued_by_id=actor.id if actor else None,
        reissue_reason=(reason or "").strip(), **facts,
    )  # fmt: skip
    db.session.add(certificate)
    db.session.flush()
    if previous is not None:
        previous.status = CertificateStatus.SUPERSEDED
        previous.superseded_by_id = certificate.id
        previous.superseded_at = certificate.issued_at
        record("certificate.supersede", "certificate", previous.id, actor,
               before={"status": CertificateStatus.CURRENT.value},
               after={"status": CertificateStatus.SUPERSEDED.value, "superseded_by": number},
               grounds=certificate.reissue_reason)  # fmt: skip
    record("certificate.issue", "certificate", certificate.id, actor,
           after=snapshot(certificate, *ISSUE_FIELDS), grounds=certificate.reissue_reason)  # fmt: skip
    if commit:
        db.session.commit()
    return certificate


def ensure_may_reissue(actor: User) -> None:
    if not actor.has_role(Role.APPROVER, Role.ADMIN):
        raise NotPermitted(_("Only approvers can reissue certificates."))


def reissue_certificate(certificate: Certificate, actor: User, reason: str) -> Certificate:
    """An official reissues a current certificate (new number, code and key), with a reason;
    the old one then verifies as superseded; commits."""
    ensure_may_reissue(actor)
    if not (reason or "").strip():
        raise Invalid(_("Give the reason for reissuing."), "reason")
    if not certificate.is_current:
        raise InvalidTransition(_("Only the current certificate can be reissued."))
    return issue_certificate(certificate.authorization, actor, reason=reason)


def reissue_signed_by(kid: str, actor: User | None, reason: str) -> list[Certificate]:
    """Reissue every current certificate signed with key `kid` whose authorization can still
    have one (after a key is retired); one commit for all."""
    if actor is not None:
        ensure_may_reissue(actor)
    reason = (reason or "").strip() or f"key {kid} withdrawn"
    query = (
        db.select(Certificate).join(Certificate.authorization)
        .where(Certificate.kid == kid, Certificate.status == CertificateStatus.CURRENT,
               Authorization.status != AuthorizationStatus.REVOKED,
               Authorization.valid_until >= local_today())
        .order_by(Certificate.id)
    )  # fmt: skip
    new = [issue_certificate(c.authorization, actor, reason=reason, commit=False)
           for c in db.session.scalars(query).all()]  # fmt: skip
    db.session.commit()
    return new


def reissue_if_stale(authorization: Authorization, actor: User | None, reason: str) -> None:
    """Reissue the current certificate if what it states no longer matches the authorization and
    the enterprise (a name or scope change); inside the caller's transaction."""
    current = certificate_for(authorization)
    if current is None or authorization.status == AuthorizationStatus.REVOKED:
        return
    if authorization.valid_until < local_today():
        return
    facts = stated_facts(authorization)
    if any(facts[k] != getattr(current, k) for k in STATED):
        issue_certificate(authorization, actor, reason=reason, commit=False)


def reissue_stale_for(enterprise: Enterprise, actor: User | None) -> None:
    """After an enterprise's details change: reissue its certificates that now state old facts."""
    for authorization in enterprise.authorizations:
        reissue_if_stale(authorization, actor, "enterprise details changed")


# --- keys -------------------------------------------------------------------------------------


def init_keys() -> str:
    """Create the first signing key if there is none; return the active key id."""
    return keystore().init().kid


def rotate_keys(actor_label: str) -> str:
    """Start a new signing key (older keys still verify what they signed); audited; commits."""
    key = keystore().rotate()
    record("key.rotate", "signing_key", key.kid, None, after={"active": key.kid},
           actor_label=actor_label)  # fmt: skip
    db.session.commit()
    return key.kid


def retire_key(kid: str, reason: str, actor_label: str) -> int:
    """Mark a key compromised: everything it signed fails from now on; audited; commits.
    Returns how many current certificates it had signed (to reissue)."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason for retiring the key."), "reason")
    try:
        key = keystore().retire(kid, reason)
    except KeyStoreError:
        raise Invalid(_("There is no key %(kid)s.", kid=kid), "kid") from None
    record("key.retire", "signing_key", kid, None, after={"status": key.status},
           grounds=reason, actor_label=actor_label)  # fmt: skip
    db.session.commit()
    return signed_by_count(kid)


def signed_by_count(kid: str) -> int:
    """How many current certificates a key signed."""
    return db.session.scalar(
        db.select(db.func.count()).select_from(Certificate)
        .where(Certificate.kid == kid, Certificate.status == CertificateStatus.CURRENT)
    )  # fmt: skip


def compromised_kids() -> set[str]:
    """Ids of the keys withdrawn as compromised."""
    return {k.kid for k in live_keyset().keys.values() if k.status == "compromised"}


# --- the published status list ----------------------------------------------------------------


def status_entries() -> dict[str, StatusEntry]:
    """Every certificate that is not plainly valid: revoked or suspended (its authorization) or
    superseded (pointing to the authorization's current certificate)."""
    rows = db.session.execute(
        db.select(Certificate.number, Certificate.status, Certificate.authorization_id,
                  Authorization.status)
        .join(Authorization, Certificate.authorization_id == Authorization.id)
        .where(db.or_(Certificate.status == CertificateStatus.SUPERSEDED,
                      Authorization.status.in_((AuthorizationStatus.SUSPENDED,
                                                AuthorizationStatus.REVOKED))))
    ).all()  # fmt: skip
    current = dict(db.session.execute(
        db.select(Certificate.authorization_id, Certificate.number)
        .where(Certificate.status == CertificateStatus.CURRENT,
               Certificate.authorization_id.in_({r[2] for r in rows}))
    ).all())  # fmt: skip
    entries = {}
    for number, status, authorization_id, authorization_status in rows:
        # A superseded certificate always has a current sibling: reissuing makes one.
        newer = current.get(authorization_id, "?") if status == "superseded" else None
        if authorization_status in (AuthorizationStatus.REVOKED, AuthorizationStatus.SUSPENDED):
            entries[number] = StatusEntry(str(authorization_status), newer)
        else:
            entries[number] = StatusEntry("superseded", newer)
    return entries


def status_list_document() -> tuple[dict, str]:
    """The signed status list, and an ETag that changes only when its entries or key change."""
    entries = status_entries()
    store = signing_store()
    canonical = json.dumps(
        {"kid": store.active().kid,
         "entries": {n: [e.status, e.superseded_by] for n, e in sorted(entries.items())}},
        sort_keys=True,
    )  # fmt: skip
    return sign_status_list(entries, store), hashlib.sha256(canonical.encode()).hexdigest()[:32]


def certificates_page(query_text: str, page: int):
    """Officials: certificates, newest first, searchable by number, holder or credit code."""
    query = db.select(Certificate)
    if q := (query_text or "").strip():
        query = query.where(Certificate.number.contains(q.upper()) | Certificate.holder_name.contains(q)
                            | Certificate.credit_code.contains(q.upper()))  # fmt: skip
    return db.paginate(query.order_by(Certificate.id.desc()), page=page, per_page=30,
                       error_out=False)  # fmt: skip
