"""Plan handover appointments: a pure function of waiting families, taken slots and the calendar.

Rules, each checked by property tests:
- no room gets more appointments on a day than its daily capacity;
- an appointment holds at most two persons, both of one family;
- all persons of a family that are planned in one run come on the same day;
- families are considered earliest-ready first, each on the first open day with room for all of them;
- slots already taken are never touched, so a re-run moves no planned appointment;
- a family stays unplanned only when no open day in the horizon has room for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

PERSONS_PER_APPOINTMENT = 2


@dataclass(frozen=True)
class Family:
    """Waiting persons of one family, ready from a date; they are invited together."""

    key: str
    ready_on: date
    person_ids: tuple[int, ...]
    # The day other members of the family already come on, tried first.
    preferred_day: date | None = None

    @property
    def appointments_needed(self) -> int:
        return -(-len(self.person_ids) // PERSONS_PER_APPOINTMENT)


@dataclass(frozen=True, order=True)
class Slot:
    """A room at a time on a day."""

    day: date
    starts_at: time
    office: str


@dataclass(frozen=True)
class Calendar:
    """The days handovers may be planned on: a date range, open weekdays, closed days."""

    first_day: date
    last_day: date
    weekdays: frozenset[int]
    closed_days: frozenset[date] = frozenset()

    def is_open(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day and day.weekday() in self.weekdays \
            and day not in self.closed_days

    def open_days(self) -> list[date]:
        days, day = [], self.first_day
        while day <= self.last_day:
            if self.is_open(day):
                days.append(day)
            day += timedelta(days=1)
        return days


@dataclass(frozen=True)
class NewAppointment:
    """An appointment the planner proposes."""

    slot: Slot
    person_ids: tuple[int, ...]
    family_key: str


@dataclass
class Plan:
    """What one run of the planner decided."""

    appointments: list[NewAppointment] = field(default_factory=list)
    unplanned: list[Family] = field(default_factory=list)


def slot_times(first: time, minutes: int, count: int) -> tuple[time, ...]:
    """Return `count` start times from `first`, `minutes` apart."""
    start = datetime.combine(date(2000, 1, 1), first)
    return tuple((start + timedelta(minutes=minutes * index)).time() for index in range(count))


def pair_up(person_ids: Sequence[int]) -> list[tuple[int, ...]]:
    """Split a family's persons into appointments of at most two, in the given order."""
    return [tuple(person_ids[i:i + PERSONS_PER_APPOINTMENT])
            for i in range(0, len(person_ids), PERSONS_PER_APPOINTMENT)]


class _FreeSlots:
    """Free slots per day, honouring each room's capacity even where taken slots lie off the time grid."""

    def __init__(self, calendar: Calendar, offices: Sequence[str], times: Sequence[time], taken: Iterable[Slot]):
        self.calendar = calendar
        taken_set = set(taken)
        used: dict[tuple[date, str], int] = defaultdict(int)
        for slot in taken_set:
            used[(slot.day, slot.office)] += 1
        self.by_day: dict[date, list[Slot]] = {}
        for day in calendar.open_days():
            free: list[Slot] = []
            for office in offices:
                room_left = max(0, len(times) - used[(day, office)])
                free.extend([s for s in (Slot(day, t, office) for t in times) if s not in taken_set][:room_left])
            # Earliest time first, rooms in their configured order: a family's appointments lie close together.
            order = {office: index for index, office in enumerate(offices)}
            free.sort(key=lambda s: (s.starts_at, order[s.office]))
            self.by_day[day] = free

    def first_day_with_room(self, family: Family) -> date | None:
        candidates = [day for day in self.by_day if day >= family.ready_on]
        if family.preferred_day in self.by_day and family.preferred_day >= family.ready_on:
            candidates.remove(family.preferred_day)
            candidates.insert(0, family.preferred_day)
        for day in candidates:
            if len(self.by_day[day]) >= family.appointments_needed:
                return day
        return None

    def take(self, day: date, count: int) -> list[Slot]:
        taken, self.by_day[day] = self.by_day[day][:count], self.by_day[day][count:]
        return taken


def plan(families: Iterable[Family], taken: Iterable[Slot], calendar: Calendar, offices: Sequence[str],
         times: Sequence[time]) -> Plan:
    """Plan appointments for waiting families without touching the taken slots.

    `times` are the start times of one room's day; their number is the room's daily capacity.
    """
    free = _FreeSlots(calendar, offices, times, taken)
    result = Plan()
    for family in sorted(families, key=lambda f: (f.ready_on, f.key)):
        if not family.person_ids:
            continue
        day = free.first_day_with_room(family)
        if day is None:
            result.unplanned.append(family)
            continue
        groups = pair_up(family.person_ids)
        for slot, person_ids in zip(free.take(day, len(groups)), groups, strict=True):
            result.appointments.append(NewAppointment(slot, person_ids, family.key))
    return result
