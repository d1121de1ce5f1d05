"""The signing keys, kept in the database: each private key sealed with a key derived from the portal's secret.

Every app server of an installation shares the database and ``secret_key``, so every one of them signs and
verifies with the same keys; a copy of the database alone reveals no private key. The newest key signs; a
retired key still verifies passes for `verify_days` after its retirement, the longest a pass it signed can stay
in use. Nothing here is served but the public keys.
"""

from __future__ import annotations

import base64
import logging
import os
from dataclasses import dataclass
from datetime import date, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import func, select, update

from portal import toolkit

from .models import ArrivalPass, SigningKey

log = logging.getLogger(__name__)
# Names what the derived key is for, so the secret's other uses (sessions, links) never share it.
SEALING_PURPOSE = b"portal arrival signing keys"
NONCE_BYTES = 12
# Private keys already unsealed by this process, by id and sealed text: a page with a pass derives and decrypts none.
_unsealed: dict[tuple[int, str], Ed25519PrivateKey] = {}


class KeyUnreadable(LookupError):
    """A private key the portal cannot open: sealed with another secret_key, or lost before it moved here."""


@dataclass(frozen=True)
class KeyRecord:
    """One key: its id, public key (raw, Base64), dates and private key sealed with the secret."""

    key_id: int
    public_key: str
    created_on: date
    retired_on: date | None = None
    sealed_private_key: str = ""

    def verifies_on(self, day: date, verify_days: int) -> bool:
        """Tell whether the key still verifies passes on `day`."""
        return self.retired_on is None or day <= self.retired_on + timedelta(days=verify_days)

    def public(self) -> Ed25519PublicKey:
        """Return the public key."""
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))


def _sealer(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SEALING_PURPOSE).derive(secret.encode())
    return AESGCM(key)


def seal(key_id: int, private_key: Ed25519PrivateKey, secret: str) -> str:
    """Return a private key encrypted with a key derived from the secret, bound to its id (Base64)."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _sealer(secret).encrypt(nonce, private_key.private_bytes_raw(), str(key_id).encode())
    return base64.b64encode(nonce + sealed).decode("ascii")


def unseal(key_id: int, sealed: str, secret: str) -> Ed25519PrivateKey:
    """Return a sealed private key; raise KeyUnreadable when it was sealed with another secret or for another id."""
    data = base64.b64decode(sealed)
    try:
        raw = _sealer(secret).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], str(key_id).encode())
    except InvalidTag:
        raise KeyUnreadable(f"arrival key {key_id} was sealed with another secret_key: restore that secret, or "
                            "run 'flask --app portal arrival keys rotate'") from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def records() -> tuple[KeyRecord, ...]:
    """Return every key, oldest first, as the session sees them now."""
    rows = toolkit.session().scalars(select(SigningKey).order_by(SigningKey.key_id))
    return tuple(KeyRecord(row.key_id, row.public_key, row.created_on, row.retired_on, row.sealed_private_key)
                 for row in rows)


# For pages that read keys only (result pages, the door, scanners): kept per process until a command, an import or
# a staff save makes or retires a key, which moves the content version on every server at its commit.
kept_records = toolkit.content_cached(records, per_language=False)


def create(today: date) -> KeyRecord:
    """Make a new key that signs from now on, in the session's transaction; the signing key is retired today.

    Pages read the keys as kept before: until the commit, only what this returns knows the new key.
    """
    session = toolkit.session()
    session.execute(update(SigningKey).where(SigningKey.retired_on.is_(None)).values(retired_on=today))
    # Past every id a pass names too: passes signed by keys this table never held (an instance folder's, left
    # behind at the upgrade) must stay unknown to the door, never be read as a new key's.
    key_id = max(session.scalar(select(func.max(SigningKey.key_id))) or 0,
                 session.scalar(select(func.max(ArrivalPass.key_id))) or 0) + 1
    new_key = Ed25519PrivateKey.generate()
    public_key = base64.b64encode(new_key.public_key().public_bytes_raw()).decode("ascii")
    row = SigningKey(key_id=key_id, public_key=public_key, sealed_private_key=seal(key_id, new_key, _secret()),
                     created_on=today)
    session.add(row)
    session.flush()
    record = KeyRecord(key_id, public_key, today, None, row.sealed_private_key)
    _unsealed[(key_id, row.sealed_private_key)] = new_key
    return record


def private_key(record: KeyRecord) -> Ed25519PrivateKey:
    """Return a key's private key; raise KeyUnreadable when the portal's secret cannot open it."""
    found = (record.key_id, record.sealed_private_key)
    if not record.sealed_private_key:
        # Moved from an instance folder that had lost the private key file: the public key still verifies.
        raise KeyUnreadable(f"arrival key {record.key_id} has no private key: run 'flask --app portal arrival keys "
                            "rotate'")
    if found not in _unsealed:
        _unsealed[found] = unseal(record.key_id, record.sealed_private_key, _secret())
    return _unsealed[found]


def signing_key() -> tuple[int, Ed25519PrivateKey]:
    """Return the id and private key that sign new passes; raise LookupError when there is none or it is unreadable."""
    return _signing(records())


def _signing(found: tuple[KeyRecord, ...]) -> tuple[int, Ed25519PrivateKey]:
    current = [record for record in found if record.retired_on is None]
    if not current:
        raise LookupError("no arrival key: run 'flask --app portal arrival keys create'")
    return current[-1].key_id, private_key(current[-1])


def signing_key_made_if_none(today: date) -> tuple[int, Ed25519PrivateKey]:
    """Return the signing key's id and private key, making the first key (with a warning) when there is none."""
    found = records()
    if found:
        return _signing(found)
    record = create(today)
    log.warning("arrival: created signing key %s for the first pass; 'flask --app portal arrival keys create' "
                "chooses the moment", record.key_id)
    return record.key_id, private_key(record)


def verifying_keys(today: date, verify_days: int) -> dict[int, Ed25519PublicKey]:
    """Return the public keys that verify passes today, by key id."""
    return {record.key_id: record.public() for record in kept_records() if record.verifies_on(today, verify_days)}


def keys_verifying_today() -> dict[int, Ed25519PublicKey]:
    """Return the public keys that verify passes today, by key id."""
    return verifying_keys(toolkit.office_today(), toolkit.plugin_settings("arrival")["verify_days"])
