"""Short-notice offers: a freed slot goes to the most urgent clients on the list; the first to accept takes it.

Taking is one conditional UPDATE of the slot (``taken_by_offer_id IS NULL``):
of two acceptances at the same moment the database lets exactly one through,
on PostgreSQL as on SQLite. The taker's appointment moves to the slot at once
(its pass, the desk's list and the result page follow), and stays there while
imports still show it as before, until the specialist system moves it too
(``PendingMove``; the importer and the purge end it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import exists, select, update

from portal import toolkit
from portal.toolkit import _

from .models import Appointment
from .publishing import publish_changed
from .selfservice import (
    free_date,
    given_back,
    has_date,
    moment_text,
    offer_token,
    office_name,
    queue_client_mail,
    reference_line,
    slot_text,
    upcoming,
)
from .selfservice_models import FreedSlot, Offer, PendingMove, ShortNoticeEntry, given_back_exists
from .statuses import STATUSES


def candidates(slot: FreedSlot, count: int) -> list[tuple[ShortNoticeEntry, Appointment]]:
    """Return the clients to offer a slot to: same service, a later date not given back or none, no open offer.

    Most urgent first: the residence permit's expiry (soonest first, unknown last), then the time on the list.
    """
    already_offered = exists().where(Offer.appointment_id == ShortNoticeEntry.appointment_id,
                                     Offer.state == "open", Offer.expires_at > toolkit.utcnow())
    query = (select(ShortNoticeEntry, Appointment).join(Appointment, Appointment.id == ShortNoticeEntry.appointment_id)
             .where(Appointment.service == slot.service, Appointment.reference != slot.freed_reference,
                    (Appointment.starts_at.is_(None)) | (Appointment.starts_at > slot.starts_at), ~already_offered,
                    ~given_back_exists(Appointment.reference, Appointment.starts_at))
             .order_by(ShortNoticeEntry.permit_expires.asc().nulls_last(), ShortNoticeEntry.created_at,
                       ShortNoticeEntry.id)
             .limit(count))
    return list(toolkit.session().execute(query).all())


def _why_offered() -> str:
    """Say why a client on the short-notice list gets a mail about an earlier date."""
    return _("Sie bekommen diese E-Mail, weil Sie sich im Portal des Amts für kurzfristige Termine gemeldet haben.")


def _offer_mail(entry: ShortNoticeEntry, appointment: Appointment, offer: Offer,
                slot: FreedSlot) -> toolkit.MailMessage | None:
    # A postponed client has no date: nothing is "earlier", and nothing of theirs "stays".
    dated = has_date(appointment)
    with force_locale(entry.language):
        link = toolkit.public_url_for("appointments.offer", token=offer_token(offer), lang=entry.language)
        subject = _("Früherer Termin frei: Möchten Sie ihn?") if dated else _("Termin frei: Möchten Sie ihn?")
        # Who writes, about which letter, and why: a mail with a link and neither would pass for phishing.
        body = "\n\n".join([
            (_("Beim %(office)s ist ein früherer Termin frei geworden: %(slot)s.", office=office_name(),
               slot=slot_text(slot)) if dated else
             _("Beim %(office)s ist ein Termin frei geworden: %(slot)s.", office=office_name(), slot=slot_text(slot))),
            reference_line(appointment),
            _why_offered(),
            _("Wer zuerst zusagt, bekommt ihn. Das Angebot gilt bis %(until)s.", until=moment_text(offer.expires_at)),
            _("Zusagen:") + f"\n{link}",
            _("Wenn Sie nichts tun, bleibt Ihr bisheriger Termin.") if dated else
            _("Wenn Sie nichts tun, bleiben Sie auf der Liste für kurzfristige Termine."),
        ])
    return queue_client_mail(entry.email, subject, body)


def offers_close(slot: FreedSlot) -> datetime:
    """Return when offers of a slot close: accepted any later, the client could not get there in time."""
    return slot.starts_at - timedelta(hours=toolkit.plugin_settings("appointments")["offer_closes_hours_before"])


def offer_slot(slot: FreedSlot) -> list[Offer]:
    """Offer a free slot to the next candidates (mails queued, committed by the caller); return the offers made."""
    settings = toolkit.plugin_settings("appointments")
    now = toolkit.utcnow()
    closes = offers_close(slot)
    if slot.taken_by_offer_id is not None or closes <= now:
        return []
    expires = min(now + timedelta(hours=settings["offer_hours"]), closes)
    made = []
    for entry, appointment in candidates(slot, settings["offer_candidates"]):
        offer = Offer(slot_id=slot.id, appointment_id=appointment.id, state="open", expires_at=expires, created_at=now)
        toolkit.session().add(offer)
        toolkit.session().flush()
        if entry.email:
            _offer_mail(entry, appointment, offer, slot)
        made.append(offer)
    return made


def accept(offer: Offer) -> bool:
    """Take the offer's slot if nobody took it first (True again for an offer taken already); the others are told it
    is gone. The caller commits."""
    session = toolkit.session()
    now = toolkit.utcnow()
    if offer.state == "accepted":
        return True  # sent twice (a double click, Back and send again): the slot is the client's
    if offer.state != "open" or offer.expires_at <= now:
        return False
    if given_back(session.get(Appointment, offer.appointment_id)):
        # Offered before its client gave the date back: moving it now would undo what they said.
        offer.state, offer.answered_at = "gone", now
        return False
    taken = session.execute(update(FreedSlot).where(FreedSlot.id == offer.slot_id,
                                                    FreedSlot.taken_by_offer_id.is_(None))
                            .values(taken_by_offer_id=offer.id, taken_at=now)
                            .execution_options(synchronize_session=False)).rowcount == 1
    if not taken:
        offer.state, offer.answered_at = "gone", now
        return False
    offer.state, offer.answered_at = "accepted", now
    for other in session.scalars(select(Offer).where(Offer.slot_id == offer.slot_id, Offer.id != offer.id,
                                                     Offer.state == "open")):
        other.state, other.answered_at = "gone", now
        _gone_mail(other)
    # Placed: the client leaves the list; the next export tells the specialist system.
    session.execute(ShortNoticeEntry.__table__.delete().where(ShortNoticeEntry.appointment_id == offer.appointment_id))
    _move(session.get(Appointment, offer.appointment_id), session.get(FreedSlot, offer.slot_id), now)
    return True


def _move(appointment: Appointment, slot: FreedSlot, now) -> None:
    """Move the appointment to the slot its client took, free its old date, and tell the other plugins."""
    session = toolkit.session()
    move = session.get(PendingMove, appointment.id)
    if move is None:
        # What the specialist system shows until it has moved the appointment itself: imports showing it keep the move.
        session.add(PendingMove(appointment_id=appointment.id, moved_to=slot.starts_at,
                                previous_starts_at=appointment.starts_at, previous_status=appointment.status,
                                created_at=now))
    else:
        move.moved_to = slot.starts_at
    if upcoming(appointment):
        # The offer said so: the old date is free for someone else, like one given back.
        free_date(appointment, now)
    if not STATUSES[appointment.status].has_date:
        appointment.status, appointment.status_changed_at = "scheduled", now
    appointment.starts_at, appointment.building, appointment.room = slot.starts_at, slot.building, slot.room
    appointment.updated_at = now
    session.flush()
    publish_changed(appointment)


def _gone_mail(offer: Offer) -> None:
    entry = toolkit.session().scalars(select(ShortNoticeEntry)
                                      .where(ShortNoticeEntry.appointment_id == offer.appointment_id)).first()
    if entry is None or not entry.email:
        return
    appointment = toolkit.session().get(Appointment, offer.appointment_id)
    dated = has_date(appointment)
    with force_locale(entry.language):
        body = "\n\n".join([
            _("Jemand anderes hat den früheren Termin (%(office)s) schneller angenommen. Ihr bisheriger Termin "
              "bleibt, und Sie bleiben auf der Liste für kurzfristige Termine.", office=office_name()) if dated else
            _("Jemand anderes hat den Termin (%(office)s) schneller angenommen. Sie bleiben auf der Liste für "
              "kurzfristige Termine.", office=office_name()),
            reference_line(appointment),
            _why_offered(),
        ])
        subject = _("Der frühere Termin ist schon vergeben") if dated else _("Der Termin ist schon vergeben")
        queue_client_mail(entry.email, subject, body)

