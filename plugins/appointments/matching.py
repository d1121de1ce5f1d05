"""Find an appointment by reference and date of birth, without telling which of the two was wrong."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from portal import toolkit

from .models import Appointment

REFERENCE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9/.\-]{2,31}$")
# Stands in for the stored key when the reference is unknown, so both failures compare the same way.
UNMATCHABLE_KEY = "0" * 64
# Kept as a module attribute so a test can watch that every lookup compares exactly once.
compare_digest = hmac.compare_digest


def normalize_reference(raw: str) -> str:
    """Return a reference as stored: without spaces, in capitals (letters print ambiguously in lower case)."""
    return re.sub(r"\s+", "", raw or "").upper()


def is_valid_reference(reference: str) -> bool:
    """Tell whether a normalized reference has the shape of one printed on a letter."""
    return bool(REFERENCE_PATTERN.match(reference))


def birth_key(reference: str, birth_date: date) -> str:
    """Return the keyed hash of reference and date of birth that is stored instead of the date itself."""
    secret = current_app.config["SECRET_KEY"].encode()
    message = f"appointments-birth-key\x00{reference}\x00{birth_date.isoformat()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def find_appointment(reference: str, birth_date: date) -> Appointment | None:
    """Return the appointment when reference and date of birth both match, doing the same work either way."""
    appointment = toolkit.session().scalar(select(Appointment).where(Appointment.reference == reference))
    stored = appointment.birth_key if appointment is not None else UNMATCHABLE_KEY
    matches = compare_digest(stored, birth_key(reference, birth_date))
    return appointment if matches else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="appointments-result")


def result_token(appointment: Appointment) -> str:
    """Return a signed token that shows this appointment again for a while, without the date of birth."""
    return _serializer().dumps(appointment.id)


def appointment_for_token(token: str) -> Appointment | None:
    """Return the appointment a token was made for, or None when it is forged, expired or gone."""
    max_age = toolkit.plugin_settings("appointments")["result_link_minutes"] * 60
    try:
        appointment_id = _serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(appointment_id, int):
        return None
    return toolkit.session().get(Appointment, appointment_id)
