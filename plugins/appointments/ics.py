"""The appointment as an iCalendar file, for the client's phone calendar."""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import request
from icalendar import Alarm, Calendar, Event

from portal import toolkit
from portal.toolkit import _


def calendar_file(facts: dict) -> bytes:
    """Return an .ics file with the appointment and a reminder the day before."""
    office = toolkit.portal_settings()["office"]
    settings = toolkit.plugin_settings("appointments")
    start = facts["start"].astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", f"-//{office['name']}//appointments//{toolkit.current_language().upper()}")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"appointment-{facts['reference']}@{request.host.split(':')[0]}")
    event.add("dtstamp", toolkit.utcnow())
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=settings["duration_minutes"]))
    event.add("summary", _("Termin: %(service)s", service=facts["service_name"]))
    address = f"{office['street']}, {office['postal_code']} {office['city']}"
    event.add("location", f"{facts['place']}, {address}" if facts["place"] else address)
    event.add("description", "\n".join([
        _("Vorgangsnummer: %(reference)s", reference=facts["reference"]),
        facts["explanation"],
        facts["next_step"],
        facts["persons_text"],
    ]))
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", _("Morgen: Termin beim %(office)s", office=office["name"]))
    reminder.add("trigger", timedelta(days=-1))
    event.add_component(reminder)
    calendar.add_component(event)
    return calendar.to_ical()
