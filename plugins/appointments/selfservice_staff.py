"""Staff pages of the self-service: the inbox of clients' requests, freed slots and offers, and the CSV export."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import groupby

from flask import Response, abort, flash, redirect, render_template, url_for
from sqlalchemy import func, select, update

from portal import toolkit
from portal.toolkit import _

from .models import Appointment
from .offers import offer_slot, offers_close
from .selfservice import DAY_TIMES, KIND_LABELS, REASONS, WEEKDAYS
from .selfservice_models import ClientRequest, FreedSlot, Offer, PendingMove, ShortNoticeEntry
from .staff import bp

PAGE_SIZE = 50
INBOX_DAYS = 14
EXPORT_HEADER = ("kind", "reference", "requested_at", "date", "time", "building", "room", "freed_reference",
                 "wants_new_date", "reason", "weekdays", "day_times", "note")


def _labels(codes: str, labels: dict) -> str:
    return ", ".join(str(labels[code]) for code in codes.split(",") if code in labels)


def request_details(request: ClientRequest) -> str:
    """Return a request's reason, days, times and note as one line for staff."""
    # The note is the client's own words, maybe right to left: isolated from the staff page's labels around it.
    parts = [str(REASONS[request.reason]) if request.reason in REASONS else "", _labels(request.weekdays, WEEKDAYS),
             _labels(request.day_times, DAY_TIMES), toolkit.isolate(request.note)]
    if request.kind == "cancel":
        parts.insert(0, _("neuer Termin gewünscht") if request.wants_new_date else _("kein neuer Termin"))
    return " · ".join(part for part in parts if part)


@bp.route("/self-service/")
def selfservice_inbox():
    session = toolkit.session()
    since = toolkit.utcnow() - timedelta(days=INBOX_DAYS)
    # What clients say now: a request a later one of the same client replaced is not counted.
    per_day = Counter((toolkit.office_today(created_at), kind) for created_at, kind in session.execute(
        select(ClientRequest.created_at, ClientRequest.kind).where(ClientRequest.created_at >= since,
                                                                   ClientRequest.state != "superseded")))
    days = sorted({day for day, _kind in per_day}, reverse=True)
    requests = toolkit.paginate(select(ClientRequest).where(ClientRequest.state == "open")
                                .order_by(ClientRequest.created_at, ClientRequest.id), PAGE_SIZE)
    ids = {request.appointment_id for request in requests.items}
    appointments = {appointment.id: appointment for appointment in session.scalars(
        select(Appointment).where(Appointment.id.in_(ids)))} if ids else {}
    waiting = session.execute(select(ShortNoticeEntry, Appointment)
                              .join(Appointment, Appointment.id == ShortNoticeEntry.appointment_id)
                              .order_by(ShortNoticeEntry.permit_expires.asc().nulls_last(),
                                        ShortNoticeEntry.created_at)).all()
    slots = session.scalars(select(FreedSlot).where(FreedSlot.starts_at > toolkit.utcnow())
                            .order_by(FreedSlot.starts_at)).all()
    slot_days = [(day, list(group)) for day, group in groupby(slots, key=lambda slot: toolkit.office_today(
        slot.starts_at))]
    offers = session.execute(select(Offer, Appointment, FreedSlot)
                             .join(Appointment, Appointment.id == Offer.appointment_id)
                             .join(FreedSlot, FreedSlot.id == Offer.slot_id)
                             .where(Offer.state.in_(("open", "accepted")))
                             .order_by(FreedSlot.starts_at, Offer.id)).all()
    moved = set(session.scalars(select(PendingMove.appointment_id)))
    return render_template("appointments/selfservice/staff_inbox.html", per_day=per_day, days=days,
                           kinds=KIND_LABELS, requests=requests, appointments=appointments, waiting=waiting,
                           slot_days=slot_days, offers=offers, details=request_details, form=toolkit.VersionForm(),
                           offers_close=offers_close, moved=moved,
                           now=toolkit.utcnow())


@bp.route("/self-service/requests/<int:request_id>/handled", methods=["POST"])
def selfservice_handled(request_id: int):
    session = toolkit.session()
    client_request = session.get(ClientRequest, request_id) or abort(404)
    form = toolkit.VersionForm()
    if not form.validate_on_submit():
        abort(400)

    def mark():
        client_request.state, client_request.handled_at = "handled", toolkit.utcnow()

    if client_request.state != "open" or not toolkit.save_if_current(client_request, form.version.data, mark):
        flash(_("Diese Anfrage wurde inzwischen schon bearbeitet oder geändert."), "error")
        return redirect(url_for(".selfservice_inbox"))
    # The kind and the reference, not a label in the writer's language: the log names the kind in the reader's.
    appointment = session.get(Appointment, client_request.appointment_id)
    toolkit.audit("handled", "appointments_request", client_request.id, before={"state": "open"},
                  after={"state": "handled", "kind": client_request.kind}, summary=appointment.reference)
    session.commit()
    flash(_("Als erledigt markiert."), "success")
    return redirect(url_for(".selfservice_inbox"))


@bp.route("/self-service/slots/<int:slot_id>/offer", methods=["POST"])
def selfservice_offer(slot_id: int):
    session = toolkit.session()
    slot = session.get(FreedSlot, slot_id) or abort(404)
    if not toolkit.VersionForm().validate_on_submit():
        abort(400)
    # A double click or a colleague's click at the same moment waits here, then finds the offers made: one round of
    # offers at a time, not the next candidates offered the same slot too.
    toolkit.hold(slot)
    if offers_close(slot) <= toolkit.utcnow():
        flash(_("Dieser Termin beginnt zu bald, um ihn noch anzubieten."), "error")
        return redirect(url_for(".selfservice_inbox"))
    if session.scalar(select(func.count()).select_from(Offer).where(
            Offer.slot_id == slot.id, Offer.state == "open", Offer.expires_at > toolkit.utcnow())):
        flash(_("Dieser Termin ist schon angeboten; die offenen Angebote stehen unter „Angebote“."), "error")
        return redirect(url_for(".selfservice_inbox"))
    offers = offer_slot(slot)
    if not offers:
        flash(_("Niemand auf der Liste passt zu diesem Termin."), "error")
        return redirect(url_for(".selfservice_inbox"))
    toolkit.audit("offer", "appointments_freed_slot", slot.id, after={"offers": [offer.id for offer in offers]},
                  summary=slot.freed_reference)
    session.commit()
    flash(_("Angebote verschickt: %(count)d", count=len(offers)), "success")
    return redirect(url_for(".selfservice_inbox"))


def _local(moment, pattern: str) -> str:
    return toolkit.office_now(moment).strftime(pattern) if moment else ""


@bp.route("/self-service/export", methods=["POST"])
def selfservice_export():
    """Export what clients asked for since the last export, for the specialist system, and mark it exported."""
    if not toolkit.VersionForm().validate_on_submit():
        abort(400)
    session = toolkit.session()
    now = toolkit.utcnow()
    requests = session.execute(select(ClientRequest, Appointment)
                               .join(Appointment, Appointment.id == ClientRequest.appointment_id)
                               .where(ClientRequest.exported_at.is_(None), ClientRequest.state != "superseded")
                               .order_by(ClientRequest.id)).all()
    taken = session.execute(select(FreedSlot, Appointment, Offer).join(Offer, Offer.id == FreedSlot.taken_by_offer_id)
                            .join(Appointment, Appointment.id == Offer.appointment_id)
                            .where(FreedSlot.exported_at.is_(None)).order_by(FreedSlot.id)).all()
    rows = [(request.kind, appointment.reference, _local(request.created_at, "%Y-%m-%d %H:%M"),
             _local(request.slot_start, "%d.%m.%Y"), _local(request.slot_start, "%H:%M"), appointment.building,
             appointment.room, "", "yes" if request.wants_new_date else "no", request.reason, request.weekdays,
             request.day_times, request.note) for request, appointment in requests]
    rows += [("take_slot", appointment.reference, _local(offer.answered_at, "%Y-%m-%d %H:%M"),
              _local(slot.starts_at, "%d.%m.%Y"), _local(slot.starts_at, "%H:%M"), slot.building, slot.room,
              slot.freed_reference, "no", "", "", "", "") for slot, appointment, offer in taken]
    if requests:
        session.execute(update(ClientRequest).where(ClientRequest.id.in_([r.id for r, _a in requests]))
                        .values(exported_at=now).execution_options(synchronize_session=False))
    if taken:
        session.execute(update(FreedSlot).where(FreedSlot.id.in_([s.id for s, _a, _o in taken]))
                        .values(exported_at=now).execution_options(synchronize_session=False))
    toolkit.audit("export", "appointments_selfservice_export", toolkit.office_now(now).isoformat(timespec="seconds"),
                  after={"rows": len(rows)})
    session.commit()
    filename = f"self-service-{toolkit.office_now(now):%Y%m%d-%H%M}.csv"
    return Response(toolkit.write_csv(EXPORT_HEADER, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
