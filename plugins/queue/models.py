"""Tables of the waiting room: one row per ticket, a counter per queue and day for the waiting numbers, and the
figures of each day kept after its tickets are purged.

A ticket holds nothing personal: its queue, number, state and the times of
each state (for the expected wait and for statistics), when a transferred client came in, whether it is urgent,
the language an interpreter is needed for, and the desk and room it was
called to, and the name of a volunteer mediator helping. `arrival_public_id` is the arrival pass's random public id; it
links the pass page to the ticket and goes with the ticket.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Time,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit

# withdrawn: the appointment of a client waiting inside was cancelled or postponed that day.
STATES = ("waiting", "called", "in_service", "done", "missed", "transferred", "withdrawn")
# A desk has at most one client at a time: called or being served.
ACTIVE_STATES = ("called", "in_service")
ENDED_STATES = ("done", "missed", "transferred", "withdrawn")
ACTIVE_SQL = "state IN ('called', 'in_service')"


class Ticket(toolkit.Base):
    """A client's place in one queue on one day, from issue to its end (done, missed, transferred or withdrawn)."""

    __tablename__ = "queue_ticket"
    __table_args__ = (
        toolkit.one_of("state", STATES),
        toolkit.one_of("origin", ("check_in", "walk_in", "transfer")),
        Index("ix_queue_ticket_number", "queue", "day", "number", unique=True),
        Index("ix_queue_ticket_waiting", "day", "state", "queue"),
        # The database, not the view, makes sure one desk never holds two clients (a double click, a second tab).
        Index("ix_queue_ticket_one_per_desk", "desk", unique=True, sqlite_where=text(ACTIVE_SQL),
              postgresql_where=text(ACTIVE_SQL)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 192 random bits from `secrets`: the ticket page's address is the only key to it.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    location: Mapped[str] = mapped_column(String(80), default="")
    queue: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(String(2))
    origin: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(12), default="waiting")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Tickets are called by urgency, then this moment: the arrival window's start or the time of issue.
    rank_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime)
    window_start: Mapped[time | None] = mapped_column(Time, nullable=True)
    persons: Mapped[int] = mapped_column(SmallInteger, default=1)
    interpreter_language: Mapped[str] = mapped_column(String(12), default="")
    # Only this desk may call the ticket ('' for every desk of the queue): a transfer to a named desk.
    reserved_desk: Mapped[str] = mapped_column(String(40), default="")
    desk: Mapped[str | None] = mapped_column(String(40), nullable=True)
    room: Mapped[str] = mapped_column(String(60), default="")
    recalls: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(toolkit.UTCDateTime)
    # Only on a transfer's successor: when the client came in, the creation of the chain's first ticket. The wait in
    # this queue (and the statistics) still counts from `created_at`.
    arrived_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    called_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    last_called_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    served_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(toolkit.UTCDateTime, nullable=True)
    transferred_to_id: Mapped[int | None] = mapped_column(ForeignKey("queue_ticket.id", ondelete="SET NULL"),
                                                          nullable=True)
    # The volunteer language mediator who said "I'm helping" (their staff account and name), shown to the desk.
    mediator_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mediator_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Kept only to show the ticket on the arrival pass's page; deleted with the ticket.
    arrival_public_id: Mapped[str | None] = mapped_column(String(26), nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        """Return the waiting number as shown: prefix, space, three digits ('A 023')."""
        return f"{self.prefix} {self.number:03d}"


class Counter(toolkit.Base):
    """The last waiting number given in one queue on one day; its row lock serialises concurrent issues."""

    __tablename__ = "queue_counter"

    queue: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class DailyFigures(toolkit.Base):
    """Counts and minute sums of one day's tickets per hour of arrival (office time), queue and desk.

    Written by the purge just before it deletes the day's tickets, so statistics and open data outlive them.
    Anonymised: no numbers, tokens or single times, only how many and how long in sum.
    """

    __tablename__ = "queue_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    queue: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The desk that called the tickets ('' for tickets no desk called).
    desk: Mapped[str] = mapped_column(String(40), primary_key=True)
    clients: Mapped[int] = mapped_column(Integer, default=0)
    called: Mapped[int] = mapped_column(Integer, default=0)
    wait_minutes: Mapped[float] = mapped_column(Float, default=0)
    longest_wait_minutes: Mapped[float] = mapped_column(Float, default=0)
    served: Mapped[int] = mapped_column(Integer, default=0)
    service_minutes: Mapped[float] = mapped_column(Float, default=0)
    missed: Mapped[int] = mapped_column(Integer, default=0)
    # Called tickets a client got at the door or the Service Point (not transfers), for the open data.
    arrivals_called: Mapped[int] = mapped_column(Integer, default=0)
    arrivals_wait_minutes: Mapped[float] = mapped_column(Float, default=0)
    # Check-ins against their arrival windows.
    early: Mapped[int] = mapped_column(Integer, default=0)
    in_window: Mapped[int] = mapped_column(Integer, default=0)
    without_window: Mapped[int] = mapped_column(Integer, default=0)
