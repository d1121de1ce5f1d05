"""The public facts of an appointment, published to other plugins as the declared event ``appointments.changed``.

Nothing personal: no reference, no date of birth, no place. Other plugins name
the appointment by its random public id.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal import toolkit

from .display import local_start
from .models import Appointment
from .selfservice import given_back, has_date
from .selfservice_models import FreedSlot

CHANGED = "appointments.changed"
PAYLOAD_KEYS = ("public_id", "day", "start", "persons_allowed", "service_group", "status", "attendable")


def public_facts(appointment: Appointment, returned: bool = False) -> dict:
    """Return what other plugins may know of an appointment, as the payload of ``appointments.changed``.

    ``returned``: the client gave this date back through the self-service; it goes to someone else, so it cannot
    be attended (no pass admits to it) even while the office's own record still shows it.
    """
    start = local_start(appointment)
    return {
        "public_id": appointment.public_id,
        "day": start.date() if start else None,
        "start": start.time().replace(tzinfo=None) if start else None,
        "persons_allowed": appointment.persons_allowed,
        "service_group": appointment.service,
        "status": appointment.status,
        "attendable": has_date(appointment) and not returned,
    }


def publish_changed(appointment: Appointment) -> None:
    """Tell the other plugins that an appointment was created or changed; their failures make the change fail."""
    toolkit.publish(CHANGED, **public_facts(appointment, given_back(appointment)))


def publish_changed_references(references: Iterable[str]) -> None:
    """Publish ``appointments.changed`` for the appointments with these references, as written in this session."""
    references = list(references)
    if references:
        session = toolkit.session()
        # One query for the dates given back among them, rather than one for each appointment of an import.
        returned = {tuple(row) for row in session.execute(select(FreedSlot.freed_reference, FreedSlot.starts_at)
                                                          .where(FreedSlot.freed_reference.in_(references)))}
        for appointment in session.scalars(select(Appointment).where(Appointment.reference.in_(references))
                                           .order_by(Appointment.id)):
            toolkit.publish(CHANGED, **public_facts(appointment, (appointment.reference, appointment.starts_at)
                                                    in returned))
