"""Settings of the appointments plugin: retention, result links, lookup limits and the office's own services."""

from typing import Annotated

from limits import parse_many
from pydantic import AfterValidator, Field, NonNegativeInt, PositiveInt

from portal import toolkit


def _rate_limit(value: str) -> str:
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f'must be a rate limit like "10 per hour", got {value!r}') from None
    return value


RateLimit = Annotated[str, AfterValidator(_rate_limit)]


class AppointmentsSettings(toolkit.PluginSettings):
    duration_minutes: PositiveInt = 30
    """Length of an appointment in the calendar file clients download."""
    retention_days: PositiveInt = 30
    """Days after an appointment before it is deleted."""
    stale_after_days: PositiveInt = 180
    """Days after which an appointment the specialist system no longer sends is deleted."""
    result_link_minutes: PositiveInt = 60
    """Minutes a link to a looked-up appointment stays valid."""
    rate_limit_per_address: RateLimit = "30 per 10 minutes"
    """Lookups allowed from one address."""
    rate_limit_per_reference: toolkit.ReferenceLimitSetting = "10 per hour"
    """Failed lookups by date of birth allowed for one reference from any address, then it is locked."""
    persons_max: Annotated[int, Field(ge=1, le=2)] = 2
    """Persons who may come to one appointment together, the client included: 1 or 2 (the office's rule of two per
    room; the table allows no more)."""
    extra_services: dict[str, str] = {}
    """The municipality's own services: slug = "name in the source language"."""
    # Clients' self-service (docs/self-service.md).
    offer_hours: PositiveInt = 24
    """Hours a short-notice offer stays open before the slot can go to someone else."""
    offer_closes_hours_before: NonNegativeInt = 2
    """Hours before a freed slot at which its offers close: time to get there and for staff to move the date."""
    offer_candidates: PositiveInt = 3
    """Clients of the short-notice list a freed slot is offered to at once; the first to accept takes it."""
    request_retention_days: PositiveInt = 30
    """Days after their appointment (or after they were made, without a date) before clients' requests go."""
    short_notice_retention_days: PositiveInt = 90
    """Days an entry stays on the short-notice list unless its appointment goes first."""
    rate_limit_selfservice: RateLimit = "20 per hour"
    """Self-service actions (confirm, cancel, new date, reminders, short notice) allowed from one address."""
