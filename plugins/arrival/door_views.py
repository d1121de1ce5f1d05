"""The door page for the security service: a pass scanned or a short code typed, and the verdict in big words.

Besides the page (which works without JavaScript), the door's script uses
three JSON addresses of the same staff area: one check-in, a batch of
check-ins made while the device was offline, and the day's list of issued
passes with their state, which the device keeps for judging offline.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

from flask import current_app, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, format_time
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal import toolkit
from portal.toolkit import _, _l

from .door import check_in
from .keys import verifying_keys
from .models import ArrivalPass
from .passes import (
    ALREADY_CHECKED_IN,
    ANOTHER_DAY,
    CHANGED,
    NOT_GENUINE,
    SHORT_CODE_LENGTH,
    TOO_EARLY,
    VALID_NOW,
    Verdict,
    public_id_text,
    short_code,
)

staff = toolkit.staff_blueprint("arrival", __name__, role="door")
# The device label is kept in the staff session, so a door tablet names itself once per shift.
DEVICE_KEY = "arrival_device"
# The last verdict of the page without script, shown once at the page's own address after the check.
VERDICT_KEY = "arrival_door_verdict"
SHOWN_AGAIN = ("kind", "detail", "public_id")
# A day's queue of an offline door device; more waits for the next batch.
BATCH_LIMIT = 200
CODE_LIMIT = 400
ICONS = {VALID_NOW: "✓", TOO_EARLY: "◷", ANOTHER_DAY: "▦", CHANGED: "!", NOT_GENUINE: "✕", ALREADY_CHECKED_IN: "↺"}
# The files the door page runs on: a release changing one of them makes a door page left open reload itself.
DOOR_FILES = ("door.js", "door-worker.js", "vendor/jsQR.js", "arrival.css")
# Only the door page may use the camera (the core denies it to every other page).
DOOR_PERMISSIONS = "camera=(self), microphone=(), geolocation=(), payment=()"


class DoorForm(toolkit.Form):
    code = StringField(_l("Einlasskarte oder Kurzcode"), validators=[
        DataRequired(_l("Bitte scannen Sie die Einlasskarte oder tippen Sie den Kurzcode ein.")),
        Length(max=CODE_LIMIT)])
    device = StringField(_l("Gerät oder Eingang"), validators=[Length(max=80)])


def titles() -> dict[str, str]:
    """Return each verdict's title in the current language."""
    return {VALID_NOW: _("Gültig: bitte einlassen"), TOO_EARLY: _("Zu früh"), ANOTHER_DAY: _("Anderer Tag"),
            CHANGED: _("Geändert oder abgesagt"), NOT_GENUINE: _("Nicht gültig"),
            ALREADY_CHECKED_IN: _("Schon eingecheckt")}


def persons_text(persons: int) -> str:
    """Return how many persons may enter, in words."""
    return toolkit.ngettext("%(num)d Person darf eintreten.", "%(num)d Personen dürfen eintreten.", persons)


def details() -> dict[str, str]:
    """Return each verdict's detail that needs no number, in the current language; `%(time)s` is filled in later."""
    return {TOO_EARLY: _("Bitte um %(time)s wiederkommen."),
            ANOTHER_DAY: _("Diese Einlasskarte gilt an einem anderen Tag."),
            CHANGED: _("Der Termin wurde geändert oder abgesagt. Bitte zur Information schicken."),
            # A typing error in a short code finds no pass too: the guard is not told the pass is forged.
            NOT_GENUINE: _("Diese Einlasskarte ist nicht gültig. Einen getippten Kurzcode bitte noch einmal "
                           "eintippen, sonst zur Information schicken."),
            ALREADY_CHECKED_IN: _("Eingecheckt um %(time)s.")}


def verdict_detail(verdict: Verdict) -> str:
    """Return the line below a verdict's title: persons, the time to come back, or when it was checked in."""
    if verdict.kind == VALID_NOW:
        return persons_text(verdict.facts.persons)
    text = details()[verdict.kind]
    if verdict.kind == TOO_EARLY:
        return text.replace("%(time)s", format_time(verdict.come_back_at, "short"))
    if verdict.kind == ALREADY_CHECKED_IN:
        return text.replace("%(time)s", format_time(verdict.checked_in_at, "short"))
    return text


def pass_in(scanned: str) -> str:
    """Return the pass in a scanned text: the text itself, or the pass in this portal's own address (/P/<pass>).

    The QR code on the letter holds the pass's address; an address of another
    host stays as it is and is not genuine.
    """
    own = re.fullmatch(r"\s*HTTPS?://" + re.escape(request.host) + r"/P/([A-Z2-7 -]+)\s*", scanned, re.IGNORECASE)
    return own.group(1) if own else scanned


def _verdict_view(verdict: Verdict) -> dict:
    public_id = public_id_text(verdict.facts.public_id) if verdict.facts else ""
    return {"kind": verdict.kind, "verdict": verdict, "icon": ICONS[verdict.kind],
            "title": titles()[verdict.kind], "detail": verdict_detail(verdict), "public_id": public_id}


def _shown_again(saved: dict | None) -> dict | None:
    """Return the verdict the check before the redirect left in the session, as the page shows it, or None."""
    if not isinstance(saved, dict) or saved.get("kind") not in ICONS:
        return None
    return {**saved, "icon": ICONS[saved["kind"]], "title": titles()[saved["kind"]]}


def _with_door_headers(response):
    response.headers["Permissions-Policy"] = DOOR_PERMISSIONS
    return response


def _check_in_at(code: str, device: str, moment: datetime, today: date) -> Verdict:
    """Check a pass in as at a moment, with the keys of that day; a check-in of a day before is not announced."""
    day = moment.date()
    keys = verifying_keys(day, toolkit.plugin_settings("arrival")["verify_days"])
    return check_in(pass_in(code), keys, moment, device, toolkit.current_staff().id, announce=day == today)


def _check_in_now(code: str, device: str) -> Verdict:
    now = toolkit.office_now()
    return _check_in_at(code, device, now, now.date())


@staff.route("/", methods=["GET", "POST"])
def door():
    """Check a pass at the door and check its holder in when it is valid now."""
    form = DoorForm()
    lang = toolkit.current_language()
    shown = None
    if form.validate_on_submit():
        device = form.device.data.strip()
        session[DEVICE_KEY] = device
        verdict = _verdict_view(_check_in_now(form.code.data, device))
        toolkit.session().commit()
        # The verdict shows at the page's own address: reloading or Back never checks the pass a second time.
        session[VERDICT_KEY] = {name: verdict[name] for name in SHOWN_AGAIN}
        # The anchor brings the field to the top with the verdict below it, on a phone too.
        return _with_door_headers(redirect(url_for(".door", lang=lang, _anchor="arrival-door-form"), 303))
    if not form.is_submitted():
        form.device.data = session.get(DEVICE_KEY, "")
        shown = _shown_again(session.pop(VERDICT_KEY, None))
    page = render_template(
        "arrival/staff/door.html", form=form, shown=shown, titles=titles(), details=details(), icons=ICONS,
        worker_url=url_for("arrival.door_worker", lang=lang), scope=url_for("arrival_staff.door", lang=lang),
        check_url=url_for("arrival_staff.check", lang=lang), batch_url=url_for("arrival_staff.batch", lang=lang),
        day_url=url_for("arrival_staff.day_list", lang=lang), keys_url=url_for("arrival.public_keys", lang=lang),
        zone=current_app.config["PORTAL"]["timezone"], version=door_version())
    return _with_door_headers(make_response(page, 422 if form.errors else 200))


def door_version() -> str:
    """Return a short token of the door page's files, which the page and today's list both carry."""
    addresses = "\n".join(toolkit.asset_url("arrival", name) for name in DOOR_FILES)
    return hashlib.sha256(addresses.encode()).hexdigest()[:12]


def _json_refusal(message: str):
    return jsonify({"error": message}), 422


def _device(body: dict) -> str:
    device = body.get("device", "")
    return device.strip()[:80] if isinstance(device, str) else ""


def _verdict_json(verdict: Verdict) -> dict:
    shown = _verdict_view(verdict)
    zone = toolkit.office_zone()
    return {"kind": verdict.kind, "icon": shown["icon"], "title": shown["title"], "detail": shown["detail"],
            "persons": verdict.facts.persons if verdict.facts else None,
            "come_back_at": verdict.come_back_at.strftime("%H:%M") if verdict.come_back_at else None,
            "checked_in_at": verdict.checked_in_at.astimezone(zone).isoformat() if verdict.checked_in_at else None,
            "slot": str(render_template("arrival/staff/_door_slot.html", shown=shown))}


@staff.post("/check")
def check():
    """Check one pass in for the door's script and answer with the verdict as JSON (CSRF token in X-CSRFToken)."""
    body = request.get_json(silent=True)
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code.strip() or len(code) > CODE_LIMIT:
        return _json_refusal(_("Bitte scannen Sie die Einlasskarte oder tippen Sie den Kurzcode ein."))
    device = _device(body)
    if session.get(DEVICE_KEY) != device:
        session[DEVICE_KEY] = device
    verdict = _check_in_now(code, device)
    toolkit.session().commit()
    return jsonify(_verdict_json(verdict))


def _scan_time(text, now: datetime) -> datetime | None:
    """Return when an offline scan happened, in office time, and now for a time still to come."""
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return min(moment.astimezone(now.tzinfo), now)


@staff.post("/check-ins")
def batch():
    """Check in the passes an offline device scanned, each judged at its scan time; a replayed batch stores each once.

    Body: {"device", "check_ins": [{"id" (the device's own), "code", "scanned_at" (ISO 8601 with offset)}]}.
    Each scan is judged as at its scan time, with the keys that verified passes that day, so a pass is let in only
    on its own day, whatever the device's clock says; a scan time in the future counts as now. A device offline
    past midnight sends the day before's check-ins: they are recorded for that day, and no waiting number is drawn.
    """
    body = request.get_json(silent=True)
    items = body.get("check_ins") if isinstance(body, dict) else None
    now = toolkit.office_now()
    wrong = _("Die Liste der Eincheckvorgänge ist unvollständig. Bitte senden Sie sie noch einmal.")
    if not isinstance(items, list) or len(items) > BATCH_LIMIT:
        return _json_refusal(wrong)
    scans = []
    for item in items:
        if not isinstance(item, dict):
            return _json_refusal(wrong)
        scanned_at = _scan_time(item.get("scanned_at"), now)
        code, client_id = item.get("code"), item.get("id")
        if scanned_at is None or not isinstance(code, str) or not 0 < len(code) <= CODE_LIMIT \
                or not isinstance(client_id, str) or not 0 < len(client_id) <= 64:
            return _json_refusal(wrong)
        scans.append((scanned_at, client_id, code))
    device = _device(body)
    results = []
    # The earliest scan of a pass is the one recorded.
    for scanned_at, client_id, code in sorted(scans, key=lambda scan: scan[0]):
        verdict = _check_in_at(code, device, scanned_at, now.date())
        toolkit.session().commit()
        results.append(_batch_result(client_id, verdict, scanned_at, now))
    return jsonify({"results": results})


def _batch_result(client_id: str, verdict: Verdict, scanned_at: datetime, now: datetime) -> dict:
    """Return what the door shows of an uploaded check-in: the client's short code, persons, scan time and slot.

    The client let in offline learns the waiting number only now: the door shows it beside the short code on the
    letter, through the same slot as an online verdict.
    """
    shown = _verdict_view(verdict)
    facts = verdict.facts
    return {"id": client_id, "kind": verdict.kind, "title": shown["title"],
            "short_code": short_code(facts.public_id) if facts else "",
            "persons": persons_text(facts.persons) if facts else "",
            # A scan of a day before is named with its date: the guard reads it among today's.
            "scanned_at": format_time(scanned_at, "short") if scanned_at.date() == now.date()
            else format_datetime(scanned_at, "short"),
            "slot": str(render_template("arrival/staff/_door_slot.html", shown=shown))}


@staff.get("/day.json")
def day_list():
    """Serve today's issued passes with their current facts, revocation and check-in, for judging offline.

    Staff only: it holds every short code valid today, and a short code is
    let in without a signature. What the door does not judge by (the service, an interpreter's language) stays off
    the device.
    """
    today = toolkit.office_today()
    zone = toolkit.office_zone()
    rows = toolkit.session().scalars(select(ArrivalPass).where(ArrivalPass.day == today)
                                     .order_by(ArrivalPass.public_id)).all()
    response = jsonify({
        "day": today.isoformat(),
        # A door page whose own token differs was opened before a release changed its files (door.js reloads).
        "version": door_version(),
        "passes": [{"public_id": row.public_id, "short_code": row.public_id[:SHORT_CODE_LENGTH],
                    "key_id": row.key_id, "window_start": row.window_start.strftime("%H:%M"),
                    "window_end": row.window_end.strftime("%H:%M"), "persons": row.persons,
                    "revoked": row.revoked_at is not None,
                    "checked_in_at": row.checked_in_at.astimezone(zone).isoformat() if row.checked_in_at else None}
                   for row in rows],
        "persons_text": {str(persons): persons_text(persons) for persons in sorted({row.persons for row in rows})},
    })
    response.headers["Cache-Control"] = "private, no-store"
    return response
