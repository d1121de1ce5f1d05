"""Keep the signing keys in the database, each private key sealed with the portal's secret.

Every app server then signs and verifies with the same keys. Keys made before lived in the instance folder
(``arrival-keys/keys.json`` and ``<id>.key``): they move into the table here, so the passes they signed stay
valid; a key whose private file was gone keeps only its public key, which still verifies its passes. The folder
is left as it was, to be removed once this ran (docs/arrival.md).

Revision ID: arrival_0002
Revises: arrival_0001
Created: 2026-12-06 23:20:00
"""

import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives import serialization
from flask import current_app
from portal_plugins.arrival.keys import seal

revision = "arrival_0002"
down_revision = "arrival_0001"
branch_labels = None
depends_on = None


def _keys_in_the_instance_folder() -> list[dict]:
    folder = Path(current_app.instance_path) / "arrival-keys"
    manifest = folder / "keys.json"
    if not manifest.exists():
        return []
    rows = []
    for entry in json.loads(manifest.read_text("utf-8")):
        key_file = folder / f"{entry['key_id']}.key"
        sealed = ""
        if key_file.exists():
            private_key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
            sealed = seal(entry["key_id"], private_key, current_app.config["SECRET_KEY"])
        rows.append({"key_id": entry["key_id"], "public_key": entry["public_key"], "sealed_private_key": sealed,
                     "created_on": date.fromisoformat(entry["created_on"]),
                     "retired_on": date.fromisoformat(entry["retired_on"]) if entry.get("retired_on") else None})
    return rows


def upgrade():
    table = op.create_table(
        "arrival_signing_key",
        sa.Column("key_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("public_key", sa.String(length=44), nullable=False),
        sa.Column("sealed_private_key", sa.String(length=120), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_arrival_signing_key")),
    )
    folder = Path(current_app.instance_path) / "arrival-keys"
    if not (folder / "keys.json").exists() and op.get_bind().execute(sa.text("SELECT 1 FROM arrival_pass")).first():
        # Run where the keys are not, this would leave every pass issued so far unknown at the door.
        raise RuntimeError(f"arrival: passes exist, but {folder} holds no keys.json: run db upgrade on the server "
                           "whose instance folder has arrival-keys/, or copy that folder here; if the keys are lost "
                           f"for good, write [] into {folder / 'keys.json'} (the passes issued so far then fail at "
                           "the door)")
    rows = _keys_in_the_instance_folder()
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    op.drop_table("arrival_signing_key")
