"""How an appointment is shown: local date and time, place, status texts, in the visitor's language."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from babel import dates
from flask_babel import get_locale
from sqlalchemy import Row

from portal import toolkit
from portal.toolkit import ngettext

from .models import Appointment
from .services import service_name, service_name_markup
from .statuses import GIVEN_BACK, PASSED, STATUSES


def to_utc(day: date, clock: time) -> datetime:
    """Return the aware UTC moment of a date and time on the office's clock."""
    return datetime.combine(day, clock, tzinfo=toolkit.office_zone()).astimezone(UTC)


def local_start(appointment: Appointment | Row) -> datetime | None:
    """Return when the appointment starts on the office's clock, or None when it has no date."""
    return toolkit.office_now(appointment.starts_at) if appointment.starts_at else None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the UTC moments at which a day on the office's clock starts and ends."""
    return to_utc(day, time()), to_utc(day + timedelta(days=1), time())


def format_day(moment: datetime | date, width: str = "full") -> str:
    """Format a date for the visitor's locale, with the weekday by default."""
    return dates.format_date(moment, toolkit.date_pattern(width), locale=get_locale())


def format_clock(moment: datetime) -> str:
    """Format a time of day for the visitor's locale."""
    return dates.format_time(moment, "short", tzinfo=moment.tzinfo, locale=get_locale())


def place(appointment: Appointment | Row) -> str:
    """Return where the appointment takes place: building and room."""
    if appointment.building and appointment.room:
        return toolkit._("%(building)s, Raum %(room)s", building=appointment.building, room=appointment.room)
    if appointment.room:
        return toolkit._("Raum %(room)s", room=appointment.room)
    return appointment.building


def persons_text(count: int) -> str:
    """Say how many people may come to the appointment."""
    return ngettext("Es darf %(num)d Person kommen.", "Es dürfen %(num)d Personen zusammen kommen.", count)


def describe(appointment: Appointment | Row, given_back: bool = False) -> dict:
    """Return everything a client sees of an appointment, as translated text; given_back: the client cancelled it."""
    status = GIVEN_BACK if given_back else STATUSES[appointment.status]
    start = local_start(appointment) if status.has_date else None
    if start is not None and not given_back and start.date() < toolkit.office_today():
        status = PASSED
    return {
        "reference": appointment.reference,
        "public_id": appointment.public_id,
        "service": appointment.service,
        "service_name": service_name(appointment.service),
        "service_name_markup": service_name_markup(appointment.service),
        "status": status.code,
        "status_label": str(status.label),
        "explanation": str(status.explanation),
        "next_step": str(status.next_step),
        "start": start,
        # Only a visit still to come has persons, a calendar entry and what other plugins add for the visit.
        "attendable": start is not None and status not in (GIVEN_BACK, PASSED),
        "given_back": given_back,
        "date_text": format_day(start) if start else "",
        "time_text": format_clock(start) if start else "",
        "building": appointment.building,
        "room": appointment.room,
        "place": place(appointment),
        "persons_allowed": appointment.persons_allowed,
        "persons_text": persons_text(appointment.persons_allowed),
    }
