"""The events the arrival plugin publishes for the waiting room and others: a check-in, a checked-in pass revoked."""

from __future__ import annotations

from portal import toolkit

from .models import ArrivalPass

CHECKED_IN = "arrival.checked_in"
CHECKED_IN_KEYS = ("public_id", "day", "window_start", "window_end", "persons", "service_group",
                   "interpreter_language", "checked_in_at")
REVOKED = "arrival.revoked"
REVOKED_KEYS = ("public_id", "day")


def publish_checked_in(record: ArrivalPass) -> None:
    """Tell the other plugins that a pass was checked in; their failures undo the check-in."""
    toolkit.publish(CHECKED_IN, public_id=record.public_id, day=record.day, window_start=record.window_start,
                    window_end=record.window_end, persons=record.persons, service_group=record.service_group,
                    interpreter_language=record.interpreter_language, checked_in_at=record.checked_in_at)


def publish_revoked(record: ArrivalPass) -> None:
    """Tell the other plugins that the appointment of a client already checked in can no longer be attended."""
    toolkit.publish(REVOKED, public_id=record.public_id, day=record.day)
