"""Public endpoint for door scanners: the public keys that verify today's passes."""

from __future__ import annotations

from flask import current_app, jsonify

from portal import toolkit

from .keys import KeyRing

bp = toolkit.public_blueprint("arrival", __name__)


@bp.get("/keys.json")
def public_keys():
    """Serve the public keys that verify passes today, for scanners that check passes themselves."""
    today = toolkit.office_today()
    verify_days = toolkit.plugin_settings("arrival")["verify_days"]
    records = KeyRing(current_app.instance_path).records()
    response = jsonify({"algorithm": "Ed25519", "keys": [
        {"key_id": record.key_id, "public_key": record.public_key, "retired_on": record.retired_on}
        for record in records if record.verifies_on(today, verify_days)]})
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
