"""Tables of the clients' self-service: requests, reminders, the short-notice list, freed slots, offers, moves.

Each row belongs to an appointment and goes with it (ON DELETE CASCADE); the
purge hook deletes them earlier on the schedule in docs/self-service.md.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, exists
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit

REQUEST_KINDS = ("confirm", "cancel", "new_date")
REQUEST_STATES = ("open", "handled", "superseded")
OFFER_STATES = ("open", "accepted", "gone")
APPOINTMENT_FK = "appointments_appointment.id"


class ClientRequest(toolkit.Base):
    """What a client asked for about an appointment: to confirm it, cancel it or get another date."""

    __tablename__ = "appointments_request"
    __table_args__ = (
        toolkit.one_of("kind", REQUEST_KINDS),
        toolkit.one_of("state", REQUEST_STATES),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey(APPOINTMENT_FK, ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    # For a new date: illness, travel, work, childcare or other; nothing else is asked.
    reason: Mapped[str] = mapped_column(String(10), default="")
    weekdays: Mapped[str] = mapped_column(String(40), default="")
    day_times: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    wants_new_date: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5))
    # The appointment's start and status when asked: an import that changes either answers the request.
    slot_start: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    slot_status: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    exported_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Reminder(toolkit.Base):
    """A client's consent to reminders by e-mail; the address is deleted the day after the appointment."""

    __tablename__ = "appointments_reminder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey(APPOINTMENT_FK, ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    # Set in the same UPDATE that claims the reminder, so a second run of the job sends nothing.
    first_sent_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)


class ShortNoticeEntry(toolkit.Base):
    """A client who can come at short notice, waiting for an earlier date."""

    __tablename__ = "appointments_short_notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey(APPOINTMENT_FK, ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(5))
    # The residence permit's expiry, the first measure of urgency.
    permit_expires: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, index=True)


class FreedSlot(toolkit.Base):
    """A date a client gave back, for staff to offer at short notice; taken once, by one offer."""

    __tablename__ = "appointments_freed_slot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, index=True)
    service: Mapped[str] = mapped_column(String(80))
    building: Mapped[str] = mapped_column(String(120), default="")
    room: Mapped[str] = mapped_column(String(40), default="")
    # The reference of the appointment that freed it, for the specialist system only.
    freed_reference: Mapped[str] = mapped_column(String(32))
    taken_by_offer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    taken_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    exported_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)


class PendingMove(toolkit.Base):
    """An appointment moved to a slot its client accepted, until the specialist system's export shows the move.

    Until then an import that still shows the appointment as it was before
    (``previous_*``) leaves the move in place; any other date in an import ends it.
    """

    __tablename__ = "appointments_pending_move"

    appointment_id: Mapped[int] = mapped_column(ForeignKey(APPOINTMENT_FK, ondelete="CASCADE"), primary_key=True)
    moved_to: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, index=True)
    previous_starts_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    previous_status: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)


def given_back_exists(reference, starts_at):
    """Return the SQL condition that the date starts_at of reference was given back (values, columns or parameters)."""
    return exists().where(FreedSlot.freed_reference == reference, FreedSlot.starts_at == starts_at)


class Offer(toolkit.Base):
    """A freed slot offered to one client on the short-notice list, valid until expires_at."""

    __tablename__ = "appointments_offer"
    __table_args__ = (
        toolkit.one_of("state", OFFER_STATES),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("appointments_freed_slot.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey(APPOINTMENT_FK, ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="open", index=True)
    expires_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
