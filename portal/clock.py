"""The office's clock: the time zone in which staff enter times and visitors read them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.lists import format_list
from flask import current_app
from flask_babel import get_locale

from .db import utcnow
from .i18n import isolate


def office_zone() -> ZoneInfo:
    """Return the office's time zone (setting ``timezone``)."""
    return ZoneInfo(current_app.config["PORTAL"]["timezone"])


def office_now(moment: datetime | None = None) -> datetime:
    """Return now, or an aware moment, as the office's local time."""
    return (moment or utcnow()).astimezone(office_zone())


def office_today(moment: datetime | None = None) -> date:
    """Return today's date at the office (or the office's date at an aware moment)."""
    return office_now(moment).date()


def opening_weekdays() -> set[int]:
    """Return the weekdays (0 Monday to 6 Sunday) the office's opening hours name."""
    return {weekday for hours in current_app.config["PORTAL"]["office"]["opening_hours"]
            for weekday in hours["weekdays"]}


def opening_day(day: date) -> date:
    """Return the day, or the next the office's opening hours name (the day itself when they name none)."""
    open_weekdays = opening_weekdays()
    while open_weekdays and day.weekday() not in open_weekdays:
        day += timedelta(days=1)
    return day


def opening_times(day: date) -> list[tuple[time, time]]:
    """Return when the office opens and closes on a day, in order of the day (none: closed that day)."""
    return sorted((time.fromisoformat(hours["opens"]), time.fromisoformat(hours["closes"]))
                  for hours in current_app.config["PORTAL"]["office"]["opening_hours"]
                  if day.weekday() in hours["weekdays"])


def office_open_at(day: date, clock: time) -> bool:
    """Tell whether the office is open on a day at a time of day (always, when its hours name no weekday)."""
    if not opening_weekdays():
        return True
    return any(opens <= clock < closes for opens, closes in opening_times(day))


def opening_times_text(day: date) -> str:
    """Say when the office is open on a day, in the current language: 07:30–12:00 and 13:30–17:00."""
    # Each span isolated, so that a right-to-left sentence keeps each "07:30–12:00" in reading order.
    return format_list([isolate(f"{opens:%H:%M}–{closes:%H:%M}") for opens, closes in opening_times(day)],
                       locale=get_locale())
