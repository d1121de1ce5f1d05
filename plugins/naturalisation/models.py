"""Tables of the naturalisation plugin: cases, their persons and handover appointments."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Time, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import toolkit

# A person waits for an appointment, has one planned, or has received the certificate.
WAITING, PLANNED, DONE = "waiting", "planned", "done"
# An appointment is planned, then done or missed; staff may cancel it.
APPOINTMENT_STATES = ("planned", "done", "missed", "cancelled")
BIRTH_KEY_PURPOSE = "naturalisation-birth-key"
# States that hold a room and time slot.
ACTIVE_STATES = ("planned", "done")

appointment_person = Table(
    "naturalisation_appointment_person",
    toolkit.Base.metadata,
    Column("appointment_id", ForeignKey("naturalisation_appointment.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("naturalisation_person.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class HandoverCase(toolkit.Base):
    """A naturalisation file whose certificates are ready to be handed over."""

    __tablename__ = "naturalisation_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    ready_on: Mapped[date] = mapped_column(Date)
    # Cases sharing a family group are invited on the same day; empty means the case is its own family.
    family_group: Mapped[str] = mapped_column(String(40), default="", index=True)
    # The client's language for the second half of the invitation letter; empty means the source language only.
    letter_language: Mapped[str] = mapped_column(String(5), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)

    persons: Mapped[list[HandoverPerson]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                         order_by="HandoverPerson.position")

    __mapper_args__ = {"version_id_col": version}

    @property
    def family_key(self) -> str:
        return f"group:{self.family_group}" if self.family_group else f"case:{self.reference}"


class HandoverPerson(toolkit.Base):
    """Someone whose certificate is ready; names stay in the case file.

    The date of birth is kept only as a keyed hash with the case reference (see
    birth_key): it is needed to check a lookup, never to show.
    """

    __tablename__ = "naturalisation_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("naturalisation_case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    birth_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default=WAITING, index=True)

    case: Mapped[HandoverCase] = relationship(back_populates="persons")
    appointments: Mapped[list[HandoverAppointment]] = relationship(secondary=appointment_person,
                                                                   back_populates="persons")


class HandoverAppointment(toolkit.Base):
    """One handover in one room at one time, for at most two persons of one family."""

    __tablename__ = "naturalisation_appointment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[time] = mapped_column(Time)
    office: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(10), default="planned")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow)
    updated_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime, default=toolkit.utcnow, onupdate=toolkit.utcnow)

    persons: Mapped[list[HandoverPerson]] = relationship(secondary=appointment_person, back_populates="appointments",
                                                         order_by="HandoverPerson.id")

    __mapper_args__ = {"version_id_col": version}
    # Two planners working at once cannot book the same room at the same time.
    __table_args__ = (
        Index("uq_naturalisation_appointment_slot", "day", "starts_at", "office", unique=True,
              postgresql_where=text("state IN ('planned', 'done')"),
              sqlite_where=text("state IN ('planned', 'done')")),
    )

    @property
    def cases(self) -> list[HandoverCase]:
        seen: dict[int, HandoverCase] = {}
        for person in self.persons:
            seen.setdefault(person.case_id, person.case)
        return list(seen.values())


def birth_key(reference: str, born: date) -> str:
    """Return the keyed hash of case reference and date of birth that is stored instead of the date."""
    return toolkit.keyed_hash(BIRTH_KEY_PURPOSE, toolkit.reference_key(reference), born.isoformat())


def persons_born(reference: str, births: list[date]) -> list[HandoverPerson]:
    """Return the persons of a case, numbered in the order of their dates of birth as given."""
    return [HandoverPerson(position=position, birth_key=birth_key(reference, born))
            for position, born in enumerate(births, start=1)]


# Lookups compare references without separators (toolkit.reference_key); the index serves that comparison, and
# keeps one case per reference however its parts are separated.
Index("ix_naturalisation_case_reference_key", toolkit.reference_key_expression(HandoverCase.reference), unique=True)
