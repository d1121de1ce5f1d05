"""Tables of the appointments plugin: one row per appointment, keyed by the reference on the letter."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit

from .statuses import STATUS_CODES


def new_public_id() -> str:
    """Return a new public id: 16 random bytes in Base32, upper case, without padding (26 characters)."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")


class Appointment(toolkit.Base):
    """An appointment as exported by the office's specialist system, without name or address.

    The date of birth is kept only as a keyed hash together with the reference
    (see matching.birth_key): it is needed to check a lookup, never to show.
    """

    __tablename__ = "appointments_appointment"
    __table_args__ = (
        toolkit.one_of("status", STATUS_CODES),
        CheckConstraint("persons_allowed BETWEEN 1 AND 2", name="persons_allowed"),
        Index("ix_appointments_appointment_status_changed", "status", "status_changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # Names the appointment to other plugins and on passes: random, so it reveals nothing and cannot be guessed.
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    birth_key: Mapped[str] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True, index=True)
    building: Mapped[str] = mapped_column(String(120), default="")
    room: Mapped[str] = mapped_column(String(40), default="")
    persons_allowed: Mapped[int] = mapped_column(SmallInteger, default=1)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    # When an export last contained the appointment; an import also tells duplicates apart by it.
    imported_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)

    __mapper_args__ = {"version_id_col": version}

    def snapshot(self) -> dict:
        """Return the fields staff may change, for the audit log."""
        return {"status": self.status, "starts_at": self.starts_at.isoformat() if self.starts_at else None,
                "building": self.building, "room": self.room, "persons_allowed": self.persons_allowed}


# Lookups compare references without separators (toolkit.reference_key); the index serves that comparison.
Index("ix_appointments_appointment_reference_key", toolkit.reference_key_expression(Appointment.reference))
