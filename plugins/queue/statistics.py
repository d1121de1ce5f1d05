"""Waiting times for the public (home page, open data) and statistics for staff, computed from the kept tickets.

Tickets are kept `retention_days` (settings); every figure here covers at most
those days. Open data is anonymised: whole hours per queue, only hours with at
least `OPEN_DATA_MIN_CLIENTS` clients, and only counts and mean minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from portal import toolkit

from . import service
from .models import Ticket

# Hours with fewer clients are left out of open data: a mean of one or two would tell of single clients.
OPEN_DATA_MIN_CLIENTS = 3
OPEN_DATA_HEADER = ("date", "hour", "queue", "clients", "mean_wait_minutes")


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def current_waits(now: datetime) -> list[tuple[service.Queue, int]]:
    """Return each queue open today (a ticket issued) with the minutes a client arriving now may expect, by 5."""
    today = toolkit.office_today(now)
    counts = dict(toolkit.session().execute(
        select(Ticket.queue, func.count()).where(Ticket.day == today, Ticket.state == "waiting")
        .group_by(Ticket.queue)).all())
    opened = set(toolkit.session().scalars(select(Ticket.queue).where(Ticket.day == today).distinct()))
    waits = []
    for queue in service.queues():
        if queue.slug not in opened:
            continue
        serving = sum(1 for desk in service.desks() if queue.slug in desk.queues) or 1
        estimate = (counts.get(queue.slug, 0) + 0.5) * service.service_minutes(queue.slug, today) / serving
        waits.append((queue, max(5, math.ceil(estimate / 5) * 5)))
    return waits


def _first_tickets(first_day: date, last_day: date):
    """Return the called tickets a client got at the door or the Service Point (not their transfers), by day."""
    return toolkit.session().scalars(select(Ticket).where(
        Ticket.day >= first_day, Ticket.day <= last_day, Ticket.origin != "transfer",
        Ticket.called_at.is_not(None)).order_by(Ticket.day, Ticket.created_at))


def open_data_rows(first_day: date, last_day: date) -> list[tuple]:
    """Return (date, hour, queue, clients, mean wait in minutes) per hour of arrival, for hours with enough clients."""
    zone = toolkit.office_zone()
    hours: dict[tuple[date, int, str], list[float]] = {}
    for ticket in _first_tickets(first_day, last_day):
        hour = ticket.created_at.astimezone(zone).hour
        hours.setdefault((ticket.day, hour, ticket.queue), []).append(_minutes(ticket.created_at, ticket.called_at))
    return [(day.isoformat(), hour, queue, len(waits), round(sum(waits) / len(waits)))
            for (day, hour, queue), waits in sorted(hours.items()) if len(waits) >= OPEN_DATA_MIN_CLIENTS]


@dataclass
class Figures:
    """Counts and times of one group of tickets (an hour, a queue or a desk) for the staff statistics."""

    clients: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    missed: int = 0

    @property
    def mean_wait(self) -> int | None:
        return round(sum(self.waits) / len(self.waits)) if self.waits else None

    @property
    def longest_wait(self) -> int | None:
        return round(max(self.waits)) if self.waits else None

    @property
    def mean_service(self) -> int | None:
        return round(sum(self.services) / len(self.services)) if self.services else None


@dataclass
class Statistics:
    """The staff statistics of a span of days: by hour of arrival, queue and desk; check-ins against their windows."""

    by_hour: dict[int, Figures]
    by_queue: dict[str, Figures]
    by_desk: dict[str, Figures]
    early: int
    in_window: int
    without_window: int


def staff_statistics(first_day: date, last_day: date) -> Statistics:
    """Return waiting and service times, missed clients and arrivals against their windows over the days."""
    zone = toolkit.office_zone()
    result = Statistics({}, {}, {}, 0, 0, 0)
    tickets = toolkit.session().scalars(select(Ticket).where(Ticket.day >= first_day, Ticket.day <= last_day)
                                        .order_by(Ticket.created_at))
    for ticket in tickets:
        groups = [result.by_queue.setdefault(ticket.queue, Figures()),
                  result.by_hour.setdefault(ticket.created_at.astimezone(zone).hour, Figures())]
        if ticket.desk:
            groups.append(result.by_desk.setdefault(ticket.desk, Figures()))
        for figures in groups:
            figures.clients += 1
            if ticket.called_at is not None:
                figures.waits.append(_minutes(ticket.created_at, ticket.called_at))
            if ticket.state == "done" and ticket.served_at and ticket.ended_at:
                figures.services.append(_minutes(ticket.served_at, ticket.ended_at))
            if ticket.state == "missed":
                figures.missed += 1
        if ticket.origin != "check_in":
            continue
        if ticket.window_start is None:
            result.without_window += 1
            continue
        # The door lets nobody in after their window: a check-in is early or in time.
        if ticket.created_at.astimezone(zone).time() < ticket.window_start:
            result.early += 1
        else:
            result.in_window += 1
    return result
