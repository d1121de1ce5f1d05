"""Find an appointment by reference and date of birth, without telling which of the two was wrong."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Row, bindparam, select

from portal import toolkit

from .models import Appointment
from .selfservice_models import given_back_exists

REFERENCE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9/.\-]{2,31}$")
BIRTH_KEY_PURPOSE = "appointments-birth-key"
RESULT_TOKENS = toolkit.SignedTokens("appointments-result")
# Failed lookups by date of birth, per reference; read when used, so that the setting applies.
REFERENCE_LIMIT = toolkit.ReferenceLimit(
    "appointments", lambda: toolkit.plugin_settings("appointments")["rate_limit_per_reference"])


def normalize_reference(raw: str) -> str:
    """Return a reference as the toolkit normalises it (Cyrillic look-alikes Latin), without spaces (ours have none)."""
    return toolkit.normalize_reference(raw).replace(" ", "")


def has_non_latin_letters(reference: str) -> bool:
    """Tell whether a normalized reference holds letters other than A to Z, which no reference of ours has."""
    # Most references are typed in ASCII: then no character needs looking at (this runs on every lookup).
    return not reference.isascii() and any(char.isalpha() and not char.isascii() for char in reference)


def is_valid_reference(reference: str) -> bool:
    """Tell whether a normalized reference has the shape of one printed on a letter."""
    return bool(REFERENCE_PATTERN.match(reference))


def birth_key(reference: str, birth_date: date) -> str:
    """Return the keyed hash of reference and date of birth that is stored instead of the date itself."""
    return toolkit.keyed_hash(BIRTH_KEY_PURPOSE, reference, birth_date.isoformat())


# Built once: the lookup's hot path pays neither for building the statement nor for the ORM (see docs/performance.md).
_APPOINTMENTS = Appointment.__table__.c
_BY_REFERENCE_KEY = (select(*(column for column in _APPOINTMENTS if column.name not in ("version", "imported_at")),
                            given_back_exists(_APPOINTMENTS.reference, _APPOINTMENTS.starts_at).label("given_back"))
                     .where(toolkit.reference_key_expression(_APPOINTMENTS.reference) == bindparam("key"))
                     .order_by(_APPOINTMENTS.id).limit(1))
_BY_ID = select(*_BY_REFERENCE_KEY.selected_columns).where(_APPOINTMENTS.id == bindparam("id"))


def find_appointment(reference: str, birth_date: date) -> Row | None:
    """Return the appointment's row when reference and date of birth both match, doing the same work either way.

    The reference is compared without its separators, so M 100001 and
    M100001 find M-100001. The row has the columns describe() and
    result_token() read, and given_back: whether the client gave this date
    back. Callers check REFERENCE_LIMIT first and count a miss.
    """
    appointment = toolkit.session().connection().execute(
        _BY_REFERENCE_KEY, {"key": toolkit.reference_key(reference)}).first()
    # The hash is made of the stored reference, which the client may have typed without its separators.
    stored, hashed_reference = (appointment.birth_key, appointment.reference) if appointment else (None, reference)
    matches = toolkit.keyed_hash_matches(stored, BIRTH_KEY_PURPOSE, hashed_reference, birth_date.isoformat())
    return appointment if matches else None


def result_token(appointment: Appointment | Row) -> str:
    """Return a signed token that shows this appointment again for a while, without the date of birth."""
    return RESULT_TOKENS.dumps(appointment.id)


def appointment_for_token(token: str) -> Row | None:
    """Return the row of the appointment a token was made for (as find_appointment), or None when forged or gone."""
    max_age = toolkit.plugin_settings("appointments")["result_link_minutes"] * 60
    appointment_id = RESULT_TOKENS.loads(token, max_age)
    if not isinstance(appointment_id, int):
        return None
    return toolkit.session().connection().execute(_BY_ID, {"id": appointment_id}).first()
