"""The call display: a full-screen page for a waiting room's screen, one per location, without login.

It shows numbers and rooms only: the latest call large, the calls before it
listed, and an instruction rotating through the enabled languages. With
JavaScript (static/queue-display.js) the page polls its board
(`display_board`) through ``toolkit.conditional`` on the location's live
topic: 304 until a desk calls. The board always holds the last calls with
their times, so a screen that was offline for a while catches up from one
answer. Importing this module adds its pages to the plugin's public
blueprint and the call display's address to the desk pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, render_template, request, url_for
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import select

from portal import toolkit

from . import service
from .desk_views import staff
from .models import Ticket
from .views import POLL_SECONDS, STALE_SECONDS, bp

# Seconds between two loads of a screen that cannot follow the board (no script, or a browser without fetch).
RELOAD_SECONDS = 30
# Such a screen loads the page 120 times an hour; several screens of one office may share one address.
PAGE_LIMIT = "480 per hour"
BOARD_LIMIT = "240 per minute"
# The latest call and the ones before it: what a client who looked away needs, and what a screen back online missed.
CALLS_SHOWN = 7
# A call stays valid while the client is called, served or was served; a missed number goes to the Service Point
# and a transferred one waits for another desk: showing their old call would send people to the wrong room.
SHOWN_STATES = ("called", "in_service", "done")


@dataclass(frozen=True)
class Call:
    """One number's latest call as the screen shows it: nothing but the number, where to go and when."""

    key: str
    number: str
    room: str
    place: str
    called_at: datetime


def display_address(location: str, lang: str | None = None) -> str:
    """Return the address of a location's call display, in the office's default language unless `lang` is given."""
    return url_for("queue.display", lang=lang or toolkit.portal_settings()["default_language"],
                   slug=service.location_slug(location))


def latest_calls(location: str) -> list[Call]:
    """Return the location's calls of today that still hold, newest first: each number once, at its latest call."""
    tickets = toolkit.session().scalars(
        select(Ticket).where(Ticket.location == location, Ticket.day == toolkit.office_today(),
                             Ticket.last_called_at.is_not(None), Ticket.state.in_(SHOWN_STATES))
        .order_by(Ticket.last_called_at.desc(), Ticket.id.desc()).limit(CALLS_SHOWN))
    calls = []
    for ticket in tickets:
        # The number and the moment identify a call: a recall or a second call after 'missed' is a new one.
        key = f"{ticket.label}@{ticket.last_called_at.isoformat()}"
        calls.append(Call(key=key, number=ticket.label, room=ticket.room,
                          place=service.desk_name(ticket.desk), called_at=ticket.last_called_at))
    return calls


def _location_or_404(slug: str) -> str:
    location = service.locations().get(slug)
    if location is None:
        abort(404)
    return location


def _instructions() -> list[dict]:
    """Return the two instructions in each enabled language, the page's language first."""
    first = toolkit.current_language()
    languages = [first] + [code for code in toolkit.enabled_languages() if code != first]
    shown = []
    for code in languages:
        with force_locale(code):
            shown.append({"lang": code, "watch": toolkit._("Achten Sie auf Ihre Nummer."),
                          "go": toolkit._("Gehen Sie dann in den angezeigten Raum.")})
    return shown


@toolkit.content_cached(entries=32)
def display_page(location: str, slug: str, version: int, day, script_root: str) -> str:
    """Return a location's call display at a version of its topic, rendered once and shared by every screen."""
    stale_time = Markup('<span class="queue-display-stale__time" data-queue-display-stale-time></span>')
    return render_template(
        "queue/display.html", location=location, calls=latest_calls(location), instructions=_instructions(),
        board_url=url_for(".display_board", slug=slug), poll_seconds=POLL_SECONDS, stale_seconds=STALE_SECONDS,
        reload_seconds=RELOAD_SECONDS,
        stale_time=stale_time, office_zone=toolkit.office_zone().key)


@bp.get("/display/<slug>")
@toolkit.limiter.limit(toolkit.client_limit(PAGE_LIMIT))
def display(slug: str):
    """Show a location's call display: the latest calls, large, and how to follow them."""
    location = _location_or_404(slug)
    # The version is read before the calls: the page is never older than the version it is kept under. The
    # core's page cache may keep the whole answer for screens without a session: every change of a ticket
    # advances the content version all processes share (service._record), so the next load shows a call.
    return display_page(location, slug, toolkit.live_version(service.slug_topic(slug)), toolkit.office_today(),
                        request.script_root)


@bp.get("/display/<slug>/board")
@toolkit.limiter.limit(toolkit.client_limit(BOARD_LIMIT))
def display_board(slug: str):
    """Answer the screen's poll: 304 while no ticket of the location changed, else the board with the last calls."""
    location = _location_or_404(slug)
    return toolkit.conditional(service.topic(location), lambda: render_template(
        "queue/_display_board.html", calls=latest_calls(location)))


@staff.context_processor
def _display_address():
    # The desk pages link their location's call display; the function is private to the staff pages of the plugin.
    return {"queue_display_address": display_address}


def dashboard_links() -> Markup:
    """Return the staff start page's box linking every location's call display."""
    return Markup(render_template("queue/_display_links.html", locations=sorted(service.locations().values()),
                                  display_address=display_address))
