"""Connect the planner to the database: settings, waiting families, taken slots, saving a plan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Annotated

from pydantic import Field, NonNegativeInt, PositiveInt, ValidationInfo, field_validator, model_validator
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal import toolkit

from . import scheduler
from .models import ACTIVE_STATES, DONE, PLANNED, WAITING, HandoverAppointment, HandoverCase, HandoverPerson

Weekday = Annotated[int, Field(ge=0, le=6)]
# Handover days when the office's opening hours name no weekday: a working week, not every day.
WORKING_DAYS = frozenset({0, 1, 2, 3, 4})


class NaturalisationSettings(toolkit.PluginSettings):
    offices: Annotated[list[Annotated[str, Field(pattern=r"\S")]], Field(min_length=1)] = ["1.02"]
    """Rooms where certificates are handed over, each named once as the building's signs name it (pages say
    "Room: 1.02"), each taking `daily_capacity` appointments a day; by default the naturalisation desk's room."""
    first_slot: time = time(8, 0)
    """The day's first appointment, like "08:00"."""
    slot_minutes: PositiveInt = 20
    """Minutes per appointment."""
    daily_capacity: PositiveInt = 10
    """Handover appointments per room and day; the office hands over eight to ten a day."""
    weekdays: Annotated[list[Weekday], Field(min_length=1)] | None = None
    """Days with handovers, 0 (Monday) to 6 (Sunday), each one the office opens (office.opening_hours); unset: every
    day it opens, Monday to Friday when its opening hours name no day."""
    holidays: list[date] = []
    """Closed days (public holidays, staff days off), like "2026-12-24"."""
    notice_days: NonNegativeInt = 7
    """Days between planning and the first appointment, so the letter arrives in time."""
    horizon_days: PositiveInt = 42
    """How many days ahead the planner looks; not fewer than notice_days."""
    retention_days: PositiveInt = 90
    """Days after the handover before the case and the hashes of its dates of birth are deleted."""
    unfinished_retention_days: PositiveInt = 365
    """Days a case whose certificates were not all handed over is kept after the latest of its recording, its ready
    date and its last appointment."""
    location: str = ""
    """Where handovers take place, as passed to other plugins; empty: the office's first location."""
    failed_lookups_per_case: toolkit.ReferenceLimitSetting = "10 per hour"
    """Failed lookups allowed per case from any address, counted in the database for all workers."""
    result_link_minutes: PositiveInt = 60
    """How long the address of a lookup's answer shows it again (Back, reloading, another language)."""

    @field_validator("offices")
    @classmethod
    def _distinct_rooms(cls, offices: list[str]) -> list[str]:
        if len(set(offices)) != len(offices):
            raise ValueError("must name each room once")
        return offices

    @field_validator("daily_capacity")
    @classmethod
    def _within_the_day(cls, capacity: int, info: ValidationInfo) -> int:
        if {"first_slot", "slot_minutes"} <= set(info.data):
            start = info.data["first_slot"].hour * 60 + info.data["first_slot"].minute
            if start + info.data["slot_minutes"] * capacity > 24 * 60:
                raise ValueError("the day's slots would run past midnight")
        return capacity

    @field_validator("weekdays")
    @classmethod
    def _office_open(cls, weekdays: list[int] | None, info: ValidationInfo) -> list[int] | None:
        # Clients come to the office for their certificates: a day it is closed would send them to a locked door.
        office = (info.context or {}).get("portal", {}).get("office", {})
        open_weekdays = {weekday for hours in office.get("opening_hours", []) for weekday in hours["weekdays"]}
        closed = sorted(set(weekdays or ()) - open_weekdays) if open_weekdays else []
        if closed:
            raise ValueError("names weekdays the office is closed on (office.opening_hours): "
                             + ", ".join(map(str, closed)))
        return weekdays

    @model_validator(mode="after")
    def _slots_within_the_hours(self, info: ValidationInfo) -> NaturalisationSettings:
        # A slot outside the opening hours would invite a family to a locked door; a lunch break counts.
        office = (info.context or {}).get("portal", {}).get("office", {})
        hours = office.get("opening_hours", [])
        days = {day for entry in hours for day in entry["weekdays"]} if self.weekdays is None else set(self.weekdays)
        first = self.first_slot.hour * 60 + self.first_slot.minute
        for weekday in sorted(days):
            spans = [(_minutes(entry["opens"]), _minutes(entry["closes"])) for entry in hours
                     if weekday in entry["weekdays"]]
            outside = [start for start in range(first, first + self.slot_minutes * self.daily_capacity,
                                                 self.slot_minutes)
                       if not any(opens <= start and start + self.slot_minutes <= closes for opens, closes in spans)]
            if spans and outside:
                raise ValueError(f"the handover at {outside[0] // 60:02d}:{outside[0] % 60:02d} on weekday {weekday} "
                                 "lies outside the office's opening hours (office.opening_hours): change first_slot, "
                                 "slot_minutes, daily_capacity or weekdays")
        return self

    @field_validator("horizon_days")
    @classmethod
    def _not_shorter_than_notice(cls, horizon: int, info: ValidationInfo) -> int:
        if horizon < info.data.get("notice_days", 0):
            raise ValueError("must not be shorter than notice_days")
        return horizon


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class PlanningConflict(Exception):
    """Someone else changed the plan at the same time."""


@dataclass(frozen=True)
class HandoverSettings:
    """The plugin's checked settings."""

    daily_capacity: int
    offices: tuple[str, ...]
    first_slot: time
    slot_minutes: int
    weekdays: frozenset[int]
    holidays: frozenset[date]
    notice_days: int
    horizon_days: int
    retention_days: int
    unfinished_retention_days: int
    location: str

    @property
    def times(self) -> tuple[time, ...]:
        return scheduler.slot_times(self.first_slot, self.slot_minutes, self.daily_capacity)

    def calendar(self, today: date) -> scheduler.Calendar:
        return scheduler.Calendar(first_day=today + timedelta(days=self.notice_days),
                                  last_day=today + timedelta(days=self.horizon_days),
                                  weekdays=self.weekdays, closed_days=self.holidays)

    def is_open(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays


def parse_settings(values: dict) -> HandoverSettings:
    """Return the plugin's checked settings (toolkit.plugin_settings) as planning values."""
    named = values["weekdays"]
    weekdays = frozenset((toolkit.opening_weekdays() or WORKING_DAYS) if named is None else named)
    return HandoverSettings(
        daily_capacity=values["daily_capacity"], offices=tuple(values["offices"]), first_slot=values["first_slot"],
        slot_minutes=values["slot_minutes"], weekdays=weekdays,
        holidays=frozenset(values["holidays"]), notice_days=values["notice_days"],
        horizon_days=values["horizon_days"], retention_days=values["retention_days"],
        unfinished_retention_days=values["unfinished_retention_days"], location=values["location"])


def current_settings() -> HandoverSettings:
    """Return the settings of the running portal."""
    return parse_settings(toolkit.plugin_settings("naturalisation"))


def handover_location(settings: HandoverSettings) -> str:
    """Return where handovers take place, for the letter and for other plugins' slots."""
    if settings.location:
        return settings.location
    office = toolkit.portal_settings()["office"]
    if office["locations"]:
        return office["locations"][0]
    town = f"{office['postal_code']} {office['city']}".strip()
    return ", ".join(part for part in (office["building"], office["street"], town) if part)


def waiting_families(session: Session, first_day: date) -> list[scheduler.Family]:
    """Group the persons waiting for an appointment into families, with the day relatives already come."""
    waiting = session.scalars(
        select(HandoverPerson).join(HandoverPerson.case).where(HandoverPerson.state == WAITING)
        .options(selectinload(HandoverPerson.case)).order_by(HandoverPerson.case_id, HandoverPerson.position)).all()
    members: dict[str, list[HandoverPerson]] = defaultdict(list)
    for person in waiting:
        members[person.case.family_key].append(person)
    relatives_day: dict[str, date] = {}
    planned = session.execute(
        select(HandoverCase, HandoverAppointment.day).join(HandoverCase.persons).join(HandoverPerson.appointments)
        .where(HandoverPerson.state == PLANNED, HandoverAppointment.state == "planned",
               HandoverAppointment.day >= first_day)).all()
    for case, day in planned:
        key = case.family_key
        relatives_day[key] = min(day, relatives_day.get(key, day))
    return [scheduler.Family(key=key, ready_on=max(p.case.ready_on for p in persons),
                             person_ids=tuple(p.id for p in persons), preferred_day=relatives_day.get(key))
            for key, persons in members.items()]


def taken_slots(session: Session, first_day: date, last_day: date) -> list[scheduler.Slot]:
    """Return the slots held by planned or done appointments in a date range."""
    rows = session.execute(
        select(HandoverAppointment.day, HandoverAppointment.starts_at, HandoverAppointment.office)
        .where(HandoverAppointment.state.in_(ACTIVE_STATES), HandoverAppointment.day.between(first_day, last_day)))
    return [scheduler.Slot(day, starts_at, office) for day, starts_at, office in rows]


def run_planning(session: Session, on: date, settings: HandoverSettings) -> tuple[list[HandoverAppointment], int]:
    """Plan appointments for everyone waiting; return the new appointments and how many persons still wait.

    Raises PlanningConflict when another planner booked the same persons or slots meanwhile; nothing is
    saved then.
    """
    calendar = settings.calendar(on)
    families = waiting_families(session, calendar.first_day)
    result = scheduler.plan(families, taken_slots(session, calendar.first_day, calendar.last_day), calendar,
                            settings.offices, settings.times)
    created = []
    try:
        for proposal in result.appointments:
            ids = list(proposal.person_ids)
            claimed = session.execute(
                update(HandoverPerson).where(HandoverPerson.id.in_(ids), HandoverPerson.state == WAITING)
                .values(state=PLANNED).execution_options(synchronize_session="fetch"))
            if claimed.rowcount != len(ids):
                raise PlanningConflict
            appointment = HandoverAppointment(day=proposal.slot.day, starts_at=proposal.slot.starts_at,
                                      office=proposal.slot.office, state="planned",
                                      persons=list(session.scalars(select(HandoverPerson).where(HandoverPerson.id.in_(ids)))))
            session.add(appointment)
            created.append(appointment)
        session.flush()
    except (PlanningConflict, IntegrityError):
        session.rollback()
        raise PlanningConflict from None
    still_waiting = sum(len(family.person_ids) for family in result.unplanned)
    return created, still_waiting


def record_outcome(appointment: HandoverAppointment, state: str) -> None:
    """Mark an appointment done, missed or cancelled; missed and cancelled persons wait again."""
    appointment.state = state
    for person in appointment.persons:
        person.state = DONE if state == "done" else WAITING


def slot_problem(session: Session, appointment: HandoverAppointment, day: date, starts_at: time, office: str,
                 settings: HandoverSettings, on: date) -> tuple[str, str] | None:
    """Return the move form's field at fault and a translated reason why an appointment cannot move there, or None."""
    _ = toolkit.gettext
    if day < on:
        return "day", _("Der Tag liegt in der Vergangenheit.")
    if not settings.is_open(day):
        return "day", _("An diesem Tag finden keine Übergaben statt.")
    if office not in settings.offices or starts_at not in settings.times:
        return "starts_at", _("Bitte einen Raum und eine Uhrzeit aus der Liste wählen.")
    others = session.execute(select(HandoverAppointment.starts_at).where(
        HandoverAppointment.day == day, HandoverAppointment.office == office,
        HandoverAppointment.state.in_(ACTIVE_STATES), HandoverAppointment.id != appointment.id)).scalars().all()
    if starts_at in others:
        return "starts_at", _("Zu dieser Zeit ist der Raum schon belegt.")
    if len(others) >= settings.daily_capacity:
        return "day", _("Der Raum ist an diesem Tag voll.")
    return None
