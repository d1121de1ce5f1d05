"""Notices and their texts in each language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import toolkit

CATEGORIES = {
    "opening": toolkit._l("Öffnung und Termine"),
    "location": toolkit._l("Standort und Anfahrt"),
    "payment": toolkit._l("Bezahlung"),
    "rules": toolkit._l("Regeln im Haus"),
    "general": toolkit._l("Allgemein"),
}
PRIORITIES = {
    "normal": toolkit._l("Normal"),
    "important": toolkit._l("Wichtig"),
    "urgent": toolkit._l("Dringend"),
}
STATES = ("draft", "published")
# The stored state in words; where a published notice stands for visitors (planned, expired) says staff.status_label.
STATE_LABELS = {
    "draft": toolkit._l("Entwurf"),
    "published": toolkit._l("Veröffentlicht"),
}


class Notice(toolkit.Base):
    """A message from the office, shown to visitors while it is published and inside its window."""

    __tablename__ = "notices_notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(30))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    state: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    starts_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    # Set by every save that writes the row (a text's change writes it too: its version moves), never by one that
    # changes nothing.
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, onupdate=toolkit.utcnow)
    # Sent with every edit form; a save based on an older version is a conflict, never an overwrite.
    version: Mapped[int] = mapped_column(Integer, default=1)

    texts: Mapped[list[NoticeText]] = relationship(back_populates="notice", cascade="all, delete-orphan",
                                                   order_by="NoticeText.lang", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    def text_by_language(self) -> dict[str, NoticeText]:
        """Return the notice's texts keyed by language code."""
        return {text.lang: text for text in self.texts}

    def outdated_languages(self) -> set[str]:
        """Return the languages whose text was translated from words of the source language changed since."""
        return toolkit.outdated_languages({lang: text.written_for for lang, text in self.text_by_language().items()})

    def current_texts(self) -> dict:
        """Return the texts visitors may read: the source language's and the translations of its current words."""
        outdated = self.outdated_languages()
        return {lang: text for lang, text in self.text_by_language().items() if lang not in outdated}

    def is_visible(self, now: datetime) -> bool:
        """Tell whether visitors see the notice at this moment."""
        return self.state == "published" and self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


class NoticeText(toolkit.Base):
    """A notice's title and Markdown body in one language."""

    __tablename__ = "notices_text"
    __table_args__ = (UniqueConstraint("notice_id", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices_notice.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The fingerprint (toolkit.source_fingerprint) of the source language's title and text this text was made for; the
    # source text's own. None: saved before fingerprints were kept, and taken as current until the source text
    # changes ("": made for earlier words).
    written_for: Mapped[str | None] = mapped_column(String(16), nullable=True)

    notice: Mapped[Notice] = relationship(back_populates="texts")
