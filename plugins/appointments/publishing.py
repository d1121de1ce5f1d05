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
from .statuses import STATUSES

CHANGED = "appointments.changed"
PAYLOAD_KEYS = ("public_id", "day", "start", "persons_allowed", "service_group", "status", "attendable")


def public_facts(appointment: Appointment) -> dict:
    """Return what other plugins may know of an appointment, as the payload of ``appointments.changed``."""
    start = local_start(appointment)
    return {
        "public_id": appointment.public_id,
        "day": start.date() if start else None,
        "start": start.time().replace(tzinfo=None) if start else None,
        "persons_allowed": appointment.persons_allowed,
        "service_group": appointment.service,
        "status": appointment.status,
        "attendable": start is not None and STATUSES[appointment.status].has_date,
    }


def publish_changed(appointment: Appointment) -> None:
    """Tell the other plugins that an appointment was created or changed; their failures make the change fail."""
    toolkit.publish(CHANGED, **public_facts(appointment))


def publish_changed_references(references: Iterable[str]) -> None:
    """Publish ``appointments.changed`` for the appointments with these references, as written in this session."""
    references = list(references)
    if references:
        for appointment in toolkit.session().scalars(select(Appointment).where(Appointment.reference.in_(references))
                                                     .order_by(Appointment.id)):
            publish_changed(appointment)
