"""Tables of the interpreters plugin: the glossary and the times when language help is on offer."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, Time, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import toolkit


class GlossaryTerm(toolkit.Base):
    """An administrative word with a plain explanation, in the language staff wrote it in; translations hang below."""

    __tablename__ = "interpreters_glossary_term"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stable address of the term; made once from the word and never changed.
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    # The language term and explanation are in: the source language when they were saved.
    lang: Mapped[str] = mapped_column(String(8))
    term: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text)
    # Every language version, folded to lower case without accents, so one LIKE finds a word in any of them.
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, onupdate=toolkit.utcnow)

    translations: Mapped[list[GlossaryTranslation]] = relationship(
        back_populates="glossary_term", cascade="all, delete-orphan", lazy="selectin",
        order_by="GlossaryTranslation.lang")

    __mapper_args__ = {"version_id_col": version}

    def versions(self) -> dict[str, tuple[str, str]]:
        """Return (term, explanation) by language, the term's own included."""
        return {language: version for language, version in self.stored_versions().items() if all(version)}

    def stored_versions(self) -> dict[str, tuple[str, str]]:
        """Return (term, explanation) by language, the versions staff removed included as empty ones."""
        return {translation.lang: (translation.term, translation.explanation)
                for translation in self.translations} | {self.lang: (self.term, self.explanation)}


class GlossaryTranslation(toolkit.Base):
    """A glossary term and its explanation in one language other than the term's own."""

    __tablename__ = "interpreters_glossary_translation"
    __table_args__ = (UniqueConstraint("term_id", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("interpreters_glossary_term.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(8))
    term: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text)

    glossary_term: Mapped[GlossaryTerm] = relationship(back_populates="translations")


class HelpTime(toolkit.Base):
    """A time and place where volunteers help in some languages; it disappears once it is over."""

    __tablename__ = "interpreters_help_time"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    # Local office time; the day and these times are what the office announces.
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    # Codes of enabled portal languages, separated by spaces.
    languages: Mapped[str] = mapped_column(String(100), default="")
    # Languages the portal has no pages in (for example Kurdish), written in the source language.
    other_languages: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200))
    # Help on the phone need not keep to the office's opening hours; help in the building must.
    by_phone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, onupdate=toolkit.utcnow)

    __mapper_args__ = {"version_id_col": version}

    @property
    def language_codes(self) -> list[str]:
        """Return the language codes as a list."""
        return self.languages.split()
