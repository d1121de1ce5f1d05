"""Clients' self-service on the result page: signed action tokens, the requests they make, and what the page shows.

The specialist system owns the appointments. A request waits for staff and
leaves with the next CSV export; the import after it shows the client the new
state and answers the request (``answer_by_import``). The one change the portal
makes itself is an accepted short-notice offer's move (offers.py), which the
next export tells the specialist system.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, exists, select, update

from portal import toolkit
from portal.toolkit import _, _l

from .display import format_clock, format_day, place
from .models import Appointment
from .selfservice_models import (
    ClientRequest,
    FreedSlot,
    Offer,
    PendingMove,
    Reminder,
    ShortNoticeEntry,
    given_back_exists,
)
from .statuses import STATUSES

log = logging.getLogger(__name__)

DATED_STATUSES = tuple(code for code, status in STATUSES.items() if status.has_date)

TOKENS = toolkit.SignedTokens("appointments-selfservice")
# Links in reminders stay valid until the appointment: the first reminder goes three days before it.
MAIL_LINK_DAYS = 5
MAIL_ACTIONS = ("confirm", "cancel", "stop-reminders")

REASONS = {
    "illness": _l("Krankheit"),
    "travel": _l("Reise"),
    "work": _l("Arbeit"),
    "childcare": _l("Kinderbetreuung"),
    "other": _l("Anderer Grund"),
}
WEEKDAYS = {
    "mon": _l("Montag"),
    "tue": _l("Dienstag"),
    "wed": _l("Mittwoch"),
    "thu": _l("Donnerstag"),
    "fri": _l("Freitag"),
}
DAY_TIMES = {
    "morning": _l("Vormittag"),
    "afternoon": _l("Nachmittag"),
}
KIND_LABELS = {
    "confirm": _l("Kommt"),
    "cancel": _l("Absage"),
    "new_date": _l("Neuer Termin gewünscht"),
}


def action_token(appointment: Appointment | Row) -> str:
    """Return the token a form on the result page carries instead of the reference; valid like the result link."""
    return TOKENS.dumps([appointment.id, "act"])


def mail_token(appointment: Appointment, action: str) -> str:
    """Return the token of a one-click link in a reminder: one action on one appointment."""
    return TOKENS.dumps([appointment.id, "mail", action])


def offer_token(offer: Offer | Row) -> str:
    """Return the token of the link to a short-notice offer."""
    return TOKENS.dumps([offer.id, "offer"])


def _load(token: str, max_age: int | None) -> list | None:
    payload = TOKENS.loads(token, max_age)
    return payload if isinstance(payload, list) and payload and isinstance(payload[0], int) else None


def appointment_for_action(token: str, any_age: bool = False) -> Appointment | None:
    """Return the appointment of a result page's action token, or None when forged, expired (unless any_age) or gone."""
    max_age = None if any_age else toolkit.plugin_settings("appointments")["result_link_minutes"] * 60
    payload = _load(token, max_age)
    if payload is None or payload[1:] != ["act"]:
        return None
    return toolkit.session().get(Appointment, payload[0])


def appointment_for_mail_link(token: str) -> tuple[Appointment | None, str]:
    """Return the appointment and action of a reminder's link, or (None, "") when forged, expired or gone."""
    payload = _load(token, MAIL_LINK_DAYS * 24 * 3600)
    if payload is None or len(payload) != 3 or payload[1] != "mail" or payload[2] not in MAIL_ACTIONS:
        return None, ""
    return toolkit.session().get(Appointment, payload[0]), payload[2]


def offer_for_token(token: str) -> Offer | None:
    """Return the offer of a link, or None when forged, too old or gone (an expired offer says so itself)."""
    payload = _load(token, toolkit.plugin_settings("appointments")["offer_hours"] * 3600 * 2)
    if payload is None or payload[1:] != ["offer"]:
        return None
    return toolkit.session().get(Offer, payload[0])


def slot_text(slot: FreedSlot | Row) -> str:
    """Return the date, time and place of a slot in the current language."""
    start = toolkit.office_now(slot.starts_at)
    return _("%(day)s, %(clock)s Uhr, %(place)s", day=format_day(start), clock=format_clock(start),
             place=place(slot))


def moment_text(moment) -> str:
    """Return a moment's day and time at the office in the current language, in the order slot_text writes them."""
    local = toolkit.office_now(moment)
    return _("%(day)s, %(clock)s Uhr", day=format_day(local), clock=format_clock(local))


def office_name() -> str:
    """Return the office's name as the portal's settings give it, isolated for a sentence in any language of a mail."""
    return toolkit.isolate(toolkit.portal_settings()["office"]["name"])


def reference_line(appointment: Appointment | Row) -> str:
    """Return a mail's line with the appointment's reference, by which the client matches it to their letter."""
    return _("Vorgangsnummer: %(reference)s", reference=toolkit.isolate(appointment.reference))


def has_date(appointment: Appointment | Row) -> bool:
    """Tell whether the appointment names a date: a status with one, and the date itself."""
    return STATUSES[appointment.status].has_date and appointment.starts_at is not None


def had_date(appointment: Appointment | Row) -> bool:
    """Tell whether the appointment had a date before an accepted offer moved it (has_date when no offer did)."""
    move = toolkit.session().get(PendingMove, appointment.id)
    if move is None:
        return has_date(appointment)
    return move.previous_starts_at is not None and STATUSES[move.previous_status].has_date


def upcoming(appointment: Appointment | Row) -> bool:
    """Tell whether the appointment has a date still ahead, the condition for confirming, cancelling, reminders."""
    return has_date(appointment) and appointment.starts_at > toolkit.utcnow()


def given_back(appointment: Appointment) -> bool:
    """Tell whether the client cancelled this date: it is freed for others and cannot be confirmed again."""
    return appointment.starts_at is not None and toolkit.session().scalar(
        select(given_back_exists(appointment.reference, appointment.starts_at)))


def given_back_ids(appointments) -> set[int]:
    """Return the ids of those appointments whose date their client gave back, in one query."""
    ids = [appointment.id for appointment in appointments if appointment.starts_at is not None]
    if not ids:
        return set()
    return set(toolkit.session().scalars(select(Appointment.id).where(
        Appointment.id.in_(ids), given_back_exists(Appointment.reference, Appointment.starts_at))))


def answerable(appointment: Appointment) -> bool:
    """Tell whether the client may still confirm, cancel, ask for another date or get reminders."""
    return upcoming(appointment) and not given_back(appointment)


def may_be_reminded(appointment: Appointment | Row) -> bool:
    """Tell whether a reminder could still go out: the daily job runs after midnight, before the appointment's day."""
    return upcoming(appointment) and toolkit.office_today(appointment.starts_at) > toolkit.office_today()


def reminders_on_schedule(appointment: Appointment | Row) -> bool:
    """Tell whether both reminders go on their days, three days and one day before: asked four days ahead or more."""
    return (toolkit.office_today(appointment.starts_at) - toolkit.office_today()).days >= 4


def may_wait_for_earlier(appointment: Appointment | Row) -> bool:
    """Tell whether the client may join the short-notice list: a postponed appointment, or a date still ahead."""
    return appointment.status == "postponed" or (appointment.status in ("invited", "scheduled")
                                                 and upcoming(appointment))


def free_date(appointment: Appointment, now: datetime) -> None:
    """Free the appointment's date for someone else, once: staff may offer it at short notice."""
    session = toolkit.session()
    # Given back, then moved by an offer (or given back twice): one date is one slot, never offered twice.
    if session.scalar(select(exists().where(FreedSlot.freed_reference == appointment.reference,
                                            FreedSlot.starts_at == appointment.starts_at))):
        return
    session.add(FreedSlot(starts_at=appointment.starts_at, service=appointment.service,
                          building=appointment.building, room=appointment.room,
                          freed_reference=appointment.reference, created_at=now))


def withdraw_offers(appointment: Appointment, now: datetime) -> None:
    """End the appointment's open offers: its client gave the date back or left the short-notice list."""
    toolkit.session().execute(update(Offer).where(Offer.appointment_id == appointment.id, Offer.state == "open")
                              .values(state="gone", answered_at=now).execution_options(synchronize_session=False))


def _confirmation(appointment: Appointment) -> ClientRequest | None:
    """Return the client's latest word on the appointment if it is that they come on its current date, else None."""
    latest = toolkit.session().scalars(
        select(ClientRequest).where(ClientRequest.appointment_id == appointment.id, ClientRequest.state != "superseded")
        .order_by(ClientRequest.created_at.desc(), ClientRequest.id.desc()).limit(1)).first()
    confirms = latest is not None and latest.kind == "confirm" and latest.slot_start == appointment.starts_at
    return latest if confirms else None


def confirmed(appointment: Appointment) -> bool:
    """Tell whether the client's latest word on the appointment's current date is that they come."""
    return _confirmation(appointment) is not None


def record_request(appointment: Appointment, kind: str, **details) -> ClientRequest:
    """Store a client's request; it replaces the client's earlier open one, which staff need not handle any more."""
    session = toolkit.session()
    now = toolkit.utcnow()
    confirmation = _confirmation(appointment) if kind == "confirm" else None
    if confirmation is not None:
        # Confirmed again (the reminder's link, a second tab): staff count one client coming, not two.
        return confirmation
    session.execute(update(ClientRequest).where(ClientRequest.appointment_id == appointment.id,
                                                ClientRequest.state == "open")
                    .values(state="superseded", handled_at=now, version=ClientRequest.version + 1)
                    .execution_options(synchronize_session=False))
    request = ClientRequest(appointment_id=appointment.id, kind=kind, language=toolkit.current_language(),
                            slot_start=appointment.starts_at, slot_status=appointment.status, created_at=now,
                            **details)
    session.add(request)
    if kind == "cancel" and answerable(appointment):
        free_date(appointment, now)
        # Reminders of a date the client gave back would only confuse, and an offer of an earlier date would tell
        # them their given-back date still stands: the office sends a new date by letter when they want one.
        session.execute(Reminder.__table__.delete().where(Reminder.appointment_id == appointment.id))
        session.execute(ShortNoticeEntry.__table__.delete().where(ShortNoticeEntry.appointment_id == appointment.id))
        withdraw_offers(appointment, now)
    session.flush()
    return request


# Built once: the result page and the form post pay neither for building these statements nor for the ORM.
_REQUESTS, _OFFERS, _SLOTS = ClientRequest.__table__.c, Offer.__table__.c, FreedSlot.__table__.c
_LAST_REQUEST = (select(_REQUESTS.kind, _REQUESTS.state, _REQUESTS.wants_new_date)
                 .where(_REQUESTS.appointment_id == bindparam("appointment_id"))
                 .order_by(_REQUESTS.created_at.desc(), _REQUESTS.id.desc()).limit(1))
_FLAGS = select(
    exists().where(Reminder.__table__.c.appointment_id == bindparam("appointment_id")).label("reminded"),
    exists().where(ShortNoticeEntry.__table__.c.appointment_id == bindparam("appointment_id")).label("waiting"))
_CURRENT_OFFERS = (select(_OFFERS.id, _OFFERS.state, _SLOTS.starts_at, _SLOTS.building, _SLOTS.room)
                   .join_from(Offer.__table__, FreedSlot.__table__, _SLOTS.id == _OFFERS.slot_id)
                   .where(_OFFERS.appointment_id == bindparam("appointment_id"),
                          ((_OFFERS.state == "open") & (_OFFERS.expires_at > bindparam("now")))
                          | (_OFFERS.state == "accepted"))
                   .order_by(_OFFERS.expires_at))


def panel(appointment: Row) -> dict:
    """Return what the result page shows of the self-service for a row found by matching.py, which says given_back."""
    connection = toolkit.session().connection()
    last_request = connection.execute(_LAST_REQUEST, {"appointment_id": appointment.id}).first()
    flags = connection.execute(_FLAGS, {"appointment_id": appointment.id}).one()
    offers = connection.execute(_CURRENT_OFFERS, {"appointment_id": appointment.id, "now": toolkit.utcnow()}).all()
    shown = {
        # As answerable(), with given_back() read in the lookup's own query.
        "upcoming": upcoming(appointment) and not appointment.given_back,
        "may_wait": may_wait_for_earlier(appointment) and not appointment.given_back,
        "last_request": last_request,
        "waiting": bool(flags.waiting),
        "offers": [(offer_token(offer), slot_text(offer)) for offer in offers if offer.state == "open"],
        "accepted": [slot_text(offer) for offer in offers if offer.state == "accepted"],
    }
    # Whether an accepted offer replaced a date of the client's own ("your previous date no longer holds").
    had_own_date = had_date(appointment) if shown["accepted"] else False
    # A closed appointment with no request behind it has nothing to answer: the page shows no empty section.
    return shown | {"token": action_token(appointment), "reminded": bool(flags.reminded),
                    "may_be_reminded": shown["upcoming"] and may_be_reminded(appointment),
                    "reminders_on_schedule": shown["upcoming"] and reminders_on_schedule(appointment),
                    # Without a date (postponed) there is no "current appointment" to keep nor an "earlier" one.
                    "dated": has_date(appointment), "had_own_date": had_own_date,
                    "empty": not any(shown.values())}


# Built once: an import publishes appointments.changed for every row it writes, and most have no open request.
_OPEN_REQUESTS = (select(ClientRequest, Appointment.starts_at, Appointment.status)
                  .join(Appointment, ClientRequest.appointment_id == Appointment.id)
                  .where(Appointment.public_id == bindparam("public_id"), ClientRequest.state == "open"))


def answer_by_import(payload: dict) -> None:
    """Mark open requests answered when the appointment's date or status changed since they were made."""
    now = toolkit.utcnow()
    for request, starts_at, status in toolkit.session().execute(_OPEN_REQUESTS, {"public_id": payload["public_id"]}):
        if request.slot_start != starts_at or request.slot_status != status:
            request.state, request.handled_at = "superseded", now


def purge(session, now: datetime) -> int:
    """Delete self-service data past its time (docs/self-service.md, "Data kept"); return how many rows went."""
    settings = toolkit.plugin_settings("appointments")
    requests_before = now - timedelta(days=settings["request_retention_days"])
    today_starts = datetime.combine(toolkit.office_today(now), datetime.min.time(), tzinfo=toolkit.office_zone())
    dated = select(Appointment.id).where(Appointment.starts_at.is_not(None), Appointment.starts_at >= today_starts,
                                         Appointment.status.in_(DATED_STATUSES))
    deleted = 0
    # The audit log's entries of the requests and freed slots name their appointment's reference: they go too.
    for audited in (("appointments_request", ClientRequest, ClientRequest.created_at < requests_before),
                    ("appointments_freed_slot", FreedSlot, FreedSlot.starts_at < requests_before)):
        target_type, model, expired = audited
        ids = session.execute(model.__table__.delete().where(expired).returning(model.id)).scalars().all()
        toolkit.forget_audit_details(target_type, ids)
        deleted += len(ids)
    for statement in (
        # The address goes the day after the appointment, or as soon as the appointment lost its date.
        Reminder.__table__.delete().where(Reminder.appointment_id.not_in(dated)),
        ShortNoticeEntry.__table__.delete().where(ShortNoticeEntry.created_at < now - timedelta(
            days=settings["short_notice_retention_days"])),
        Offer.__table__.delete().where(Offer.created_at < requests_before),
        # Once the slot's day has passed, an import that still shows the old date is the truth again.
        PendingMove.__table__.delete().where(PendingMove.moved_to < today_starts),
    ):
        deleted += session.execute(statement).rowcount
    return deleted


def queue_client_mail(address: str, subject: str, body: str):
    """Queue a mail to a client; None, logged, for an address stored before the forms refused those no mail reaches.

    A job or a colleague's action then goes on for everyone else instead of failing for all over one address.
    """
    try:
        return toolkit.queue_mail(address, subject, body, plugin="appointments")
    except ValueError:
        log.warning("a client's e-mail address cannot be written to; no mail queued")
        return None
