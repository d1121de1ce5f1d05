"""Public pages: how the pass works, the public keys for door scanners, and the page a pass's address opens."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Response, jsonify, make_response, redirect, render_template, request, send_file, url_for

from portal import toolkit

from .door import issued_record, row_facts
from .issuing import current_pass, shown_pass
from .keys import kept_records, keys_verifying_today
from .passes import NotGenuine, PassFacts, public_id_text, read

bp = toolkit.public_blueprint("arrival", __name__)
# Enough for a family's passes and a few reloads; far too few to guess a pass. A valid pass's page follows its own
# address with a script: those polls, answered 304 while nothing changed, do not count.
PASS_PAGE_LIMIT = "30 per 10 minutes"
# How often that script asks whether the door has checked the pass in, and then whether the visit moved on.
FOLLOW_SECONDS = 10


def _counts_against_the_limit(response: Response) -> bool:
    return response.status_code != 304


@bp.get("/")
def about():
    """Explain the pass to clients: what it is, when to come, what the door sees."""
    return render_template("arrival/about.html")


@bp.get("/keys.json")
def public_keys():
    """Serve the public keys that verify passes today, for scanners that check passes themselves."""
    today = toolkit.office_today()
    verify_days = toolkit.plugin_settings("arrival")["verify_days"]
    response = jsonify({"algorithm": "Ed25519", "keys": [
        {"key_id": record.key_id, "public_key": record.public_key,
         "retired_on": record.retired_on.isoformat() if record.retired_on else None}
        for record in kept_records() if record.verifies_on(today, verify_days)]})
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/p/<code>")
@toolkit.limiter.limit(toolkit.client_limit(PASS_PAGE_LIMIT), deduct_when=_counts_against_the_limit)
def pass_page(code: str):
    """Show the holder of a pass its day, window and state; any text that is no genuine pass gets one page."""
    try:
        facts = read(code, keys_verifying_today())
    except NotGenuine:
        return render_template("arrival/pass.html", facts=None), 404
    record = issued_record(facts.public_id)
    state = "changed" if record is None else ("checked_in" if record.checked_in_at else "valid")
    checked_in_at = record.checked_in_at.astimezone(toolkit.office_zone()) if state == "checked_in" else None
    # A pass printed before the appointment moved still names it: the page shows the appointment's current facts.
    current = row_facts(record) if record is not None else facts
    moved = state != "changed" and _when(current) != _when(facts)
    public_id = public_id_text(facts.public_id)
    # What plugins following the visit say (the waiting room: the number, then the call) is part of the page.
    answers = toolkit.slot("arrival.pass", state=state, public_id=public_id)
    # What the page says, as its script's polls compare it: the page changes when the door checks the pass in, and
    # after that whenever the answers change, so a client who keeps it open sees the call.
    etag = hashlib.sha256(repr((state, checked_in_at, _when(current), moved, str(answers))).encode()).hexdigest()[:20]
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        # Opened on a phone, the page is the pass to show at the door; once used or void there is nothing to show.
        shown = shown_pass(current_pass(public_id) or code, facts.public_id) if state == "valid" else None
        response = make_response(render_template(
            "arrival/pass.html", facts=current, state=state, shown_pass=shown, moved=moved, pass_answers=answers,
            checked_in_at=checked_in_at, public_id=public_id, etag=f'W/"{etag}"', follow_seconds=FOLLOW_SECONDS))
    response.set_etag(etag, weak=True)
    # The address is the secret: never cached by a shared proxy, nor sent on as a referrer.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _when(facts: PassFacts) -> tuple:
    return facts.day, facts.window_start, facts.window_end, facts.persons


@bp.get("/door-worker.js")
def door_worker():
    """Serve the door page's service worker, allowed to control the staff door page of this language.

    A service worker may only control pages at or below its own address unless
    the header widens it; the door page lives under /<lang>/staff/arrival/.
    """
    response = send_file(Path(__file__).parent / "static" / "door-worker.js", mimetype="text/javascript",
                         max_age=0)
    response.headers["Service-Worker-Allowed"] = url_for("arrival_staff.door", lang=toolkit.current_language())
    response.headers["Cache-Control"] = "no-cache"
    return response


def pass_address(code: str):
    """Open an upper-case pass address from a QR code (/P/<CODE>) in the visitor's language."""
    return redirect(url_for("arrival.pass_page", lang=toolkit.preferred_language(), code=code))
