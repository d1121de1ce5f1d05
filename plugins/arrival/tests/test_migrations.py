"""The plugin's migrations: the signing keys move from the instance folder into the database."""

import base64
import json
from datetime import date, time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from portal_plugins.arrival import keys
from portal_plugins.arrival.passes import PassFacts, read, sign

from portal.testing import migrate_to


def _write_key_folder(folder: Path, kept: Ed25519PrivateKey, lost: Ed25519PrivateKey) -> None:
    """Write the folder as the plugin kept it before: a manifest of public keys and a PEM file per private key."""
    folder.mkdir()
    pem = kept.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    (folder / "2.key").write_bytes(pem)  # key 1's file was lost before the upgrade
    manifest = [{"key_id": number, "public_key": base64.b64encode(key.public_key().public_bytes_raw()).decode(),
                 "created_on": created, "retired_on": retired}
                for number, key, created, retired in ((1, lost, "2026-01-05", "2026-03-01"),
                                                      (2, kept, "2026-03-01", None))]
    (folder / "keys.json").write_text(json.dumps(manifest), "utf-8")


def test_keys_of_the_instance_folder_move_into_the_database_and_their_passes_stay_valid(unmigrated_app):
    app = unmigrated_app(plugins=["arrival"])
    kept, lost = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    _write_key_folder(Path(app.instance_path) / "arrival-keys", kept, lost)
    migrate_to(app, "core")
    migrate_to(app, "arrival")
    facts = PassFacts(key_id=2, public_id=bytes(16), day=date(2026, 6, 1), window_start=time(8),
                      window_end=time(8, 30), persons=1)
    signed_by_the_lost_key = PassFacts(**{**facts.__dict__, "key_id": 1})
    with app.app_context():
        assert keys.signing_key() == (2, keys.private_key(keys.records()[1]))
        assert keys.signing_key()[1].private_bytes_raw() == kept.private_bytes_raw()
        assert keys.records()[0].retired_on == date(2026, 3, 1)
        verifying = keys.verifying_keys(date(2026, 6, 1), verify_days=180)
        assert read(sign(facts, kept), verifying) == facts
        # The lost key's public key still verifies the passes it signed; it signs nothing more.
        assert read(sign(signed_by_the_lost_key, lost), verifying) == signed_by_the_lost_key
        with pytest.raises(keys.KeyUnreadable, match="no private key"):
            keys.private_key(keys.records()[0])


PASS_ROW = ("INSERT INTO arrival_pass (public_id, key_id, day, window_start, window_end, persons, service_group, "
            "interpreter_language, issued_at, checked_in_device) VALUES ('AAAAAAAAAAAAAAAAAAAAAAAAAA', 3, "
            "'2026-12-07', '08:00:00', '08:30:00', 1, 'residence', '', '2026-12-06 08:00:00', '')")


def test_passes_without_their_keys_stop_the_upgrade_until_the_folder_is_here_or_declared_lost(unmigrated_app):
    from sqlalchemy import text

    app = unmigrated_app(plugins=["arrival"])
    migrate_to(app, "core")
    migrate_to(app, "arrival", "arrival_0001")
    with app.extensions["portal.db"].engine.begin() as connection:
        connection.execute(text(PASS_ROW))
    with pytest.raises(RuntimeError, match="passes exist, but .* holds no keys.json"):
        migrate_to(app, "arrival")
    # Declared lost: the upgrade goes on, and a new key never takes the id the passes name.
    folder = Path(app.instance_path) / "arrival-keys"
    folder.mkdir()
    (folder / "keys.json").write_text("[]", "utf-8")
    migrate_to(app, "arrival")
    with app.app_context():
        assert keys.signing_key_made_if_none(date(2026, 12, 6))[0] == 4
