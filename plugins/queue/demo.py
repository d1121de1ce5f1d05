"""Demonstration tickets for ``flask --app portal demo``: a few clients waiting today."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from portal import toolkit

from . import service
from .models import Ticket


def add_demo_tickets(session) -> None:
    """Put four clients in today's queues (once): two by appointment, one with an interpreter, one urgent."""
    today = toolkit.office_today()
    if session.scalar(select(Ticket.id).where(Ticket.day == today).limit(1)) is not None:
        return
    now = toolkit.utcnow()
    appointments = service.queue_for_group("residence")
    walk_ins = service.service_point()
    start = toolkit.office_now().replace(second=0, microsecond=0)
    if appointments is not None:
        for minutes, language in ((-20, ""), (-5, "ar"), (10, "uk")):
            window = (start + timedelta(minutes=minutes)).time()
            service.issue(appointments, origin="check_in", now=now - timedelta(minutes=30), day=today,
                          window_start=time(window.hour, window.minute), interpreter_language=language)
    if walk_ins is not None:
        service.issue(walk_ins, origin="walk_in", now=now - timedelta(minutes=12), urgent=True)
