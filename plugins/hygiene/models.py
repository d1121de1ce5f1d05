"""Table of the hygiene plugin: one row per rule, with its parameters, texts, place and time of validity."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit


class Rule(toolkit.Base):
    """A rule visitors must follow, in force from `starts_on` to `ends_on` (inclusive) unless ended early."""

    __tablename__ = "hygiene_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    # Parameters the texts refer to as {persons} and {metres}; only the kinds that need them have them.
    persons: Mapped[int | None] = mapped_column(Integer, nullable=True)
    metres: Mapped[Decimal | None] = mapped_column(Numeric(4, 2), nullable=True)
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    # One of the office's configured locations; empty for every location.
    location: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")

    __mapper_args__ = {"version_id_col": version}
