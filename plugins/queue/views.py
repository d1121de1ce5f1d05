"""The client's ticket page: the number, how many are ahead, the expected wait, and the call when it comes.

The page's address holds the ticket's token, the only key to it. With
JavaScript (static/queue.js) the page follows the location's board
(`board`): one public answer per location and version of its live topic,
built once per process and version and shared by every phone there, 304
before Flask's pipeline while nothing changed. The script derives the
ticket's place and expected wait from it with texts the page carries; when
the ticket's state changes (called, recalled, served, ended, transferred) it
fetches the ticket's own live part (`ticket_live`) once. Without JavaScript
the page is rendered whole on each press of the refresh button.
"""

from __future__ import annotations

import gzip
import json

from flask import Response, abort, make_response, render_template, request, url_for
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from portal import toolkit

from . import service

bp = toolkit.public_blueprint("queue", __name__)
# Limits count per client network, so a family's phones share them: room for ten phones polling every 5 seconds.
# Guessing a token is hopeless at any rate (192 bits); the limits only bound the load one network can make.
PAGE_LIMIT = "300 per hour"
LIVE_LIMIT = "120 per minute"
# The board is the same for every phone at a location, and the waiting area's Wi-Fi is one network: its changed
# answers are counted (unchanged ones are answered before any limit), about one per phone and call.
BOARD_LIMIT = "600 per minute"
# Seconds between two polls of the board, and without an answer before a phone or a screen says it may be behind;
# the scripts read them from the page.
POLL_SECONDS = 5
STALE_SECONDS = 15
# From this many minutes of expected wait on, the page tells the client they may step out.
STEP_OUT_MINUTES = 15
# The script picks the plural form of a counted text ("n persons ahead", the wait) from a table for n below this,
# and for larger n from the form of 100 + n % 100: every catalog's plural rule depends on n only through n % 10,
# n % 100 and n up to 2 (and n % 1,000,000 in Spanish and French, far beyond any queue).
PLURAL_TABLE = 200
# Numbers the page's texts are rendered with, replaced by the script's own (no catalog uses them).
_SAMPLES = {"low": 1111111, "high": 2222222, "minutes": 3333333}


def _private(response):
    # The address is the secret: never stored by a browser or proxy, never sent on as a referrer.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _call_parts(room: str, place: str):
    """Return the call in the source language and the visitor's: go to the room, or to the place without one."""
    return toolkit.render_letter("queue/_call.html", toolkit.current_language(), room=room, place=place)


def _context(ticket) -> dict:
    """Return what the page and its live part show of a ticket (nothing personal)."""
    now = toolkit.utcnow()
    queue = service.find_queue(ticket.queue)
    ahead = service.ahead(ticket)
    wait = service.expected_wait(ticket, now, ahead)
    call = None
    if ticket.state == "called":
        call = _call_parts(room=ticket.room, place=service.desk_name(ticket.desk))
    follow = {"state": service.follow_state(ticket, toolkit.office_today(now)), "number": ticket.label,
              "queue": ticket.queue, "window_at": _epoch_ms(ticket.rank_at) if ticket.window_start else None}
    return {"ticket": ticket, "queue_title": queue.title if queue else ticket.queue, "ahead": ahead,
            "wait": wait, "step_out": wait is not None and wait[0] >= STEP_OUT_MINUTES, "call": call,
            "follow": follow, "service_point_place": service.service_point_place()}


def _epoch_ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def _plural_forms(name: str, render) -> tuple[list[str], str]:
    """Return the distinct forms of render(n) for n from 0 below PLURAL_TABLE, n and the samples as placeholders,
    and one character per n: the index of its form (catalogs have at most six)."""
    forms, table = [], []
    for count in range(PLURAL_TABLE):
        form = render(count)
        for placeholder, sample in _SAMPLES.items():
            form = form.replace(str(sample), "{" + placeholder + "}")
        form = form.replace(str(count), "{" + name + "}", 1)
        if form not in forms:
            forms.append(form)
        table.append(str(forms.index(form)))
    return forms, "".join(table)


@toolkit.content_cached
def follow_texts() -> Markup:
    """Return the texts the script fills in for a waiting ticket, in the visitor's language, with placeholders, as
    JSON for the page: the same on every ticket page, so built once."""
    ahead, ahead_forms = _plural_forms("num", lambda count: toolkit.ngettext(
        "Vor Ihnen wartet %(num)d Person.", "Vor Ihnen warten %(num)d Personen.", count))
    wait, wait_forms = _plural_forms("high", lambda count: toolkit.ngettext(
        "Voraussichtliche Wartezeit: %(low)d bis %(high)d Minute.",
        "Voraussichtliche Wartezeit: %(low)d bis %(high)d Minuten.", count, low=_SAMPLES["low"], high=count))
    step_out, step_out_forms = _plural_forms("minutes", lambda count: toolkit.ngettext(
        "Sie können sich kurz entfernen: Sie werden voraussichtlich in etwa %(minutes)d Minute aufgerufen. "
        "Bitte seien Sie rechtzeitig zurück.",
        "Sie können sich kurz entfernen: Sie werden voraussichtlich in etwa %(minutes)d Minuten aufgerufen. "
        "Bitte seien Sie rechtzeitig zurück.", count, minutes=count))
    # Plain text with {room} and {place}: the script marks the desk's name itself (`source` below).
    call = [{"lang": toolkit.language_tag(room.lang), "dir": toolkit.text_direction(room.lang),
             "room": room.html.striptags(), "place": place.html.striptags()}
            for room, place in zip(_call_parts(room="{room}", place=""), _call_parts(room="", place="{place}"),
                                   strict=True)]
    return htmlsafe_json_dumps({
        "next": toolkit._("Sie sind als Nächste an der Reihe."), "ahead": ahead, "ahead_forms": ahead_forms,
        "called": toolkit._("Sie sind an der Reihe!"), "call": call,
        "source": {"lang": toolkit.language_tag(toolkit.source_language()),
                   "dir": toolkit.text_direction(toolkit.source_language())},
        "wait": wait, "wait_forms": wait_forms,
        "step_out": step_out, "step_out_forms": step_out_forms, "step_out_minutes": STEP_OUT_MINUTES,
        "spread": service.ESTIMATE_SPREAD})


@bp.get("/t/<token>")
@toolkit.limiter.limit(toolkit.client_limit(PAGE_LIMIT))
def ticket_page(token: str):
    """Show a ticket to its holder; any other token gets one 'not found' page."""
    ticket = service.resolve(token)
    if ticket is None:
        return _private(toolkit.render_error(404, toolkit._("Diese Wartenummer gibt es nicht (mehr).")))
    lang = toolkit.current_language()
    script = {"board": url_for(".board", lang=lang, slug=service.location_slug(ticket.location)),
              "ticket": url_for(".ticket_live", lang=lang, token=token), "poll_seconds": POLL_SECONDS,
              "stale_seconds": STALE_SECONDS, "clock": _epoch_ms(toolkit.utcnow())}
    return _private(make_response(render_template("queue/ticket.html", script=script, texts=follow_texts(),
                                                  **_context(ticket))))


@bp.get("/t/<token>/live")
@toolkit.limiter.limit(toolkit.client_limit(LIVE_LIMIT))
def ticket_live(token: str):
    """Answer with the ticket's live part: fetched by the script when the board shows its state changed."""
    ticket = service.resolve(token)
    if ticket is None:
        return _private(toolkit.render_error(404))
    response = toolkit.conditional(service.topic(ticket.location),
                                   lambda: render_template("queue/_ticket_live.html", **_context(ticket)),
                                   private=True)
    return _private(response)


@toolkit.content_cached(per_language=False, entries=16)
def board_body(location: str, version: int, day) -> tuple[bytes, bytes]:
    """Return a location's board at a version of its topic as JSON, plain and gzip-compressed: built once per
    process and version, then shared by every phone."""
    body = json.dumps(service.board(location, day), separators=(",", ":"), ensure_ascii=False).encode()
    return body, gzip.compress(body, 6, mtime=0)


@bp.get("/board/<slug>")
@toolkit.live_view(service.slug_topic, shared=True)
@toolkit.limiter.limit(toolkit.client_limit(BOARD_LIMIT))
def board(slug: str):
    """Answer a phone's poll with the location's board (public numbers only); 304 while its version holds."""
    location = service.locations().get(slug)
    if location is None:
        abort(404)
    # Read after the tag's version: the body is never older than its tag.
    plain, compressed = board_body(location, toolkit.live_version(service.slug_topic(slug)), toolkit.office_today())
    response = Response(plain, mimetype="application/json")
    if request.accept_encodings["gzip"]:
        response.set_data(compressed)
        response.headers["Content-Encoding"] = "gzip"
    return response
