"""Passes issued for appointments and checked in at the door, in the arrival plugin's table.

The table holds each appointment's current facts under its public id. The
door judges a pass and its short code alike by these facts (a pass made
before the appointment moved names the same appointment); a pass of a revoked
(cancelled) appointment, or never issued, is "changed or cancelled". The
public id stays, so the letter's address keeps working.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from portal import toolkit

from .events import publish_checked_in, publish_revoked
from .models import ArrivalPass
from .passes import (
    ALREADY_CHECKED_IN,
    CHANGED,
    NOT_GENUINE,
    SHORT_CODE_LENGTH,
    VALID_NOW,
    NotGenuine,
    PassFacts,
    Verdict,
    judge_facts,
    normalized,
    public_id_bytes,
    public_id_text,
    read,
    sign,
)


def issue(facts: PassFacts, private_key, service_group: str = "") -> str:
    """Sign a pass for the facts and make them the appointment's current ones; return the pass.

    The service group is kept beside the facts for the waiting room, not put in the pass: whoever reads a pass
    learns nothing of what the appointment is about. An earlier pass of the same appointment is judged by the new
    facts from now on; its check-in stays for a change on the same day (a client who came in keeps standing, and
    the waiting room hears of the new facts) and is cleared for another day.
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
    moved_while_in = row.checked_in_at is not None and row.revoked_at is None and (
        row_facts(row) != facts or row.service_group != service_group)
    row.key_id, row.day, row.window_start, row.window_end = facts.key_id, facts.day, facts.window_start, \
        facts.window_end
    row.persons, row.service_group = facts.persons, service_group
    row.revoked_at = None
    session.flush()
    if moved_while_in:
        # The client is in the building: the waiting room orders the ticket by the appointment's new time.
        publish_checked_in(row)
    return sign(facts, private_key)


def revoke(public_id: bytes, now: datetime) -> None:
    """Void every pass of a cancelled appointment; when its client is inside already, say so (arrival.revoked)."""
    row = toolkit.session().scalar(select(ArrivalPass).where(ArrivalPass.public_id == public_id_text(public_id)))
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = now
    toolkit.session().flush()
    if row.checked_in_at is not None:
        # A client in the waiting room waits for an appointment that no longer is: the waiting room ends the number.
        publish_revoked(row)


def row_facts(row: ArrivalPass) -> PassFacts:
    """Return the appointment's current facts as the table of issued passes holds them."""
    return PassFacts(key_id=row.key_id, public_id=public_id_bytes(row.public_id), day=row.day,
                     window_start=row.window_start, window_end=row.window_end, persons=row.persons)


def issued_record(public_id: bytes) -> ArrivalPass | None:
    """Return the issued pass of an appointment's public id, or None when it was never issued, deleted or revoked."""
    row = toolkit.session().scalar(select(ArrivalPass).where(ArrivalPass.public_id == public_id_text(public_id)))
    return row if row is not None and row.revoked_at is None else None


def _find(code: str, public_keys: dict, now: datetime) -> tuple[Verdict, ArrivalPass | None]:
    """Return the verdict on the appointment a pass or short code names, and its issued pass (None: changed).

    A pass and the short code printed beside it name the same appointment, so both are judged by its current
    facts in the table: a letter printed before a move the same day gets the same answer either way.
    """
    typed = normalized(code)
    if len(typed) == SHORT_CODE_LENGTH:
        # A short code names an issued pass; the record is the truth, there is no signature to check.
        named = ArrivalPass.public_id.startswith(typed, autoescape=True)
        rows = toolkit.session().scalars(select(ArrivalPass).where(named).limit(2)).all()
        if len(rows) != 1:
            return Verdict(NOT_GENUINE), None
        row = rows[0] if rows[0].revoked_at is None else None
        facts = row_facts(rows[0])
    else:
        try:
            facts = read(code, public_keys)
        except NotGenuine:
            return Verdict(NOT_GENUINE), None
        row = issued_record(facts.public_id)
    if row is None:
        return Verdict(CHANGED, facts), None
    return judge_facts(row_facts(row), now), row


def check_in(code: str, public_keys: dict, now: datetime, device: str, staff_id: int | None,
             announce: bool = True) -> Verdict:
    """Judge a pass or its short code at the door at `now` (aware, office time) and check a valid one in, once.

    Only a pass valid now changes anything: its first check-in records the
    time, the door device's label and the staff account; the same pass again
    is "already checked in" with that time. A check-in not announced
    (arrival.checked_in) is recorded for a day that is over: nobody waits
    for it any more.
    """
    verdict, row = _find(code, public_keys, now)
    if row is not None and row.checked_in_at is None and verdict.kind == VALID_NOW:
        # Judged again once the pass is held: an import that moved or cancelled the appointment since the first look,
        # or a second scan of the pass, has its say first.
        toolkit.hold(row)
        verdict, row = _find(code, public_keys, now)
    if row is None:
        return verdict
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
    if announce:
        publish_checked_in(row)
    return verdict
