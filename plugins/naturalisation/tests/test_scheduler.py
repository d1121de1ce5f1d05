"""Property tests of the handover planner: capacity, pairs, families, stability, completeness, order."""

from collections import Counter, defaultdict
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from portal_plugins.naturalisation.scheduler import Calendar, Family, Slot, pair_up, plan, slot_times

pytestmark = pytest.mark.database_independent

START = date(2026, 8, 3)  # a Monday
OFFICES = ("Raum 1", "Raum 2")
WORKING_WEEK = frozenset(range(5))


@st.composite
def scenarios(draw, with_preferred_days=True):
    """Draw a calendar, rooms, times, already taken slots and waiting families."""
    horizon = draw(st.integers(min_value=0, max_value=20))
    calendar = Calendar(first_day=START, last_day=START + timedelta(days=horizon),
                        weekdays=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
                        closed_days=frozenset(START + timedelta(days=d)
                                              for d in draw(st.sets(st.integers(0, horizon), max_size=4))))
    offices = OFFICES[:draw(st.integers(1, 2))]
    times = slot_times(time(8), 20, draw(st.integers(1, 6)))
    # Taken slots may lie on closed days, off the time grid or in unknown rooms, as after a settings change.
    taken_times = st.sampled_from(times + (time(7, 45), time(13)))
    taken = draw(st.lists(st.builds(Slot, st.dates(START - timedelta(days=2), START + timedelta(days=horizon + 2)),
                                    taken_times, st.sampled_from(offices + ("Raum 9",))), max_size=30))
    family_count = draw(st.integers(0, 25))
    sizes = draw(st.lists(st.integers(1, 7), min_size=family_count, max_size=family_count))
    families, next_id = [], 1
    for index, size in enumerate(sizes):
        ready = START + timedelta(days=draw(st.integers(-5, horizon + 3)))
        preferred = START + timedelta(days=draw(st.integers(-2, horizon))) \
            if with_preferred_days and draw(st.booleans()) else None
        families.append(Family(key=f"f{index}", ready_on=ready, person_ids=tuple(range(next_id, next_id + size)),
                               preferred_day=preferred))
        next_id += size
    return families, taken, calendar, offices, times


def _check_invariants(families, taken, calendar, offices, times, result):
    by_key = {family.key: family for family in families}
    # Every waiting person ends up exactly once: in one appointment or in an unplanned family.
    planned_ids = [pid for appointment in result.appointments for pid in appointment.person_ids]
    unplanned_ids = [pid for family in result.unplanned for pid in family.person_ids]
    assert sorted(planned_ids + unplanned_ids) == sorted(pid for f in families for pid in f.person_ids)
    # No day over capacity, no slot used twice, no taken slot touched, only open days and known rooms.
    slots = [appointment.slot for appointment in result.appointments]
    assert len(set(slots)) == len(slots)
    assert not set(slots) & set(taken)
    load = Counter((slot.day, slot.office) for slot in set(taken) | set(slots))
    for slot in slots:
        assert calendar.is_open(slot.day) and slot.office in offices and slot.starts_at in times
        assert load[(slot.day, slot.office)] <= len(times)
    days = defaultdict(set)
    for appointment in result.appointments:
        # At most two persons, all of one family, never before the family is ready.
        assert 1 <= len(appointment.person_ids) <= 2
        family = by_key[appointment.family_key]
        assert set(appointment.person_ids) <= set(family.person_ids)
        assert appointment.slot.day >= family.ready_on
        days[appointment.family_key].add(appointment.slot.day)
    # A family is planned whole, on one day, in as few appointments as pairs allow.
    for key, family_days in days.items():
        assert len(family_days) == 1
        assert sum(a.family_key == key for a in result.appointments) == by_key[key].appointments_needed


@settings(max_examples=120, deadline=None)
@given(scenarios())
def test_plans_respect_capacity_pairs_and_families(scenario):
    families, taken, calendar, offices, times = scenario
    _check_invariants(families, taken, calendar, offices, times, plan(families, taken, calendar, offices, times))


@settings(max_examples=120, deadline=None)
@given(scenarios())
def test_every_ready_person_is_planned_when_capacity_allows(scenario):
    families, taken, calendar, offices, times = scenario
    result = plan(families, taken, calendar, offices, times)
    used = set(taken) | {appointment.slot for appointment in result.appointments}
    capacity_left: dict[date, int] = {}
    for day in calendar.open_days():
        left = 0
        for office in offices:
            busy = sum(1 for slot in used if slot.day == day and slot.office == office)
            free_grid = sum(1 for t in times if Slot(day, t, office) not in used)
            left += min(free_grid, max(0, len(times) - busy))
        capacity_left[day] = left
    # A family stays unplanned only when no open day from its ready date still has room for all its members.
    for family in result.unplanned:
        assert all(left < family.appointments_needed for day, left in capacity_left.items() if day >= family.ready_on)


@settings(max_examples=80, deadline=None)
@given(scenarios(), st.integers(0, 10))
def test_a_rerun_moves_no_planned_appointment(scenario, newcomers):
    families, taken, calendar, offices, times = scenario
    first = plan(families, taken, calendar, offices, times)
    taken_after_first = list(taken) + [appointment.slot for appointment in first.appointments]
    next_id = max((pid for f in families for pid in f.person_ids), default=0) + 1
    later = [Family(key=f"new{i}", ready_on=START, person_ids=(next_id + 2 * i, next_id + 2 * i + 1))
             for i in range(newcomers)]
    second = plan(first.unplanned + later, taken_after_first, calendar, offices, times)
    # The second run only adds: nothing from the first run is given again, moved or double-booked.
    assert not {a.slot for a in second.appointments} & set(taken_after_first)
    assert not {pid for a in second.appointments for pid in a.person_ids} & \
        {pid for a in first.appointments for pid in a.person_ids}
    _check_invariants(first.unplanned + later, taken_after_first, calendar, offices, times, second)


@settings(max_examples=80, deadline=None)
@given(scenarios(with_preferred_days=False))
def test_earlier_ready_families_come_no_later_than_later_ready_ones(scenario):
    families, taken, calendar, offices, times = scenario
    result = plan(families, taken, calendar, offices, times)
    day_of = {a.family_key: a.slot.day for a in result.appointments}
    unplanned = {family.key for family in result.unplanned}
    for early in families:
        for late in families:
            if early.ready_on < late.ready_on and early.appointments_needed == late.appointments_needed:
                if late.key in day_of:
                    assert early.key in day_of and day_of[early.key] <= day_of[late.key]
                if early.key in unplanned:
                    assert late.key in unplanned


def test_a_family_of_five_shares_three_appointments_side_by_side():
    calendar = Calendar(first_day=START, last_day=START + timedelta(days=4), weekdays=WORKING_WEEK)
    times = slot_times(time(8), 20, 10)
    result = plan([Family("f", START, (1, 2, 3, 4, 5))], [], calendar, ("Raum 1",), times)
    assert [a.person_ids for a in result.appointments] == [(1, 2), (3, 4), (5,)]
    assert [a.slot.starts_at for a in result.appointments] == [time(8), time(8, 20), time(8, 40)]
    assert {a.slot.day for a in result.appointments} == {START}


def test_relatives_join_the_day_their_family_already_comes():
    calendar = Calendar(first_day=START, last_day=START + timedelta(days=4), weekdays=WORKING_WEEK)
    wednesday = START + timedelta(days=2)
    result = plan([Family("f", START, (7,), preferred_day=wednesday)], [], calendar, ("Raum 1",), (time(8),))
    assert [a.slot.day for a in result.appointments] == [wednesday]


def test_pairs_are_formed_in_order():
    assert pair_up([1, 2, 3]) == [(1, 2), (3,)]
    assert pair_up([]) == []
