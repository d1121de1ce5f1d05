"""Demonstration appointments with known references and dates of birth (listed in the README)."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from portal import toolkit

from .display import to_utc
from .matching import birth_key
from .models import Appointment
from .publishing import publish_changed

# The building when the settings name none.
DEMO_BUILDING = "Haus A"
# reference, date of birth, service, status, days from today (None: no date), time, room, persons
DEMO_APPOINTMENTS = [
    ("M-100001", date(1985, 3, 27), "residence-permit-extension", "scheduled", 1, time(9, 30), "2.14", 1),
    ("M-100002", date(1990, 11, 4), "naturalisation-certificate-handover", "ready_for_collection", 2, time(10, 0),
     "E.05", 2),
    ("M-100003", date(1978, 6, 15), "settlement-permit", "postponed", None, None, "", 1),
    ("M-100004", date(2000, 1, 1), "eu-blue-card", "invited", 7, time(8, 0), "1.07", 1),
    ("M-100005", date(1965, 12, 12), "family-reunification", "cancelled", None, None, "", 1),
]


def _demo_day(today: date, days: int) -> date:
    """Return the day so many days ahead; beyond tomorrow (README: "tomorrow"), one the office opens on."""
    day = today + timedelta(days=days)
    return day if days <= 1 else toolkit.opening_day(day)


def add_demo_appointments(session) -> None:
    """Add the demonstration appointments unless they are there already."""
    if session.scalar(select(Appointment.id).where(Appointment.reference == DEMO_APPOINTMENTS[0][0])):
        return
    office = toolkit.portal_settings()["office"]
    # A configured location is what the hygiene plugin narrows its rules by. Without a building's name, one of the
    # demo's own: the street would stand twice, since pages and letters add the office's address to the room.
    building = (office["locations"] or [office["building"] or DEMO_BUILDING])[0]
    today = toolkit.office_today()
    for reference, born, service, status, days, clock, room, persons in DEMO_APPOINTMENTS:
        appointment = Appointment(
            reference=reference, birth_key=birth_key(reference, born), service=service, status=status,
            starts_at=to_utc(_demo_day(today, days), clock) if days is not None else None,
            building=building if room else "", room=room, persons_allowed=persons)
        session.add(appointment)
        session.flush()
        publish_changed(appointment)
