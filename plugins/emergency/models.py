"""Tables of the emergency plugin: the requests clients send and the outbox that mails them to the office."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import toolkit

CATEGORIES = ("permit", "work", "travel", "lost", "other")
STATES = ("new", "in_progress", "done")
# Outbox: waiting for (another) attempt, claimed by a sender, accepted by the mail server, given up.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class EmergencyRequest(toolkit.Base):
    """An urgent matter a client sent while walk-in service is closed."""

    __tablename__ = "emergency_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    confirmation: Mapped[str] = mapped_column(String(12), unique=True)
    category: Mapped[str] = mapped_column(String(12), index=True)
    reference: Mapped[str] = mapped_column(String(40), default="")
    matter: Mapped[str] = mapped_column(Text)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    language: Mapped[str] = mapped_column(String(5))
    state: Mapped[str] = mapped_column(String(12), default="new", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, onupdate=toolkit.utcnow)

    outbox: Mapped[EmergencyOutboxMessage | None] = relationship(back_populates="request",
                                                                 cascade="all, delete-orphan", passive_deletes=True)

    __mapper_args__ = {"version_id_col": version}


class EmergencyOutboxMessage(toolkit.Base):
    """The e-mail to the emergency address for one request, and how its delivery goes."""

    __tablename__ = "emergency_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("emergency_request.id", ondelete="CASCADE"), unique=True)
    # Fixed before the first attempt, so a message sent twice after a crash can be recognised as one.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    # Whoever holds the lease may send; a sender that dies loses it when lease_until passes.
    lease_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")

    request: Mapped[EmergencyRequest] = relationship(back_populates="outbox")
