"""Delete handed-over cases after the retention period, and cases never completed after theirs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from portal import toolkit

from .models import DONE, HandoverAppointment, HandoverCase, HandoverPerson, appointment_person
from .planning import parse_settings


def purge_unfinished(session: Session, now: datetime) -> int:
    """Delete cases with a certificate not handed over when nothing happened for the retention period."""
    settings = parse_settings(toolkit.plugin_settings("naturalisation"))
    cutoff = now - timedelta(days=settings.unfinished_retention_days)
    someone_waiting = exists().where(HandoverPerson.case_id == HandoverCase.id, HandoverPerson.state != DONE)
    last_appointment = (
        select(func.max(HandoverAppointment.day)).select_from(HandoverAppointment).join(appointment_person)
        .join(HandoverPerson, HandoverPerson.id == appointment_person.c.person_id)
        .where(HandoverPerson.case_id == HandoverCase.id).scalar_subquery())
    expired = session.scalars(select(HandoverCase).where(
        someone_waiting, HandoverCase.created_at < cutoff, HandoverCase.ready_on < cutoff.date(),
        or_(last_appointment.is_(None), last_appointment < cutoff.date()))).all()
    _delete_cases(session, expired)
    return len(expired)


def purge_handed_over(session: Session, now: datetime) -> int:
    """Delete cases whose persons all received their certificates before the retention period; return how many."""
    settings = parse_settings(toolkit.plugin_settings("naturalisation"))
    cutoff = now.date() - timedelta(days=settings.retention_days)
    someone_waiting = exists().where(HandoverPerson.case_id == HandoverCase.id, HandoverPerson.state != DONE)
    last_handover = (
        select(func.max(HandoverAppointment.day)).select_from(HandoverAppointment).join(appointment_person)
        .join(HandoverPerson, HandoverPerson.id == appointment_person.c.person_id)
        .where(HandoverPerson.case_id == HandoverCase.id, HandoverAppointment.state == "done").scalar_subquery())
    expired = session.scalars(select(HandoverCase).where(~someone_waiting, last_handover < cutoff)).all()
    _delete_cases(session, expired)
    # Appointments whose persons are all gone say nothing any more.
    without_persons = ~exists().where(appointment_person.c.appointment_id == HandoverAppointment.id)
    appointments = session.execute(delete(HandoverAppointment).where(without_persons, HandoverAppointment.day < cutoff)
                                   .returning(HandoverAppointment.id)).scalars().all()
    # Their log entries name the cases' references.
    toolkit.forget_audit_details("naturalisation_appointment", appointments)
    return len(expired)


def _delete_cases(session: Session, cases: list[HandoverCase]) -> None:
    """Delete cases with their persons, and what the audit log says of them."""
    toolkit.forget_audit_details("naturalisation_case", [case.id for case in cases])
    for case in cases:
        session.delete(case)
    session.flush()
