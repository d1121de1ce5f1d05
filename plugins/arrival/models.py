"""Tables of the arrival plugin: the keys that sign passes, and one row per issued pass with its check-in."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, Integer, SmallInteger, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit


class ArrivalPass(toolkit.Base):
    """A pass as issued: the public facts it carries, whether it was revoked and when its holder came in.

    Check-ins record the door device's label and the staff account's id, never
    anything about the client.
    """

    __tablename__ = "arrival_pass"
    __table_args__ = (CheckConstraint("persons BETWEEN 1 AND 255", name="persons"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(26), unique=True)
    key_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date, index=True)
    window_start: Mapped[time] = mapped_column(Time)
    window_end: Mapped[time] = mapped_column(Time)
    persons: Mapped[int] = mapped_column(SmallInteger)
    service_group: Mapped[str] = mapped_column(String(40))
    interpreter_language: Mapped[str] = mapped_column(String(12), default="")
    issued_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    checked_in_device: Mapped[str] = mapped_column(String(80), default="")
    checked_in_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SigningKey(toolkit.Base):
    """A key that signs passes: its public key, its private key sealed with the portal's secret, and its dates."""

    __tablename__ = "arrival_signing_key"

    key_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    public_key: Mapped[str] = mapped_column(String(44))
    # Base64 of a nonce, the 32-byte private key encrypted with AES-GCM, and the tag: 80 characters.
    sealed_private_key: Mapped[str] = mapped_column(String(120))
    created_on: Mapped[date] = mapped_column(Date)
    retired_on: Mapped[date | None] = mapped_column(Date, nullable=True)
