"""The event the arrival plugin publishes when a pass is checked in, for the waiting room and others."""

from __future__ import annotations

from portal import toolkit

from .models import ArrivalPass

CHECKED_IN = "arrival.checked_in"
CHECKED_IN_KEYS = ("public_id", "day", "window_start", "window_end", "persons", "service_group",
                   "interpreter_language", "checked_in_at")


def publish_checked_in(record: ArrivalPass) -> None:
    """Tell the other plugins that a pass was checked in; their failures undo the check-in."""
    toolkit.publish(CHECKED_IN, public_id=record.public_id, day=record.day, window_start=record.window_start,
                    window_end=record.window_end, persons=record.persons, service_group=record.service_group,
                    interpreter_language=record.interpreter_language, checked_in_at=record.checked_in_at)
