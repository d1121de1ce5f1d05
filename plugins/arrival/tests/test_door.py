"""The door: each pass gets its verdict from the table of issued passes, and only a valid one checks in, once."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from portal_plugins.arrival import portal_purge_expired
from portal_plugins.arrival.door import check_in, issue, revoke
from portal_plugins.arrival.models import ArrivalPass
from portal_plugins.arrival.passes import (
    ALREADY_CHECKED_IN,
    ANOTHER_DAY,
    CHANGED,
    NOT_GENUINE,
    TOO_EARLY,
    VALID_NOW,
    PassFacts,
    public_id_text,
    short_code,
    sign,
)
from sqlalchemy import select

OFFICE = timezone(timedelta(hours=1))
KEY = Ed25519PrivateKey.generate()
KEYS = {1: KEY.public_key()}
FACTS = PassFacts(key_id=1, public_id=bytes(range(16)), day=date(2026, 12, 2), window_start=time(9, 30),
                  window_end=time(10), persons=2)
IN_WINDOW = datetime(2026, 12, 2, 9, 40, tzinfo=OFFICE)


def _rows(db):
    return [(row.checked_in_at, row.checked_in_device, row.checked_in_by, row.revoked_at)
            for row in db.scalars(select(ArrivalPass))]


def test_a_valid_pass_checks_in_once_with_time_device_and_account(db):
    code = issue(FACTS, KEY)
    verdict = check_in(code, KEYS, IN_WINDOW, device="Eingang A", staff_id=7)
    assert (verdict.kind, verdict.facts.persons) == (VALID_NOW, 2)
    db.commit()
    assert _rows(db) == [(IN_WINDOW, "Eingang A", 7, None)]
    later = IN_WINDOW + timedelta(minutes=3)
    again = check_in(code, KEYS, later, device="Eingang B", staff_id=8)
    assert (again.kind, again.checked_in_at) == (ALREADY_CHECKED_IN, IN_WINDOW)
    assert again.checked_in_at.utcoffset() == OFFICE.utcoffset(None)
    db.commit()
    assert _rows(db) == [(IN_WINDOW, "Eingang A", 7, None)]


def test_a_pass_cancelled_while_the_door_judges_it_is_not_checked_in(app, db, monkeypatch):
    from portal_plugins.arrival import door

    code = issue(FACTS, KEY)
    db.commit()
    first_look = door._find

    def cancelled_meanwhile(*args):
        found = first_look(*args)
        monkeypatch.setattr(door, "_find", first_look)
        # An import cancels the appointment and commits between the door's first look and its check-in.
        with app.extensions["portal.db"].engine.begin() as other:
            other.execute(ArrivalPass.__table__.update().values(revoked_at=datetime(2026, 12, 2, 8, 40, tzinfo=UTC)))
        return found

    monkeypatch.setattr(door, "_find", cancelled_meanwhile)
    verdict = check_in(code, KEYS, IN_WINDOW, device="Eingang A", staff_id=7)
    db.commit()
    assert verdict.kind == CHANGED
    assert [row[0] for row in _rows(db)] == [None]


def test_a_pass_moved_to_another_day_is_checked_in_anew_but_a_later_window_keeps_the_check_in(db):
    check_in(issue(FACTS, KEY), KEYS, IN_WINDOW, device="Eingang A", staff_id=7)
    later_window = replace(FACTS, window_start=time(11), window_end=time(11, 30))
    issue(later_window, KEY)
    db.commit()
    assert _rows(db) == [(IN_WINDOW, "Eingang A", 7, None)]
    next_day = replace(FACTS, day=FACTS.day + timedelta(days=1))
    code = issue(next_day, KEY)
    db.commit()
    assert _rows(db) == [(None, "", None, None)]
    assert check_in(code, KEYS, IN_WINDOW + timedelta(days=1), device="Eingang B", staff_id=8).kind == VALID_NOW


def _forged(code):
    return sign(FACTS, Ed25519PrivateKey.generate())


@pytest.mark.parametrize(("craft", "now", "kind"), [
    pytest.param(lambda code: code[:-10], IN_WINDOW, NOT_GENUINE, id="truncated"),
    pytest.param(lambda code: code[:20] + ("A" if code[20] != "A" else "B") + code[21:], IN_WINDOW, NOT_GENUINE,
                 id="altered"),
    pytest.param(_forged, IN_WINDOW, NOT_GENUINE, id="another key"),
    pytest.param(lambda code: code, IN_WINDOW.replace(hour=7), TOO_EARLY, id="too early"),
    pytest.param(lambda code: code, IN_WINDOW + timedelta(days=1), ANOTHER_DAY, id="another day"),
    pytest.param(lambda code: sign(PassFacts(**{**FACTS.__dict__, "public_id": bytes(16)}), KEY), IN_WINDOW,
                 CHANGED, id="genuine but never issued"),
])
def test_every_other_pass_gets_its_verdict_and_changes_nothing(db, craft, now, kind):
    code = issue(FACTS, KEY)
    db.commit()
    assert check_in(craft(code), KEYS, now, device="Eingang A", staff_id=7).kind == kind
    db.commit()
    assert _rows(db) == [(None, "", None, None)]


@pytest.mark.parametrize("typed", [False, True], ids=["letter's QR code", "short code"])
def test_the_letter_of_a_moved_appointment_is_judged_by_its_new_facts_either_way(db, typed):
    old = issue(FACTS, KEY)
    issue(replace(FACTS, window_start=time(10), window_end=time(10, 30), persons=3), KEY)
    shown = short_code(FACTS.public_id) if typed else old
    too_early = check_in(shown, KEYS, IN_WINDOW, device="A", staff_id=1)
    assert (too_early.kind, too_early.come_back_at) == (TOO_EARLY, time(10))
    valid = check_in(shown, KEYS, IN_WINDOW.replace(hour=10, minute=5), device="A", staff_id=1)
    assert (valid.kind, valid.facts.persons) == (VALID_NOW, 3)
    assert check_in(shown, KEYS, IN_WINDOW + timedelta(days=1), device="A", staff_id=1).kind == ALREADY_CHECKED_IN


@pytest.mark.parametrize("typed", [False, True], ids=["letter's QR code", "short code"])
def test_the_letter_of_an_appointment_moved_to_another_day_says_another_day_either_way(db, typed):
    old = issue(FACTS, KEY)
    issue(replace(FACTS, day=FACTS.day + timedelta(days=1)), KEY)
    shown = short_code(FACTS.public_id) if typed else old
    assert check_in(shown, KEYS, IN_WINDOW, device="A", staff_id=1).kind == ANOTHER_DAY


def test_a_cancelled_appointment_voids_its_pass_until_a_new_one_is_issued(db):
    code = issue(FACTS, KEY)
    revoke(FACTS.public_id, IN_WINDOW)
    assert check_in(code, KEYS, IN_WINDOW, device="A", staff_id=1).kind == CHANGED
    db.commit()
    assert _rows(db) == [(None, "", None, IN_WINDOW)]
    again = issue(FACTS, KEY)
    assert check_in(again, KEYS, IN_WINDOW, device="A", staff_id=1).kind == VALID_NOW


def test_a_checked_in_pass_stays_checked_in_when_replayed_another_day(db):
    code = issue(FACTS, KEY)
    check_in(code, KEYS, IN_WINDOW, device="A", staff_id=1)
    replay = check_in(code, KEYS, IN_WINDOW + timedelta(days=1), device="B", staff_id=2)
    assert (replay.kind, replay.checked_in_at) == (ALREADY_CHECKED_IN, IN_WINDOW)


@pytest.mark.portal_config({"plugin_settings": {"arrival": {"retention_days": 10}}})
def test_purge_deletes_passes_and_check_ins_after_the_retention_days(app, db):
    issue(FACTS, KEY)
    check_in(issue(PassFacts(**{**FACTS.__dict__, "public_id": bytes(16), "day": date(2026, 11, 21)}), KEY),
             KEYS, datetime(2026, 11, 21, 9, 40, tzinfo=OFFICE), device="A", staff_id=1)
    db.commit()
    assert portal_purge_expired(db, datetime(2026, 12, 2, 12, tzinfo=UTC)) == 1
    assert [row.day for row in db.scalars(select(ArrivalPass))] == [FACTS.day]


def test_a_typed_short_code_checks_in_the_issued_pass_once(db):
    issue(FACTS, KEY)
    typed = short_code(FACTS.public_id).lower().replace("-", " ")
    assert check_in(typed, KEYS, IN_WINDOW.replace(hour=8), device="A", staff_id=1).kind == TOO_EARLY
    assert check_in(typed, KEYS, IN_WINDOW, device="A", staff_id=1).kind == VALID_NOW
    assert check_in(typed, KEYS, IN_WINDOW, device="A", staff_id=1).kind == ALREADY_CHECKED_IN


@pytest.mark.parametrize("typed", ["AAAQ-EAYE-AUDB", "AAAQ-EAYE-AUD", "AAAQ-EAYE-AUDAA", "%%%%-%%%%-%%%%"])
def test_a_short_code_of_no_issued_pass_is_not_genuine(db, typed):
    issue(FACTS, KEY)
    assert check_in(typed, KEYS, IN_WINDOW, device="A", staff_id=1).kind == NOT_GENUINE
    db.commit()
    assert _rows(db) == [(None, "", None, None)]


def test_the_short_code_of_a_cancelled_appointment_is_changed_or_cancelled(db):
    issue(FACTS, KEY)
    revoke(FACTS.public_id, IN_WINDOW)
    assert check_in(short_code(FACTS.public_id), KEYS, IN_WINDOW, device="A", staff_id=1).kind == CHANGED



def test_the_first_check_in_alone_is_published_as_arrival_checked_in(app, db, monkeypatch):
    received = []
    monkeypatch.setitem(app.extensions["portal.events"].handlers, "arrival.checked_in", [("listener", received.append)])
    code = issue(FACTS, KEY, "residence")
    check_in(code, KEYS, IN_WINDOW, device="Eingang A", staff_id=7)
    check_in(code, KEYS, IN_WINDOW + timedelta(minutes=1), device="Eingang B", staff_id=8)
    check_in(sign(replace(FACTS, day=FACTS.day + timedelta(days=1)), KEY), KEYS, IN_WINDOW, device="A", staff_id=7)
    assert received == [{"public_id": public_id_text(FACTS.public_id), "day": FACTS.day,
                         "window_start": FACTS.window_start, "window_end": FACTS.window_end, "persons": 2,
                         "service_group": "residence", "interpreter_language": "", "checked_in_at": IN_WINDOW}]


def test_revoking_the_pass_of_a_client_inside_is_published_once_as_arrival_revoked(app, db, monkeypatch):
    received = []
    monkeypatch.setitem(app.extensions["portal.events"].handlers, "arrival.revoked", [("listener", received.append)])
    other = replace(FACTS, public_id=bytes(16))
    issue(other, KEY)
    revoke(other.public_id, IN_WINDOW)  # nobody came in on it: nobody waits
    check_in(issue(FACTS, KEY), KEYS, IN_WINDOW, device="Eingang A", staff_id=7)
    revoke(FACTS.public_id, IN_WINDOW + timedelta(minutes=5))
    revoke(FACTS.public_id, IN_WINDOW + timedelta(minutes=6))  # an import saying so again: told already
    assert received == [{"public_id": public_id_text(FACTS.public_id), "day": FACTS.day}]
    assert check_in(short_code(FACTS.public_id), KEYS, IN_WINDOW, device="A", staff_id=1).kind == CHANGED


def test_a_checked_in_appointment_moved_the_same_day_is_published_again_with_its_new_facts(app, db, monkeypatch):
    received = []
    monkeypatch.setitem(app.extensions["portal.events"].handlers, "arrival.checked_in", [("listener", received.append)])
    check_in(issue(FACTS, KEY), KEYS, IN_WINDOW, device="Eingang A", staff_id=7)
    issue(replace(FACTS, window_start=time(11), window_end=time(11, 30)), KEY)
    issue(replace(FACTS, window_start=time(11), window_end=time(11, 30)), KEY)  # the same facts again: nothing new
    assert [(event["window_start"], event["checked_in_at"]) for event in received] == [
        (time(9, 30), IN_WINDOW), (time(11), IN_WINDOW)]
    issue(replace(FACTS, day=FACTS.day + timedelta(days=1)), KEY)  # another day: checked in anew there, later
    assert len(received) == 2
