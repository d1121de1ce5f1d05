"""The client's ticket page: the number, how many are ahead, the expected wait, and the call when it comes.

The page's address holds the ticket's token, the only key to it. With
JavaScript the page polls its live part (`ticket_live`) every few seconds
through ``toolkit.conditional``: 304 until something changes at the location.
"""

from __future__ import annotations

from flask import make_response, render_template, url_for

from portal import toolkit

from . import service

bp = toolkit.public_blueprint("queue", __name__)
# Limits count per client network, so a family's phones share them: room for ten phones polling every 5 seconds.
# Guessing a token is hopeless at any rate (192 bits); the limits only bound the load one network can make.
PAGE_LIMIT = "300 per hour"
LIVE_LIMIT = "120 per minute"
# Seconds between two polls of the live part; the script reads it from the page.
POLL_SECONDS = 5
# From this many minutes of expected wait on, the page tells the client they may step out.
STEP_OUT_MINUTES = 15


def _private(response):
    # The address is the secret: never stored by a browser or proxy, never sent on as a referrer.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _context(ticket) -> dict:
    """Return what the page and its live part show of a ticket (nothing personal)."""
    now = toolkit.utcnow()
    queue = service.find_queue(ticket.queue)
    wait = service.expected_wait(ticket, now)
    call = None
    if ticket.state == "called":
        desk = service.find_desk(ticket.desk or "")
        call = toolkit.render_letter("queue/_call.html", toolkit.current_language(), room=ticket.room,
                                     place=desk.name if desk else ticket.desk)
    return {"ticket": ticket, "queue_title": queue.title if queue else ticket.queue, "ahead": service.ahead(ticket),
            "wait": wait, "step_out": wait is not None and wait[0] >= STEP_OUT_MINUTES, "call": call}


@bp.get("/t/<token>")
@toolkit.limiter.limit(toolkit.client_limit(PAGE_LIMIT))
def ticket_page(token: str):
    """Show a ticket to its holder; any other token gets one 'not found' page."""
    ticket = service.resolve(token)
    if ticket is None:
        return _private(toolkit.render_error(404, toolkit._("Diese Wartenummer gibt es nicht (mehr).")))
    return _private(make_response(render_template(
        "queue/ticket.html", live_url=url_for(".ticket_live", lang=toolkit.current_language(), token=token),
        poll_seconds=POLL_SECONDS, **_context(ticket))))


@bp.get("/t/<token>/live")
@toolkit.limiter.limit(toolkit.client_limit(LIVE_LIMIT))
def ticket_live(token: str):
    """Answer the page's poll: 304 while nothing changed at the ticket's location, else the live part."""
    ticket = service.resolve(token)
    if ticket is None:
        return _private(toolkit.render_error(404))
    response = toolkit.conditional(service.topic(ticket.location),
                                   lambda: render_template("queue/_ticket_live.html", **_context(ticket)),
                                   private=True)
    return _private(response)
