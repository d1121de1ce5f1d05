"""When and where language help is on offer; what is over is no longer shown."""

from __future__ import annotations

from datetime import date, datetime
from itertools import groupby

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal import toolkit

from .models import HelpTime


def upcoming_help_times(session: Session, now: datetime, limit: int | None = None) -> list[HelpTime]:
    """Return the help times that have not ended yet at `now`, soonest first."""
    local = toolkit.office_now(now)
    today, clock = local.date(), local.time().replace(tzinfo=None)
    statement = (select(HelpTime)
                 .where(or_(HelpTime.day > today, and_(HelpTime.day == today, HelpTime.ends_at > clock)))
                 .order_by(HelpTime.day, HelpTime.starts_at, HelpTime.id))
    if limit:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def by_day(help_times: list[HelpTime]) -> list[tuple[date, list[HelpTime]]]:
    """Group help times (sorted by day) into one list per day."""
    return [(day, list(entries)) for day, entries in groupby(help_times, key=lambda entry: entry.day)]

