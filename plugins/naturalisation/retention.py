"""Delete handed-over cases after the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from portal import toolkit

from .models import DONE, Appointment, Case, Person, appointment_person
from .planning import parse_settings


def purge_handed_over(session: Session, now: datetime) -> int:
    """Delete cases whose persons all received their certificates before the retention period; return how many."""
    settings = parse_settings(toolkit.plugin_settings("naturalisation"))
    cutoff = now.date() - timedelta(days=settings.retention_days)
    someone_waiting = exists().where(Person.case_id == Case.id, Person.state != DONE)
    last_handover = (select(func.max(Appointment.day)).select_from(Appointment).join(appointment_person)
                     .join(Person, Person.id == appointment_person.c.person_id)
                     .where(Person.case_id == Case.id, Appointment.state == "done").scalar_subquery())
    expired = session.scalars(select(Case).where(~someone_waiting, last_handover < cutoff)).all()
    for case in expired:
        session.delete(case)
    session.flush()
    # Appointments whose persons are all gone say nothing any more.
    session.execute(delete(Appointment).where(~exists().where(appointment_person.c.appointment_id == Appointment.id),
                                              Appointment.day < cutoff))
    return len(expired)
