"""Table of the closures plugin: one row per closure, from its first to its last day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit


class Closure(toolkit.Base):
    """Days the office is closed, `starts_on` to `ends_on` inclusive, with the reason per language."""

    __tablename__ = "closures_closure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # {language code: text}; German is always there.
    reason: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")

    __mapper_args__ = {"version_id_col": version}
