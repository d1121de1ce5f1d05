"""Tables of the checklists plugin: yes/no questions, services and every saved version of a service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import toolkit

# A service's content, as stored on the service and in each version:
# {"title": {lang: str}, "summary": {lang: str}, "published": bool,
#  "items": [{"key": str, "text": {lang: str}, "hint": {lang: str}, "condition": question key | None,
#             "example": bool}]}
# Item keys never change once given, so ticks kept in a browser survive edits. The service's content and each
# item may also have STAMPS: per language, the fingerprint of the source words its texts were made for.
STAMPS = "written_for"


class Question(toolkit.Base):
    """A yes/no question that decides whether items with its key as condition apply."""

    __tablename__ = "checklists_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The question asked ("Sind Sie angestellt?") and the heading of its items ("Wenn Sie angestellt sind").
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    label: Mapped[dict] = mapped_column(JSON, default=dict)
    # Per language, the fingerprint of the source words its text and label were made for; None: saved before.
    written_for: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")

    __mapper_args__ = {"version_id_col": version}

    def texts(self) -> dict:
        """Return the question's texts with their fingerprints, shaped like an item of a service's content."""
        return {"text": self.text, "label": self.label, STAMPS: self.written_for}


class Service(toolkit.Base):
    """A service of the office with its current checklist; `version` is the number of its newest version."""

    __tablename__ = "checklists_service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)

    versions: Mapped[list[ServiceVersion]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServiceVersion.number.desc()")

    __mapper_args__ = {"version_id_col": version}


class ServiceVersion(toolkit.Base):
    """One saved state of a service's checklist: who saved it, when, and the whole content."""

    __tablename__ = "checklists_service_version"
    __table_args__ = (UniqueConstraint("service_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The unique constraint on (service_id, number) also serves lookups by service.
    service_id: Mapped[int] = mapped_column(ForeignKey("checklists_service.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    created_by: Mapped[str] = mapped_column(String(254))
    # What the save did, shown translated: created, edited, translated (detail: language), restored
    # (detail: the version number brought back), defaults (loaded from the shipped content) or shipped_languages
    # (shipped translations added to texts that lacked them).
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(20), default="")

    service: Mapped[Service] = relationship(back_populates="versions")
