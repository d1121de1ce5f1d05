"""Waiting times for the public (home page, open data) and statistics for staff.

Every figure comes from counts and minute sums per day, hour of arrival, queue
and desk (`Figures`): computed from the tickets while they are kept
(`retention_days`), and read from the table ``queue_daily``, which the purge
fills just before it deletes a day's tickets. Open data is anonymised: whole
hours per queue, only hours with at least `OPEN_DATA_MIN_CLIENTS` clients, and
only counts and mean minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import func, select

from portal import toolkit

from . import service
from .models import DailyFigures, Ticket

# Hours with fewer clients are left out of open data: a mean of one or two would tell of single clients.
OPEN_DATA_MIN_CLIENTS = 3
OPEN_DATA_HEADER = ("date", "hour", "queue", "clients", "mean_wait_minutes")


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def current_waits(now: datetime) -> list[tuple[service.Queue, int]]:
    """Return each queue open today that clients may join, with the minutes one arriving now may expect, by 5."""
    today = toolkit.office_today(now)
    counts = dict(toolkit.session().execute(
        select(Ticket.queue, func.count()).where(Ticket.day == today, Ticket.state == "waiting")
        .group_by(Ticket.queue)).all())
    opened = set(toolkit.session().scalars(select(Ticket.queue).where(Ticket.day == today).distinct()))
    waits = []
    for queue in service.queues():
        # A queue only a desk's transfer reaches (the Service Point while it takes no walk-ins) has no wait to
        # announce: shown, it would invite clients without an appointment to come.
        if queue.slug not in opened or not (queue.service_groups or service.takes_walk_ins(queue)):
            continue
        estimate = ((counts.get(queue.slug, 0) + 0.5) * service.service_minutes(queue.slug, today)
                    / service.serving_desks(queue.slug))
        waits.append((queue, max(5, math.ceil(estimate / 5) * 5)))
    return waits


@dataclass
class Figures:
    """Counts and minute sums of a group of tickets (a day's hour, queue and desk; or an hour, a queue or a desk
    over several days): the columns of ``queue_daily``."""

    clients: int = 0
    called: int = 0
    wait_minutes: float = 0.0
    longest_wait_minutes: float = 0.0
    served: int = 0
    service_minutes: float = 0.0
    missed: int = 0
    arrivals_called: int = 0
    arrivals_wait_minutes: float = 0.0
    early: int = 0
    in_window: int = 0
    without_window: int = 0

    def add(self, other: Figures) -> None:
        """Count another group's tickets in this one."""
        for column in fields(self):
            mine, theirs = getattr(self, column.name), getattr(other, column.name)
            setattr(self, column.name, max(mine, theirs) if column.name == "longest_wait_minutes" else mine + theirs)

    def count(self, ticket: Ticket) -> None:
        """Count one ticket."""
        self.clients += 1
        if ticket.called_at is not None:
            wait = _minutes(ticket.created_at, ticket.called_at)
            self.called += 1
            self.wait_minutes += wait
            self.longest_wait_minutes = max(self.longest_wait_minutes, wait)
            if ticket.origin != "transfer":
                self.arrivals_called += 1
                self.arrivals_wait_minutes += wait
        # A client a desk kept overnight was ended the next day: how long the service took is not known.
        if ticket.state == "done" and ticket.served_at and ticket.ended_at \
                and toolkit.office_today(ticket.ended_at) == ticket.day:
            self.served += 1
            self.service_minutes += _minutes(ticket.served_at, ticket.ended_at)
        if ticket.state == "missed":
            self.missed += 1
        if ticket.origin != "check_in":
            return
        if ticket.window_start is None:
            self.without_window += 1
        # The door lets nobody in after their window: a check-in is early or in time.
        elif ticket.created_at.astimezone(toolkit.office_zone()).time() < ticket.window_start:
            self.early += 1
        else:
            self.in_window += 1

    @property
    def mean_wait(self) -> int | None:
        return round(self.wait_minutes / self.called) if self.called else None

    @property
    def longest_wait(self) -> int | None:
        return round(self.longest_wait_minutes) if self.called else None

    @property
    def mean_service(self) -> int | None:
        return round(self.service_minutes / self.served) if self.served else None


# A day's figures per (day, hour of arrival, queue, desk or '').
DayKey = tuple[date, int, str, str]


def _ticket_figures(tickets) -> dict[DayKey, Figures]:
    zone = toolkit.office_zone()
    figures: dict[DayKey, Figures] = {}
    for ticket in tickets:
        key = (ticket.day, ticket.created_at.astimezone(zone).hour, ticket.queue, ticket.desk or "")
        figures.setdefault(key, Figures()).count(ticket)
    return figures


def day_figures(first_day: date, last_day: date) -> dict[DayKey, Figures]:
    """Return the figures of the days: kept ones from ``queue_daily``, the others from their tickets."""
    session = toolkit.session()
    kept = session.scalars(select(DailyFigures).where(DailyFigures.day >= first_day, DailyFigures.day <= last_day))
    figures = {(row.day, row.hour, row.queue, row.desk): Figures(**{column.name: getattr(row, column.name)
                                                                     for column in fields(Figures)})
               for row in kept}
    kept_days = {key[0] for key in figures}
    tickets = session.scalars(select(Ticket).where(Ticket.day >= first_day, Ticket.day <= last_day)
                              .order_by(Ticket.created_at))
    figures.update(_ticket_figures(ticket for ticket in tickets if ticket.day not in kept_days))
    return figures


def purge_keeping_figures(session, now: datetime) -> int:
    """Keep the figures of the days whose tickets are due for deletion in ``queue_daily``, then delete them."""
    first_kept = service.first_kept_day(now)
    due = session.scalars(select(Ticket).where(Ticket.day < first_kept))
    for (day, hour, queue, desk), figures in _ticket_figures(due).items():
        row = session.get(DailyFigures, (day, hour, queue, desk))
        if row is None:
            row = DailyFigures(day=day, hour=hour, queue=queue, desk=desk,
                               **{column.name: getattr(figures, column.name) for column in fields(Figures)})
            session.add(row)
            continue
        # A day's tickets go in one purge; a late one (a transfer of a kept day) adds to its figures.
        merged = Figures(**{column.name: getattr(row, column.name) for column in fields(Figures)})
        merged.add(figures)
        for column in fields(Figures):
            setattr(row, column.name, getattr(merged, column.name))
    session.flush()
    return service.purge(session, now)


def open_data_rows(first_day: date, last_day: date) -> list[tuple]:
    """Return (date, hour, queue, clients, mean wait in minutes) per hour of arrival, for hours with enough clients."""
    hours: dict[tuple[date, int, str], Figures] = {}
    for (day, hour, queue, _desk), figures in day_figures(first_day, last_day).items():
        hours.setdefault((day, hour, queue), Figures()).add(figures)
    return [(day.isoformat(), hour, queue, figures.arrivals_called,
             round(figures.arrivals_wait_minutes / figures.arrivals_called))
            for (day, hour, queue), figures in sorted(hours.items())
            if figures.arrivals_called >= OPEN_DATA_MIN_CLIENTS]


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
    by_hour: dict[int, Figures] = {}
    by_queue: dict[str, Figures] = {}
    by_desk: dict[str, Figures] = {}
    total = Figures()
    for (_day, hour, queue, desk), figures in day_figures(first_day, last_day).items():
        groups = [by_hour.setdefault(hour, Figures()), by_queue.setdefault(queue, Figures()), total]
        if desk:
            groups.append(by_desk.setdefault(desk, Figures()))
        for group in groups:
            group.add(figures)
    return Statistics(by_hour, by_queue, by_desk, total.early, total.in_window, total.without_window)
