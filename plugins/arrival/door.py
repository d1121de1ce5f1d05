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

from .models import ArrivalPass
from .passes import ALREADY_CHECKED_IN, CHANGED, NOT_GENUINE, VALID_NOW, PassFacts, Verdict, judge, public_id_text, sign


def issue(facts: PassFacts, private_key) -> str:
    """Sign a pass for the facts and make them the appointment's current ones; return the pass.

    An earlier pass of the same appointment with other facts is void from now on.
    """
    public_id = public_id_text(facts.public_id)
    session = toolkit.session()
    row = session.scalar(select(ArrivalPass).where(ArrivalPass.public_id == public_id))
    if row is None:
        row = ArrivalPass(public_id=public_id)
        session.add(row)
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


def check_in(code: str, public_keys: dict, now: datetime, device: str, staff_id: int | None) -> Verdict:
    """Judge a pass at the door at `now` (aware, office time) and check a valid one in, once.

    Only a pass valid now changes anything: its first check-in records the
    time, the door device's label and the staff account; the same pass again
    is "already checked in" with that time.
    """
    verdict = judge(code, public_keys, now)
    if verdict.kind == NOT_GENUINE:
        return verdict
    facts = verdict.facts
    session = toolkit.session()
    row = session.scalar(select(ArrivalPass).where(ArrivalPass.public_id == public_id_text(facts.public_id)))
    if row is None or not _current(row, facts):
        return Verdict(CHANGED, facts)
    if row.checked_in_at is not None:
        return Verdict(ALREADY_CHECKED_IN, facts, checked_in_at=row.checked_in_at.astimezone(now.tzinfo))
    if verdict.kind != VALID_NOW:
        return verdict
    # Only the first of two simultaneous scans of one pass finds it not yet checked in.
    first = session.execute(update(ArrivalPass).where(ArrivalPass.id == row.id, ArrivalPass.checked_in_at.is_(None))
                            .values(checked_in_at=now, checked_in_device=device[:80], checked_in_by=staff_id)
                            .execution_options(synchronize_session=False)).rowcount
    session.refresh(row)
    if not first:
        return Verdict(ALREADY_CHECKED_IN, facts, checked_in_at=row.checked_in_at.astimezone(now.tzinfo))
    return verdict
