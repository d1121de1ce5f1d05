"""The appointment as an iCalendar file, for the client's phone calendar, with the address other plugins give."""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import request

from portal import toolkit
from portal.toolkit import _


def calendar_file(facts: dict) -> bytes:
    """Return an .ics file with the appointment and a reminder the day before."""
    # Imported by the few who download the file, not with the app: icalendar adds about 3 MiB and 0.1 s to a start.
    from icalendar import Alarm, Calendar, Event

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
    street = f"{office['street']}, {office['postal_code']} {office['city']}"
    event.add("location", f"{facts['place']}, {street}" if facts["place"] else street)
    lines = [_("Vorgangsnummer: %(reference)s", reference=facts["reference"]), facts["explanation"],
             facts["next_step"], facts["persons_text"]]
    address = client_address(facts["public_id"])
    if address:
        event.add("url", address)
        lines.append(_("Ihr Termin online: %(address)s", address=address))
    event.add("description", "\n".join(lines))
    reminder = Alarm()
    reminder.add("action", "DISPLAY")
    reminder.add("description", _("Morgen Termin: %(office)s", office=office["name"]))
    reminder.add("trigger", timedelta(days=-1))
    event.add_component(reminder)
    calendar.add_component(event)
    return calendar.to_ical()


def client_address(public_id: str) -> str | None:
    """Return the address another plugin gives for the appointment (a pass's, say), if it is a web address."""
    for answer in toolkit.slot_values("appointments.client_address", public_id=public_id):
        # The answer is plain text from another plugin: only an absolute web address goes into the file.
        if isinstance(answer, str) and answer.lower().startswith(("https://", "http://")) and answer.isprintable() \
                and " " not in answer:
            return answer
    return None
