"""The waiting room's answers to the arrival plugin: a ticket for each check-in, and the number where it is shown.

The arrival plugin is never imported: it publishes ``arrival.checked_in`` and
``arrival.revoked`` and offers the slots ``arrival.door`` and ``arrival.pass``
(docs/arrival.md).
"""

from __future__ import annotations

import logging

from flask import render_template, url_for
from markupsafe import Markup

from portal import toolkit

from . import service
from .models import ACTIVE_STATES

log = logging.getLogger(__name__)


def checked_in(payload: dict) -> None:
    """Issue a ticket in the queue that takes the pass's service group (once per pass), or follow its new facts."""
    queue = service.queue_for_group(payload["service_group"])
    if queue is None:
        # The check-in itself must not fail for a group nobody queues: the client is sent to the information desk.
        log.warning("no queue takes the service group %r; no ticket issued", payload["service_group"])
        return
    ticket = service.for_arrival(payload["public_id"])
    # Published again when the appointment of a client already inside moves on the same day. A ticket of another day
    # (the client came before, and the appointment was moved to today) has ended: today's check-in gets a new one.
    if ticket is not None and ticket.day == payload["day"]:
        service.follow_appointment(ticket, window_start=payload["window_start"], persons=payload["persons"],
                                   interpreter_language=payload["interpreter_language"] or "")
        return
    service.issue(queue, origin="check_in", now=payload["checked_in_at"], day=payload["day"],
                  window_start=payload["window_start"], persons=payload["persons"],
                  interpreter_language=payload["interpreter_language"] or "",
                  arrival_public_id=payload["public_id"])


def revoked(payload: dict) -> None:
    """End the waiting ticket of a client whose appointment was cancelled or postponed after they checked in."""
    ticket = service.for_arrival(payload["public_id"])
    if ticket is not None and ticket.day == payload["day"]:
        service.withdraw(ticket, toolkit.utcnow())


def door_answer(kind, public_id) -> Markup | None:
    """Show the door the waiting number a valid pass was just given, to tell the client."""
    ticket = service.for_arrival(public_id) if kind in ("valid_now", "already_checked_in") else None
    # A number that ended (served, missed, withdrawn, sent on) is not one to tell the client at the door.
    if ticket is None or ticket.day != toolkit.office_today() or ticket.state not in ("waiting", *ACTIVE_STATES):
        return None
    return Markup(render_template("queue/_door.html", ticket=ticket))


def pass_answer(state, public_id) -> Markup | None:
    """Link a checked-in pass's page to its ticket page, with the call once it comes; a withdrawn number says so on the
    revoked pass's page."""
    ticket = service.for_arrival(public_id) if state in ("checked_in", "changed") else None
    # A revoked pass names its number only to say that it ended with the appointment.
    if ticket is None or ticket.day != toolkit.office_today() or (state == "changed" and ticket.state != "withdrawn"):
        return None
    return Markup(render_template("queue/_pass.html", ticket=ticket, service_point_place=service.service_point_place(),
                                  place=service.desk_name(ticket.desk),
                                  address=url_for("queue.ticket_page", lang=toolkit.current_language(),
                                                  token=ticket.token)))
