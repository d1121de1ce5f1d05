"""The signing keys, kept in the instance folder: private keys readable by the portal's user alone.

``arrival-keys/keys.json`` lists every key's id, public key, when it was made
and when it was retired; ``arrival-keys/<id>.key`` holds each private key
(PEM, mode 0600, in a folder of mode 0700). The newest key signs; a retired
key still verifies passes for `verify_days` after its retirement, the longest
a pass it signed can stay in use. Nothing here is served but the public keys.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from portal import toolkit

FOLDER = "arrival-keys"
MANIFEST = "keys.json"
# Private keys already read by this process, by file and the file's identity: a page with a pass parses no PEM.
_loaded_keys: dict[tuple[str, int, int, int], Ed25519PrivateKey] = {}


@dataclass(frozen=True)
class KeyRecord:
    """One key as listed in the manifest: its id, public key (raw, Base64) and dates."""

    key_id: int
    public_key: str
    created_on: str
    retired_on: str | None = None

    def verifies_on(self, day: date, verify_days: int) -> bool:
        """Tell whether the key still verifies passes on `day`."""
        return self.retired_on is None or day <= date.fromisoformat(self.retired_on) + timedelta(days=verify_days)

    def public(self) -> Ed25519PublicKey:
        """Return the public key."""
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))


class KeyRing:
    """The keys in one instance folder."""

    def __init__(self, instance_path: str | Path):
        self.folder = Path(instance_path) / FOLDER

    def records(self) -> list[KeyRecord]:
        """Return every key, oldest first."""
        manifest = self.folder / MANIFEST
        if not manifest.exists():
            return []
        return [KeyRecord(**entry) for entry in json.loads(manifest.read_text("utf-8"))]

    def create(self, today: date) -> KeyRecord:
        """Make a new key that signs from now on; the previous signing key is retired today."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        records = [KeyRecord(**{**asdict(record), "retired_on": record.retired_on or today.isoformat()})
                   for record in self.records()]
        key_id = max((record.key_id for record in records), default=0) + 1
        private_key = Ed25519PrivateKey.generate()
        pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
        # Created with mode 0600 at once, so the key is never readable by others, not even for a moment.
        descriptor = os.open(self.folder / f"{key_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        record = KeyRecord(key_id=key_id, public_key=base64.b64encode(raw).decode("ascii"),
                           created_on=today.isoformat())
        records.append(record)
        temporary = self.folder / f"{MANIFEST}.new"
        temporary.write_text(json.dumps([asdict(entry) for entry in records], indent=2), "utf-8")
        temporary.replace(self.folder / MANIFEST)
        return record

    def signing_key(self) -> tuple[int, Ed25519PrivateKey]:
        """Return the id and private key that sign new passes; raise LookupError when there is none."""
        current = [record for record in self.records() if record.retired_on is None]
        if not current:
            raise LookupError("no arrival key: run 'flask --app portal arrival keys create'")
        key_id = current[-1].key_id
        return key_id, self.private_key(key_id)

    def private_key(self, key_id: int) -> Ed25519PrivateKey:
        """Return the private key with this id; raise FileNotFoundError when the instance has no such key."""
        path = self.folder / f"{key_id}.key"
        # Checked on every call, so a key file removed or replaced is never used from memory.
        status = path.stat()
        identity = (str(path), status.st_ino, status.st_mtime_ns, status.st_ctime_ns)
        if identity not in _loaded_keys:
            _loaded_keys[identity] = serialization.load_pem_private_key(path.read_bytes(), password=None)
        return _loaded_keys[identity]

    def verifying_keys(self, today: date, verify_days: int) -> dict[int, Ed25519PublicKey]:
        """Return the public keys that verify passes today, by key id."""
        return {record.key_id: record.public() for record in self.records()
                if record.verifies_on(today, verify_days)}


def keys_verifying_today() -> dict[int, Ed25519PublicKey]:
    """Return the instance's public keys that verify passes today, by key id."""
    return KeyRing(current_app.instance_path).verifying_keys(toolkit.office_today(),
                                                             toolkit.plugin_settings("arrival")["verify_days"])
