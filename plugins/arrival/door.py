"""Passes issued for appointments and checked in at the door, in the arrival plugin's table.

The table holds each appointment's current facts under its public id. A pass
whose facts differ from them was made before the appointment changed, and a
pass of a revoked (cancelled) appointment is void: both are "changed or
cancelled" at the door, while the public id stays, so the letter's address
keeps working.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from portal import toolkit

from .events import publish_checked_in
from .models import ArrivalPass
from .passes import (
    ALREADY_CHECKED_IN,
    CHANGED,
    NOT_GENUINE,
    SHORT_CODE_LENGTH,
    VALID_NOW,
    PassFacts,
    Verdict,
    judge,
    judge_facts,
    normalized,
    public_id_bytes,
    public_id_text,
    sign,
)


def issue(facts: PassFacts, private_key) -> str:
    """Sign a pass for the facts and make them the appointment's current ones; return the pass.

    An earlier pass of the same appointment with other facts is void from now on; its check-in stays
    for a change on the same day (a client who came in keeps standing) and is cleared for another day.
    """
    public_id = public_id_text(facts.public_id)
    session = toolkit.session()
    row = session.scalar(select(ArrivalPass).where(ArrivalPass.public_id == public_id))
    if row is None:
        row = ArrivalPass(public_id=public_id)
        session.add(row)
    elif row.day != facts.day:
        # Coming in counts for the day it happened: an appointment moved to another day is to be attended anew.
        row.checked_in_at, row.checked_in_device, row.checked_in_by = None, "", None
    row.key_id, row.day, row.window_start, row.window_end = facts.key_id, facts.day, facts.window_start, \
        facts.window_end
    row.persons, row.service_group, row.interpreter_language = facts.persons, facts.service_group, \
        facts.interpreter_language
    row.revoked_at = None
    session.flush()
    return sign(facts, private_key)


def revoke(public_id: bytes, now: datetime) -> None:
    """Void every pass of a cancelled appointment."""
    toolkit.session().execute(update(ArrivalPass).where(ArrivalPass.public_id == public_id_text(public_id))
                              .values(revoked_at=now))


def _current(row: ArrivalPass, facts: PassFacts) -> bool:
    return row.revoked_at is None and (row.key_id, row.day, row.window_start, row.window_end, row.persons,
                                       row.service_group, row.interpreter_language) == (
        facts.key_id, facts.day, facts.window_start, facts.window_end, facts.persons, facts.service_group,
        facts.interpreter_language)


def _row_facts(row: ArrivalPass) -> PassFacts:
    return PassFacts(key_id=row.key_id, public_id=public_id_bytes(row.public_id), day=row.day,
                     window_start=row.window_start, window_end=row.window_end, persons=row.persons,
                     service_group=row.service_group, interpreter_language=row.interpreter_language)


def _find(code: str, public_keys: dict, now: datetime) -> tuple[Verdict, ArrivalPass | None]:
    """Return what the pass or short code alone says, and the issued pass it belongs to."""
    session = toolkit.session()
    typed = normalized(code)
    if len(typed) == SHORT_CODE_LENGTH:
        # A short code names an issued pass; the record is the truth, there is no signature to check.
        named = ArrivalPass.public_id.startswith(typed, autoescape=True)
        rows = session.scalars(select(ArrivalPass).where(named).limit(2)).all()
        if len(rows) != 1:
            return Verdict(NOT_GENUINE), None
        facts = _row_facts(rows[0])
        return judge_facts(facts, now), None if rows[0].revoked_at else rows[0]
    verdict = judge(code, public_keys, now)
    if verdict.kind == NOT_GENUINE:
        return verdict, None
    return verdict, current_record(verdict.facts)


def current_record(facts: PassFacts) -> ArrivalPass | None:
    """Return the issued pass a genuine pass's facts belong to, or None when it was changed or cancelled."""
    row = toolkit.session().scalar(select(ArrivalPass).where(ArrivalPass.public_id == public_id_text(facts.public_id)))
    return row if row is not None and _current(row, facts) else None


def check_in(code: str, public_keys: dict, now: datetime, device: str, staff_id: int | None) -> Verdict:
    """Judge a pass or its short code at the door at `now` (aware, office time) and check a valid one in, once.

    Only a pass valid now changes anything: its first check-in records the
    time, the door device's label and the staff account; the same pass again
    is "already checked in" with that time.
    """
    verdict, row = _find(code, public_keys, now)
    if verdict.kind == NOT_GENUINE:
        return verdict
    if row is None:
        return Verdict(CHANGED, verdict.facts)
    facts = verdict.facts
    if row.checked_in_at is not None:
        return Verdict(ALREADY_CHECKED_IN, facts, checked_in_at=row.checked_in_at.astimezone(now.tzinfo))
    if verdict.kind != VALID_NOW:
        return verdict
    # Only the first of two simultaneous scans of one pass finds it not yet checked in.
    session = toolkit.session()
    first = session.execute(update(ArrivalPass).where(ArrivalPass.id == row.id, ArrivalPass.checked_in_at.is_(None))
                            .values(checked_in_at=now, checked_in_device=device[:80], checked_in_by=staff_id)
                            .execution_options(synchronize_session=False)).rowcount
    session.refresh(row)
    if not first:
        return Verdict(ALREADY_CHECKED_IN, facts, checked_in_at=row.checked_in_at.astimezone(now.tzinfo))
    publish_checked_in(row)
    return verdict
