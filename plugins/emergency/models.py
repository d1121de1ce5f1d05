"""Table of the emergency plugin: the requests clients send, each with its e-mail in the core's outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import toolkit
from portal.toolkit import MailMessage

CATEGORIES = ("permit", "work", "travel", "lost", "other")
STATES = ("new", "in_progress", "done")

# The language choice of a client who wants a reply in a language the portal does not offer.
OTHER_LANGUAGE = "other"

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
    # A code of the enabled languages, or OTHER_LANGUAGE with the client's words in other_language.
    language: Mapped[str] = mapped_column(String(5))
    other_language: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[str] = mapped_column(String(12), default="new", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, onupdate=toolkit.utcnow)

    # The e-mail to the emergency address, in the core's outbox; deleted with the request.
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("core_mail_outbox.id", ondelete="SET NULL"),
                                                nullable=True)
    mail: Mapped[MailMessage | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
