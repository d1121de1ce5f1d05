"""Passes follow the appointments: issued, replaced and revoked from the event ``appointments.changed``.

The appointments plugin publishes an appointment's public facts whenever it
is created, changed, postponed or cancelled; the handler here runs in the same
transaction, so a pass changes exactly when the appointment does. The first
pass an installation needs creates its first signing key.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from flask import g, render_template, url_for
from markupsafe import Markup
from sqlalchemy import bindparam, select

from portal import toolkit

from . import keys
from .door import issue, revoke
from .models import ArrivalPass
from .passes import PassFacts, public_id_bytes, short_code, sign


def _signing_key():
    """Return the signing key's id and private key, read once per request or command (an import issues many)."""
    if "arrival_signing_key" not in g:
        g.arrival_signing_key = keys.signing_key_made_if_none(toolkit.office_today())
    return g.arrival_signing_key


def _window(day: date, start: time) -> tuple[time, time]:
    """Return the arrival window around a start, kept within its day."""
    settings = toolkit.plugin_settings("arrival")
    moment = datetime.combine(day, start)
    opens = max(moment - timedelta(minutes=settings["minutes_before"]), datetime.combine(day, time()))
    closes = min(moment + timedelta(minutes=settings["minutes_after"]), datetime.combine(day, time(23, 59)))
    return opens.time(), max(closes, opens + timedelta(minutes=1)).time()


def _service_group(slug: str) -> str:
    """Return a service slug as the waiting room gets it: at most 40 of a-z, 0-9 and '-' (a municipality's may vary)."""
    return re.sub(r"[^a-z0-9-]+", "-", slug.lower())[:40]


def appointment_changed(payload: dict) -> None:
    """Issue a pass for an appointment that can be attended, replacing an older one; revoke it otherwise."""
    public_id = public_id_bytes(payload["public_id"])
    if not payload["attendable"]:
        revoke(public_id, toolkit.utcnow())
        return
    key_id, private_key = _signing_key()
    window_start, window_end = _window(payload["day"], payload["start"])
    issue(PassFacts(key_id=key_id, public_id=public_id, day=payload["day"], window_start=window_start,
                    window_end=window_end, persons=payload["persons_allowed"]), private_key,
          service_group=_service_group(payload["service_group"]))


def current_pass(public_id: str) -> str | None:
    """Return the valid pass of an appointment by its public id, or None when it has none or it was revoked."""
    found = _valid_pass(public_id)
    return found[1] if found else None


# Built once: the result page pays neither for building the statement nor for the ORM.
_PASSES = ArrivalPass.__table__.c
_VALID_PASSES = select(_PASSES.public_id, _PASSES.key_id, _PASSES.day, _PASSES.window_start, _PASSES.window_end,
                       _PASSES.persons, _PASSES.checked_in_at).where(
    _PASSES.public_id.in_(bindparam("public_ids", expanding=True)), _PASSES.revoked_at.is_(None))


def current_passes(public_ids: list[str]) -> dict[str, str]:
    """Return the valid passes of appointments by public id; those without one, or whose key is gone, are left out."""
    return {row.public_id: code for row, code in _valid_passes(public_ids)}


def _valid_passes(public_ids: list[str]) -> list[tuple]:
    """Return the rows of the valid passes of appointments by public id, each with its code; without a key, none."""
    if not public_ids:
        return []
    rows = toolkit.session().connection().execute(_VALID_PASSES, {"public_ids": public_ids})
    records = {record.key_id: record for record in keys.kept_records()}
    private_keys, passes = {}, []
    for row in rows:
        if row.key_id not in private_keys:
            try:
                private_keys[row.key_id] = keys.private_key(records[row.key_id])
            except (KeyError, keys.KeyUnreadable):
                private_keys[row.key_id] = None
        if private_keys[row.key_id] is None:
            continue
        # Ed25519 signatures are deterministic: signing the stored facts again gives the pass issued for them.
        passes.append((row, sign(PassFacts(
            key_id=row.key_id, public_id=public_id_bytes(row.public_id), day=row.day, window_start=row.window_start,
            window_end=row.window_end, persons=row.persons), private_keys[row.key_id])))
    return passes


def pass_address(code: str) -> str:
    """Return the pass's address for its QR code, in upper case so the code stays in alphanumeric mode."""
    return toolkit.public_url_for("arrival_pass_address", code=code).upper()


def shown_pass(code: str, public_id: bytes) -> Markup:
    """Render a pass for the door to read from a screen: its address's QR code and its short code."""
    qr = toolkit.qr_svg(pass_address(code), toolkit._("QR-Code: Ihre Einlasskarte"), "arrival-code__qr")
    return Markup(render_template("arrival/_pass_code.html", qr=qr, short_code=short_code(public_id)))


def _valid_pass(public_id: str | None) -> tuple | None:
    """Return the valid pass of one appointment (its row and code), read once per request however often it is asked."""
    if not public_id:
        return None
    read = g.setdefault("arrival_valid_passes", {})
    if public_id not in read:
        found = _valid_passes([public_id])
        read[public_id] = found[0] if found else None
    return read[public_id]


def arrived(public_id: str | None) -> bool:
    """Tell whether the door has checked in the valid pass of an appointment."""
    found = _valid_pass(public_id)
    return found is not None and found[0].checked_in_at is not None


def pass_on_result(public_id: str | None) -> Markup | None:
    """Answer the appointment result's slot with the pass: its QR code, short code and a link to the pass page; once
    the door checked it in, that the client is inside, what the pass page says of the visit, and the link."""
    found = _valid_pass(public_id)
    if found is None:
        return None
    row, code = found
    checked_in_at = row.checked_in_at.astimezone(toolkit.office_zone()) if row.checked_in_at else None
    return Markup(render_template(
        "arrival/_result_pass.html", checked_in_at=checked_in_at, public_id=public_id,
        pass_code=None if checked_in_at else shown_pass(code, public_id_bytes(public_id)),
        pass_url=url_for("arrival.pass_page", lang=toolkit.current_language(), code=code)))
