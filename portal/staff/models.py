"""Staff accounts, their server-side sessions, and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow


class StaffAccount(Base):
    """A member of staff who signs in with e-mail and password."""

    __tablename__ = "core_staff_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    sessions: Mapped[list[StaffSession]] = relationship(back_populates="account", cascade="all, delete-orphan")

    def has_role(self, role: str) -> bool:
        """Tell whether the account may act in `role`; admins may act in every role."""
        return self.active and (self.role == role or self.role == "admin")


class StaffSession(Base):
    """A signed-in session; deleting the row signs the browser out everywhere it is used."""

    __tablename__ = "core_staff_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("core_staff_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[StaffAccount] = relationship(back_populates="sessions")


class AuditEntry(Base):
    """One change made by staff: who, what, when, and the values before and after."""

    __tablename__ = "core_audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Kept as text, not a foreign key, so the log outlives a deleted account.
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str] = mapped_column(String(80))
    target_id: Mapped[str] = mapped_column(String(80))
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")

    # The log narrowed to one area of the portal reads its target types newest first.
    __table_args__ = (Index("ix_core_audit_entry_target_type_at", "target_type", "at"),)
