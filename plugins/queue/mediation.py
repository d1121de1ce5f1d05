"""Volunteer language mediators and the waiting room: who waits needing their languages, and "I'm helping".

The interpreters plugin's duty page offers the slot ``interpreters.duty``; the
answer lists today's tickets at the mediator's location that need one of their
languages, with a button posting here. The mark is written without advancing
the ticket's version, so a desk's open page stays valid; it is audited and
advances the location's live topic like every other change.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select, update

from portal import toolkit
from portal.toolkit import _

from . import service
from .models import ACTIVE_STATES, Ticket
from .views import POLL_SECONDS, STALE_SECONDS

mediation = toolkit.staff_blueprint("queue", __name__, role="mediator", section="mediation")
OPEN_STATES = ("waiting", *ACTIVE_STATES)


class HelpForm(toolkit.Form):
    """Say "I'm helping" or "no longer": nothing but the CSRF token; the address names the ticket."""


def _location(location: str) -> str:
    locations = toolkit.portal_settings()["office"]["locations"]
    if location in locations:
        return location
    return locations[0] if locations else ""


def needing(languages, location: str) -> list[Ticket]:
    """Return today's open tickets at a location that need one of the languages (every language when none given)."""
    query = select(Ticket).where(Ticket.day == toolkit.office_today(), Ticket.state.in_(OPEN_STATES),
                                 Ticket.location == _location(location), Ticket.interpreter_language != "")
    if languages:
        query = query.where(Ticket.interpreter_language.in_(tuple(languages)))
    return list(toolkit.session().scalars(query.order_by(Ticket.urgent.desc(), Ticket.rank_at, Ticket.id)))


def _duty_list(languages, location: str, return_to: str, me: int) -> dict:
    """Return what the duty list shows: the numbers needing the languages, their queues and desks."""
    return {"tickets": needing(languages, location), "queues": {queue.slug: queue for queue in service.queues()},
            "desks": {desk.slug: desk for desk in service.desks()}, "me": me, "return_to": return_to,
            "now": toolkit.utcnow()}


def duty_answer(languages, location, return_to) -> Markup | None:
    """Answer the interpreters' duty page: who waits needing the mediator's languages, with "I'm helping"."""
    account = toolkit.current_staff()
    if account is None:
        return None
    live_url = url_for("queue_staff_mediation.duty_list", lang=toolkit.current_language(),
                       language=list(languages or ()), location=location or "", next=return_to)
    return Markup(render_template("queue/_duty.html", live_url=live_url, poll_seconds=POLL_SECONDS,
                                  stale_seconds=STALE_SECONDS,
                                  **_duty_list(languages, location or "", return_to, account.id)))


@mediation.get("/duty")
def duty_list():
    """Answer the duty page's poll: 304 while nothing changed at the location, else the list of numbers."""
    languages = [code for code in request.args.getlist("language") if code]
    location = request.args.get("location", "")
    return_to = toolkit.local_path(request.args.get("next")) or url_for("staff.dashboard")
    me = toolkit.current_staff().id
    return toolkit.conditional(service.topic(_location(location)), lambda: render_template(
        "queue/_duty_list.html", **_duty_list(languages, location, return_to, me)), private=True)


@mediation.post("/ticket/<int:ticket_id>/<action>")
def help_ticket(ticket_id: int, action: str):
    """Mark a ticket as helped by the signed-in mediator ('help'), or no longer ('stop')."""
    if action not in ("help", "stop"):
        abort(404)
    ticket = toolkit.session().get(Ticket, ticket_id)
    if ticket is None or ticket.day != toolkit.office_today() or not ticket.interpreter_language:
        abort(404)
    if not HelpForm().validate_on_submit():
        abort(400)
    account = toolkit.current_staff()
    # Two mediators pressing at once take turns: the second then finds the first one helping.
    toolkit.hold(ticket)
    # Back at the ticket's own entry: the keyboard and the screen reader go on where the mediator was.
    back = (toolkit.local_path(request.form.get("next")) or url_for("staff.dashboard")) + f"#queue-duty-{ticket.id}"
    if ticket.state not in OPEN_STATES:
        flash(_("Diese Nummer wartet nicht mehr."), "error")
        return redirect(back)
    if action == "help":
        if ticket.mediator_id not in (None, account.id):
            flash(_("Bei dieser Nummer hilft schon %(name)s.", name=ticket.mediator_name), "error")
            return redirect(back)
        values = {"mediator_id": account.id, "mediator_name": account.display_name}
    else:
        if ticket.mediator_id != account.id and not account.has_role("admin"):
            abort(403)
        values = {"mediator_id": None, "mediator_name": ""}
    # A plain update: the ticket's version stays, so the desk's buttons for it keep working.
    toolkit.session().execute(update(Ticket).where(Ticket.id == ticket.id).values(**values)
                              .execution_options(synchronize_session=False))
    toolkit.audit(f"mediator_{action}", "queue_ticket", ticket.id, summary=service.audit_summary(ticket))
    toolkit.bump(service.topic(ticket.location))
    toolkit.session().commit()
    if action == "help":
        flash(_("Die Plätze sehen jetzt, dass Sie bei %(number)s helfen.", number=ticket.label), "success")
    else:
        flash(_("Die Plätze sehen jetzt, dass Sie bei %(number)s nicht mehr helfen.", number=ticket.label), "success")
    return redirect(back)
