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
    # Per language, the fingerprint of the source text its text was made for (toolkit.stamp_translations); None:
    # saved before they were kept.
    written_for: Mapped[dict | None] = mapped_column(JSON, nullable=True)
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

    def outdated_languages(self) -> set[str]:
        """Return the languages whose text was made for an earlier source text."""
        return toolkit.outdated_languages(self.written_for or {})

    def current_texts(self) -> dict[str, str]:
        """Return the texts visitors may read: the source text and the translations made for its words now."""
        outdated = self.outdated_languages()
        return {lang: text for lang, text in self.text.items() if text and lang not in outdated}

    def save_texts(self, texts: dict[str, str], still_fit: bool = False) -> None:
        """Store the texts, each with the source words it was made for; unchanged translations keep theirs."""
        fingerprint = toolkit.source_fingerprint(texts.get(toolkit.source_language(), ""))
        self.written_for = toolkit.stamp_translations(self.text or {}, texts, self.written_for or {}, fingerprint,
                                                      still_fit)
        self.text = texts
