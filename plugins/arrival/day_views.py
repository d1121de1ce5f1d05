"""The day at the door, for caseworkers: arrivals per hour against the passes issued, early arrivals and no-shows.

Everything comes from the table of issued passes, which holds no personal
data: the page shows counts and times only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import render_template, request
from sqlalchemy import select

from portal import toolkit

from .models import ArrivalPass

day_staff = toolkit.staff_blueprint("arrival", __name__, role="caseworker", section="day")


@dataclass
class DayAtTheDoor:
    """A day's passes counted: per hour the windows that open and the check-ins, and the totals."""

    expected: dict[int, int] = field(default_factory=dict)
    arrived: dict[int, int] = field(default_factory=dict)
    issued: int = 0
    checked_in: int = 0
    early: int = 0
    no_shows: int = 0
    open_windows: int = 0

    @property
    def hours(self) -> list[int]:
        """Return the hours from the first to the last with a window opening or a check-in."""
        busy = set(self.expected) | set(self.arrived)
        return list(range(min(busy), max(busy) + 1)) if busy else []


def count_day(day: date, now: datetime) -> DayAtTheDoor:
    """Count a day's current passes at `now` (office time): a revoked pass is a cancelled appointment and left out."""
    counts = DayAtTheDoor()
    zone = toolkit.office_zone()
    for row in toolkit.session().scalars(select(ArrivalPass).where(ArrivalPass.day == day,
                                                                   ArrivalPass.revoked_at.is_(None))):
        counts.issued += 1
        counts.expected[row.window_start.hour] = counts.expected.get(row.window_start.hour, 0) + 1
        if row.checked_in_at is not None:
            arrived = row.checked_in_at.astimezone(zone)
            counts.checked_in += 1
            counts.arrived[arrived.hour] = counts.arrived.get(arrived.hour, 0) + 1
            if (arrived.date(), arrived.time().replace(tzinfo=None)) < (day, row.window_start):
                counts.early += 1
        elif datetime.combine(day, row.window_end, zone) <= now:
            counts.no_shows += 1
        else:
            counts.open_windows += 1
    return counts


@day_staff.get("/")
def index():
    """Show a day at the door: per hour, windows opening and check-ins; early arrivals and no-shows."""
    form = toolkit.DayChoiceForm(request.args)
    day = form.chosen_day()
    counts = count_day(day, toolkit.office_now())
    status = 422 if form.errors else 200
    return render_template("arrival/staff/day.html", form=form, day=day, counts=counts), status
