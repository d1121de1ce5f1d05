"""The waiting room's functions: queues and desks from the settings, issuing tickets, calling and ending them.

Everything that changes a ticket is here, so every page (the desk, the
Service Point, later the call display or the mediators' view) changes tickets
the same way: each change writes the audit log and advances the live topic
of the ticket's location (`topic`), in the caller's transaction; the caller
commits. Reading functions (`waiting`, `ahead`, `expected_wait`, `resolve`)
change nothing.

Order of calling, per queue: urgent tickets first, then by `rank_at` (the
arrival window's start for queues ordered by window, the time of issue for
first come first served), then by number.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal import toolkit
from portal.toolkit import _, _l

from .models import ACTIVE_STATES, Counter, Ticket

KIND_TITLES = {"appointments": _l("Termine"), "service_point": _l("Service Point"),
               "naturalisation": _l("Einbürgerung")}
# How many finished tickets of the day make its own service times count instead of the configured default.
ENOUGH_FINISHED = 3
# How far one estimate is trusted: the range shown is this share below and above it.
ESTIMATE_SPREAD = 0.3


class QueueError(Exception):
    """A change that does not fit the ticket's state; the message is translated for staff."""


@dataclass(frozen=True)
class Queue:
    """A queue from the settings, with its location resolved (the office's first when not named)."""

    slug: str
    kind: str
    titles: dict
    prefix: str
    location: str
    service_groups: tuple[str, ...]
    order: str
    recall_count: int
    recall_gap: timedelta

    @property
    def title(self) -> str:
        """Return its title in the visitor's language, else the source language's, else the kind's."""
        chosen = toolkit.pick_translation(self.titles) if self.titles else None
        return chosen.value if chosen else str(KIND_TITLES[self.kind])


@dataclass(frozen=True)
class Desk:
    """A desk or room from the settings, with its location resolved."""

    slug: str
    name: str
    room: str
    location: str
    queues: tuple[str, ...]


def _first_location() -> str:
    locations = toolkit.portal_settings()["office"]["locations"]
    return locations[0] if locations else ""


def queues() -> list[Queue]:
    """Return every configured queue, in the configured order."""
    first = _first_location()
    return [Queue(slug=q["slug"], kind=q["kind"], titles=dict(q["title"]), prefix=q["prefix"],
                  location=q["location"] or first, service_groups=tuple(q["service_groups"]), order=q["order"],
                  recall_count=q["recall_count"], recall_gap=timedelta(seconds=q["recall_gap_seconds"]))
            for q in _settings()["queues"]]


def desks() -> list[Desk]:
    """Return every configured desk, in the configured order."""
    first = _first_location()
    return [Desk(slug=d["slug"], name=d["name"], room=d["room"], location=d["location"] or first,
                 queues=tuple(d["queues"])) for d in _settings()["desks"]]


def find_queue(slug: str) -> Queue | None:
    """Return the queue with this slug, or None."""
    return next((queue for queue in queues() if queue.slug == slug), None)


def find_desk(slug: str) -> Desk | None:
    """Return the desk with this slug, or None."""
    return next((desk for desk in desks() if desk.slug == slug), None)


def desk_name(slug: str | None) -> str:
    """Return the name of the desk a ticket went to; a desk since removed from the settings by its slug."""
    desk = find_desk(slug or "")
    return desk.name if desk else (slug or "")


def queue_for_group(service_group: str) -> Queue | None:
    """Return the queue that takes a service group's check-ins: the one naming it, else the one taking '*'."""
    every = queues()
    return (next((queue for queue in every if service_group in queue.service_groups), None)
            or next((queue for queue in every if "*" in queue.service_groups), None))


def service_point() -> Queue | None:
    """Return the first Service Point queue (walk-ins and transfers to the Service Point go there), or None."""
    return next((queue for queue in queues() if queue.kind == "service_point"), None)


def service_point_place():
    """Return where clients find the Service Point (toolkit.pick_translation's answer), or None when not set."""
    places = _settings()["service_point_place"]
    return toolkit.pick_translation(places) if places else None


def takes_walk_ins(queue: Queue) -> bool:
    """Tell whether staff may issue a queue's numbers to clients without an appointment now."""
    return queue.kind == "service_point" and _settings()["walk_ins"]


def location_slug(location: str) -> str:
    """Return a location's name as used in live topics: ASCII letters, digits and '-' ('office' for one place)."""
    plain = unicodedata.normalize("NFKD", location.replace("ß", "ss")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60] or "office"


def topic(location: str) -> str:
    """Return the live topic of a location: it advances whenever a ticket there changes."""
    return slug_topic(location_slug(location))


def slug_topic(slug: str) -> str:
    """Return the live topic of a location named by its slug."""
    return f"queue:{slug}"


def locations() -> dict[str, str]:
    """Return the locations that have queues, by their slug (as the addresses of displays and boards use it)."""
    return {location_slug(queue.location): queue.location for queue in queues()}


def _settings() -> dict:
    return toolkit.plugin_settings("queue")


def snapshot(ticket: Ticket) -> dict:
    """Return a ticket's fields as plain values for the audit log (nothing personal is in them)."""
    return {"number": ticket.label, "queue": ticket.queue, "state": ticket.state, "urgent": ticket.urgent,
            "desk": ticket.desk, "recalls": ticket.recalls, "interpreter_language": ticket.interpreter_language}


def audit_summary(ticket: Ticket, where: str = "") -> str:
    """Return an audit entry's summary, the same in every language: 'A 004 → Raum 2.14 (09:41:07)', office time."""
    # The log says in the reader's words what happened; the summary adds what a reader follows a ticket by.
    at = toolkit.office_now().strftime("%H:%M:%S")
    return f"{ticket.label} {where} ({at})" if where else f"{ticket.label} ({at})"


def _record(action: str, ticket: Ticket, where: str, before: dict | None = None) -> None:
    """Audit a change in office time, advance the location's live topic and the content version."""
    toolkit.audit(action, "queue_ticket", ticket.id, before=before, after=snapshot(ticket),
                  summary=audit_summary(ticket, where))
    toolkit.bump(topic(ticket.location))
    # Public pages kept whole (the call display, the home page's waits) show every change of a ticket. A call of
    # the next number writes past the ORM, so the core would not notice it by itself.
    toolkit.content_changed()


def _next_number(queue: Queue, day: date) -> int:
    """Return the next waiting number of a queue's day; concurrent issues wait for each other on the counter row."""
    session = toolkit.session()
    counter = toolkit.insert_for(session, Counter.__table__).values(queue=queue.slug, day=day, last_number=0)
    session.execute(counter.on_conflict_do_nothing())
    return session.execute(update(Counter).where(Counter.queue == queue.slug, Counter.day == day)
                           .values(last_number=Counter.last_number + 1).returning(Counter.last_number)).scalar_one()


def issue(queue: Queue, *, origin: str, now: datetime, day: date | None = None, window_start: time | None = None,
          persons: int = 1, interpreter_language: str = "", arrival_public_id: str | None = None,
          urgent: bool = False, reserved_desk: str = "", rank_at: datetime | None = None) -> Ticket:
    """Issue a waiting ticket in a queue (origin 'check_in', 'walk_in' or 'transfer') and return it, flushed."""
    day = day or toolkit.office_today(now)
    if rank_at is None:
        rank_at = now
        if queue.order == "window" and window_start is not None:
            rank_at = datetime.combine(day, window_start, tzinfo=toolkit.office_zone())
    ticket = Ticket(token=secrets.token_urlsafe(24), location=queue.location, queue=queue.slug, day=day,
                    number=_next_number(queue, day), prefix=queue.prefix, origin=origin, state="waiting",
                    urgent=urgent, rank_at=rank_at, window_start=window_start, persons=persons,
                    interpreter_language=interpreter_language, reserved_desk=reserved_desk,
                    arrival_public_id=arrival_public_id, created_at=now, recalls=0)
    session = toolkit.session()
    session.add(ticket)
    session.flush()
    # The queue is among the entry's changes, in the reader's words; the summary keeps to the number.
    _record("create", ticket, "")
    return ticket


def follow_appointment(ticket: Ticket, *, window_start: time, persons: int, interpreter_language: str) -> None:
    """Give a waiting ticket its appointment's new arrival window (its place in a queue called by window) and facts."""
    if ticket.state != "waiting" or ticket.origin == "walk_in":
        return
    session = toolkit.session()
    before = snapshot(ticket)
    values = {"window_start": window_start, "persons": persons, "interpreter_language": interpreter_language}
    queue = find_queue(ticket.queue)
    if queue is not None and queue.order == "window":
        values["rank_at"] = datetime.combine(ticket.day, window_start, tzinfo=toolkit.office_zone())
    # One statement that applies only while the ticket waits, as withdraw's: a desk that called it meanwhile keeps
    # it, and the appointment's change (a staff edit, an import) never fails for it.
    followed = session.execute(
        update(Ticket).where(Ticket.id == ticket.id, Ticket.state == "waiting")
        .values(**values, version=Ticket.version + 1)
        .returning(Ticket.id).execution_options(synchronize_session=False)).scalar()
    if followed is not None:
        _record("appointment_moved", session.get(Ticket, followed, populate_existing=True), "", before)


def _call_order():
    return (Ticket.urgent.desc(), Ticket.rank_at, Ticket.number, Ticket.id)


def _callable_by(desk: Desk, day: date):
    return and_(Ticket.day == day, Ticket.state == "waiting", Ticket.queue.in_(desk.queues),
                or_(Ticket.reserved_desk == "", Ticket.reserved_desk == desk.slug))


def active_ticket(desk: Desk) -> Ticket | None:
    """Return the client the desk has called or is serving today, or None."""
    # One held from an earlier day is not shown as the desk's client: the desk's next call ends it.
    return toolkit.session().scalar(select(Ticket).where(Ticket.desk == desk.slug, Ticket.state.in_(ACTIVE_STATES),
                                                         Ticket.day == toolkit.office_today()))


def waiting(desk: Desk, day: date, limit: int | None = None) -> list[Ticket]:
    """Return the tickets a desk may call today, in the order it calls them (the first `limit` of them)."""
    return list(toolkit.session().scalars(select(Ticket).where(_callable_by(desk, day)).order_by(*_call_order())
                                          .limit(limit)))


def waiting_count(desk: Desk, day: date) -> int:
    """Return how many tickets a desk may call today."""
    return toolkit.session().scalar(select(func.count()).select_from(Ticket).where(_callable_by(desk, day))) or 0


def end_earlier_days(desk: Desk, now: datetime) -> None:
    """End the client a desk still holds from an earlier day, left without "Erledigt": served as done, called as
    missed, so the desk starts the day free (the statistics leave such a service time out)."""
    session = toolkit.session()
    left = select(Ticket).where(Ticket.desk == desk.slug, Ticket.state.in_(ACTIVE_STATES),
                                Ticket.day < toolkit.office_today(now))
    for ticket in session.scalars(left):
        before = snapshot(ticket)
        action = "finish" if ticket.state == "in_service" else "missed"
        ticket.state, ticket.ended_at = "done" if action == "finish" else "missed", now
        session.flush()
        _record(action, ticket, f"· {desk.name}", before)


def call_next(desk: Desk, now: datetime) -> Ticket | None:
    """Call the next waiting ticket to a desk and return it; None when nobody waits.

    A desk that already has a client gets that client back, so a double click
    or a second tab calls once. Two desks calling at the same moment never get
    the same ticket: on PostgreSQL the candidate row is locked with
    ``FOR UPDATE SKIP LOCKED`` (the other desk takes the next one), and the
    update only applies while the ticket still waits (on SQLite the single
    statement runs under the database's write lock). The one-client-per-desk
    index refuses a second call from a second tab that got past the check;
    then the transaction is rolled back and the desk's client is returned.
    """
    end_earlier_days(desk, now)
    current = active_ticket(desk)
    if current is not None:
        return current
    session = toolkit.session()
    day = toolkit.office_today(now)
    for _attempt in range(5):
        candidate = (select(Ticket.id).where(_callable_by(desk, day)).order_by(*_call_order()).limit(1)
                     .with_for_update(skip_locked=True).scalar_subquery())
        try:
            called_id = session.execute(
                update(Ticket).where(Ticket.id == candidate, Ticket.state == "waiting")
                .values(state="called", desk=desk.slug, room=desk.room, last_called_at=now,
                        called_at=func.coalesce(Ticket.called_at, now), version=Ticket.version + 1)
                .returning(Ticket.id).execution_options(synchronize_session=False)).scalar()
        except IntegrityError:
            session.rollback()
            return active_ticket(desk)
        if called_id is not None:
            ticket = session.get(Ticket, called_id, populate_existing=True)
            _record("call", ticket, f"→ {desk.name}")
            return ticket
        # A colleague's desk took the only candidate between our look and our lock: look again, if any still waits.
        if session.scalar(select(Ticket.id).where(_callable_by(desk, day)).limit(1)) is None:
            return None
    return None


def parse_number(text: str) -> tuple[str, int] | None:
    """Read a typed waiting number ('A 023', 'a23', '23', in any script's digits): prefix (maybe '') and number."""
    match = re.fullmatch(r"\s*([A-Za-z]{0,2})\s*-?\s*0*(\d{1,6})\s*", toolkit.ascii_digits(text or ""))
    return (match.group(1).upper(), int(match.group(2))) if match else None


def find_by_number(desk: Desk, text: str, day: date) -> Ticket | None:
    """Return the ticket of the day with a typed number among the desk's queues, when exactly one fits."""
    parsed = parse_number(text)
    if parsed is None:
        return None
    prefix, number = parsed
    query = select(Ticket).where(Ticket.day == day, Ticket.queue.in_(desk.queues), Ticket.number == number)
    if prefix:
        query = query.where(Ticket.prefix == prefix)
    found = list(toolkit.session().scalars(query.limit(2)))
    return found[0] if len(found) == 1 else None


def call(ticket: Ticket, desk: Desk, now: datetime) -> None:
    """Call a given waiting (or missed, come back) ticket to a desk that has no client now."""
    if ticket.state in ("called", "in_service") and ticket.desk:
        raise QueueError(_("Die Nummer %(number)s wartet nicht: Sie ist bei %(desk)s.", number=ticket.label,
                           desk=desk_name(ticket.desk)))
    if ticket.state not in ("waiting", "missed"):
        raise QueueError(_("Die Nummer %(number)s wartet nicht.", number=ticket.label))
    if ticket.queue not in desk.queues:
        raise QueueError(_("Die Nummer %(number)s gehört nicht zu den Warteschlangen dieses Platzes.",
                           number=ticket.label))
    if ticket.reserved_desk and ticket.reserved_desk != desk.slug:
        # Sent on to a named desk (call_next keeps to it too): the colleague there expects the client.
        raise QueueError(_("Die Nummer %(number)s ist an %(desk)s weitergeleitet und kann nur dort aufgerufen werden.",
                           number=ticket.label, desk=desk_name(ticket.reserved_desk)))
    end_earlier_days(desk, now)
    if active_ticket(desk) is not None:
        raise QueueError(_("An diesem Platz ist schon eine Nummer aufgerufen. Bitte schließen Sie sie zuerst ab."))
    ticket.state, ticket.desk, ticket.room = "called", desk.slug, desk.room
    ticket.called_at = ticket.called_at or now
    ticket.last_called_at, ticket.recalls, ticket.ended_at = now, 0, None


def _gap_left(ticket: Ticket, now: datetime) -> timedelta:
    queue = find_queue(ticket.queue)
    gap = queue.recall_gap if queue else timedelta(0)
    return ticket.last_called_at + gap - now


def recall_allowed(ticket: Ticket) -> bool:
    """Tell whether a called ticket may be called again (fewer recalls than its queue allows)."""
    queue = find_queue(ticket.queue)
    return ticket.state == "called" and ticket.recalls < (queue.recall_count if queue else 0)


def recall(ticket: Ticket, now: datetime) -> None:
    """Call a called ticket once more, after its queue's gap and only as often as configured."""
    if not recall_allowed(ticket):
        raise QueueError(_("Diese Nummer kann nicht noch einmal aufgerufen werden."))
    left = _gap_left(ticket, now)
    if left > timedelta(0):
        seconds = int(left.total_seconds()) + 1
        raise QueueError(toolkit.ngettext("Bitte warten Sie noch %(seconds)d Sekunde, bevor Sie erneut aufrufen.",
                                          "Bitte warten Sie noch %(seconds)d Sekunden, bevor Sie erneut aufrufen.",
                                          seconds, seconds=seconds))
    ticket.recalls += 1
    ticket.last_called_at = now


def mark_missed(ticket: Ticket, now: datetime) -> None:
    """Mark a called client who did not come as missed: only after every recall and the gap after the last."""
    if ticket.state != "called":
        raise QueueError(_("Nur eine aufgerufene Nummer kann als nicht erschienen gelten."))
    if recall_allowed(ticket):
        raise QueueError(_("Bitte rufen Sie die Nummer zuerst wie vorgesehen erneut auf."))
    left = _gap_left(ticket, now)
    if left > timedelta(0):
        # The client may still be on the way from the last call: say how long, as recall() does.
        seconds = int(left.total_seconds()) + 1
        raise QueueError(toolkit.ngettext(
            "Bitte warten Sie noch %(seconds)d Sekunde, bevor Sie die Nummer als nicht erschienen melden.",
            "Bitte warten Sie noch %(seconds)d Sekunden, bevor Sie die Nummer als nicht erschienen melden.",
            seconds, seconds=seconds))
    ticket.state, ticket.ended_at = "missed", now


def start_service(ticket: Ticket, now: datetime) -> None:
    """Note that the called client arrived at the desk."""
    if ticket.state != "called":
        raise QueueError(_("Diese Nummer ist nicht aufgerufen."))
    ticket.state, ticket.served_at = "in_service", now


def finish(ticket: Ticket, now: datetime) -> None:
    """End a called or served ticket as done."""
    if ticket.state not in ACTIVE_STATES:
        raise QueueError(_("Diese Nummer ist nicht an einem Platz."))
    ticket.served_at = ticket.served_at or now
    ticket.state, ticket.ended_at = "done", now


def withdraw(ticket: Ticket, now: datetime) -> None:
    """End a waiting ticket whose appointment can no longer be attended; a desk that called it keeps it."""
    session = toolkit.session()
    before = snapshot(ticket)
    # One statement that applies only while the ticket waits, as a call does: a desk calling it at the same moment
    # either got it first and keeps it, or finds it gone; the change that cancelled the appointment never fails.
    withdrawn = session.execute(
        update(Ticket).where(Ticket.id == ticket.id, Ticket.state == "waiting")
        .values(state="withdrawn", ended_at=now, version=Ticket.version + 1)
        .returning(Ticket.id).execution_options(synchronize_session=False)).scalar()
    if withdrawn is not None:
        _record("withdraw", session.get(Ticket, withdrawn, populate_existing=True), "", before)


def set_urgent(ticket: Ticket, urgent: bool) -> None:
    """Mark a waiting ticket urgent (called before the others of its queue) or not."""
    if ticket.state != "waiting":
        raise QueueError(_("Nur eine wartende Nummer kann als dringend markiert werden."))
    ticket.urgent = urgent


def transfer_targets(location: str) -> list[tuple[str, str]]:
    """Return where a ticket of a location may be sent: ('queue:<slug>' or 'desk:<slug>', name) pairs."""
    return ([(f"queue:{queue.slug}", queue.title) for queue in queues() if queue.location == location]
            + [(f"desk:{desk.slug}", desk.name) for desk in desks() if desk.location == location])


def transfer(ticket: Ticket, target: str, now: datetime) -> Ticket:
    """End a called or served ticket as transferred and issue its successor in the target queue or for the desk.

    The successor keeps urgency, interpreter language, mediator and when the client came in, and is ranked by
    the time of the transfer; the old ticket's page follows it (`resolve`).
    """
    if ticket.state not in ACTIVE_STATES:
        raise QueueError(_("Nur eine Nummer an einem Platz kann weitergeleitet werden."))
    kind, _sep, slug = target.partition(":")
    reserved = ""
    queue = find_queue(slug) if kind == "queue" else None
    if kind == "desk" and (desk := find_desk(slug)) is not None:
        queue, reserved = find_queue(desk.queues[0]), desk.slug
    if queue is None or queue.location != ticket.location:
        raise QueueError(_("Bitte wählen Sie ein Ziel an diesem Standort."))
    # Of the day of `now`, also for a client a desk kept from an earlier day: a successor of that day could never be
    # called.
    successor = issue(queue, origin="transfer", now=now, window_start=ticket.window_start,
                      persons=ticket.persons, interpreter_language=ticket.interpreter_language,
                      arrival_public_id=ticket.arrival_public_id, urgent=ticket.urgent, reserved_desk=reserved,
                      rank_at=now)
    # The mediator helping goes along with the client.
    successor.mediator_id, successor.mediator_name = ticket.mediator_id, ticket.mediator_name
    # Its wait counts from now, as the statistics want it; staff also see how long the client has been here.
    successor.arrived_at = ticket.arrived_at or ticket.created_at
    ticket.state, ticket.ended_at, ticket.transferred_to_id = "transferred", now, successor.id
    ticket.served_at = ticket.served_at or now
    return successor


ACTIONS = {"recall": recall, "missed": mark_missed, "start": start_service, "finish": finish}
# The actions that send a ticket to a desk: their summary points there ('A 004 → Raum 2.14').
CALLING_ACTIONS = ("call", "recall")


def _where_after(action: str, ticket: Ticket) -> str:
    """Return what follows a changed ticket's number in its audit summary: its desk, or the number that succeeds it."""
    if action == "transfer" and ticket.transferred_to_id is not None:
        successor = toolkit.session().get(Ticket, ticket.transferred_to_id)
        return f"→ {successor.label}"
    if not ticket.desk:
        return ""
    return f"→ {desk_name(ticket.desk)}" if action in CALLING_ACTIONS else f"· {desk_name(ticket.desk)}"


def change(ticket: Ticket, version: int | None, action: str, apply) -> bool:
    """Apply a change to a ticket loaded at `version` (versioned save), audit it and advance the live topic.

    Returns False when the ticket changed since (the session is then rolled
    back); raises QueueError, changing nothing, when the action does not fit.
    """
    before = snapshot(ticket)
    # `apply` checks before it writes: an action that does not fit raises with nothing changed.
    if not toolkit.save_if_current(ticket, version, apply):
        return False
    _record(action, ticket, _where_after(action, ticket), before=before)
    return True


# Built once, like the count below: every visit of a ticket page and its live part starts here.
_BY_TOKEN = select(Ticket).where(Ticket.token == bindparam("token"))


def resolve(token: str) -> Ticket | None:
    """Return the ticket a token's page shows: the token's ticket, or the one it was transferred to."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{32}", token or ""):
        return None
    session = toolkit.session()
    ticket = session.scalar(_BY_TOKEN, {"token": token})
    for _hop in range(20):
        if ticket is None or ticket.transferred_to_id is None:
            break
        ticket = session.get(Ticket, ticket.transferred_to_id)
    return ticket


def for_arrival(public_id: str) -> Ticket | None:
    """Return the newest ticket of an arrival pass (by its public id), or None."""
    if not public_id:
        return None
    return toolkit.session().scalar(select(Ticket).where(Ticket.arrival_public_id == public_id)
                                    .order_by(Ticket.id.desc()).limit(1))


def _ahead_count(urgent: bool):
    """Return the count of waiting tickets called before a ticket, with the ticket's fields as parameters."""
    column = Ticket.__table__.c
    earlier = or_(column.rank_at < bindparam("rank_at"),
                  and_(column.rank_at == bindparam("rank_at"), column.number < bindparam("number")))
    before = and_(column.urgent.is_(True), earlier) if urgent else or_(column.urgent.is_(True), earlier)
    return select(func.count()).select_from(Ticket.__table__).where(
        column.day == bindparam("day"), column.queue == bindparam("queue"), column.state == "waiting",
        column.id != bindparam("id"), or_(column.reserved_desk == "", column.reserved_desk == bindparam("desk")),
        before)


# Built once: a ticket page asks on every visit, and building the statement cost more than running it.
_AHEAD_COUNTS = {urgent: _ahead_count(urgent) for urgent in (False, True)}


def ahead(ticket: Ticket) -> int:
    """Return how many tickets of the same queue and day will be called before this waiting one."""
    if ticket.state != "waiting":
        return 0
    return toolkit.session().scalar(_AHEAD_COUNTS[bool(ticket.urgent)], {
        "rank_at": ticket.rank_at, "number": ticket.number, "day": ticket.day, "queue": ticket.queue,
        "id": ticket.id, "desk": ticket.reserved_desk}) or 0


# Kept until the content version moves: only a desk finishes a ticket, a staff action that advances it. Without it
# every ticket page and live part would read all of the day's finished tickets, hundreds by the afternoon.
@toolkit.content_cached(per_language=False)
def service_minutes(queue_slug: str, day: date) -> float:
    """Return the average minutes a desk spent per finished ticket of a queue's day, or the configured default."""
    rows = toolkit.session().execute(select(Ticket.called_at, Ticket.ended_at).where(
        Ticket.day == day, Ticket.queue == queue_slug, Ticket.state == "done",
        Ticket.called_at.is_not(None))).all()
    if len(rows) < ENOUGH_FINISHED:
        return float(_settings()["default_service_minutes"])
    return sum((ended - called).total_seconds() for called, ended in rows) / len(rows) / 60


def expected_wait(ticket: Ticket, now: datetime, waiting_ahead: int | None = None) -> tuple[int, int] | None:
    """Return the expected minutes until a waiting ticket is called, as a (low, high) range rounded to 5."""
    if ticket.state != "waiting":
        return None
    serving = 1 if ticket.reserved_desk else serving_desks(ticket.queue)
    waiting_ahead = ahead(ticket) if waiting_ahead is None else waiting_ahead
    estimate = (waiting_ahead + 0.5) * service_minutes(ticket.queue, ticket.day) / serving
    if ticket.rank_at > now and ticket.window_start is not None:
        estimate = max(estimate, (ticket.rank_at - now).total_seconds() / 60)
    low = int(estimate * (1 - ESTIMATE_SPREAD) // 5 * 5)
    high = max(low + 5, int(-(-estimate * (1 + ESTIMATE_SPREAD) // 5) * 5))
    return low, high


def serving_desks(queue_slug: str) -> int:
    """Return how many desks call from a queue (at least 1, so an estimate never divides by zero)."""
    return sum(1 for desk in desks() if queue_slug in desk.queues) or 1


def call_moment(ticket: Ticket) -> str:
    """Return the moment of a ticket's latest call as followers compare it: a recall is a new call."""
    return ticket.last_called_at.isoformat() if ticket.last_called_at else ""


def follow_state(ticket: Ticket, today: date) -> str:
    """Return the state of a ticket as its phone derives it from the board: 'waiting', 'called <moment>',
    'served', or 'gone' (ended, or of another day)."""
    if ticket.day != today or ticket.state not in ("waiting", *ACTIVE_STATES):
        return "gone"
    if ticket.state == "called":
        return f"called {call_moment(ticket)}"
    return "served" if ticket.state == "in_service" else "waiting"


def board(location: str, day: date) -> dict:
    """Return the public state of a location's day that every phone there derives its own ticket's state from.

    Only what the call display and the waiting area show anyway: per queue the waiting numbers in
    calling order (with the desk a transferred number is reserved for), the desks' mean service
    minutes and how many desks call from it; the numbers called (with room, place and moment) and
    the numbers being served. No token, name, reference, interpreter language or arrival window.
    """
    session = toolkit.session()
    here = [queue for queue in queues() if queue.location == location]
    waiting_rows = session.execute(
        select(Ticket.queue, Ticket.prefix, Ticket.number, Ticket.reserved_desk)
        .where(Ticket.location == location, Ticket.day == day, Ticket.state == "waiting")
        .order_by(Ticket.queue, *_call_order())).all()
    shown = {queue.slug: {"waiting": [], "reserved": {}, "minutes": service_minutes(queue.slug, day),
                          "desks": serving_desks(queue.slug)} for queue in here}
    for queue_slug, prefix, number, reserved_desk in waiting_rows:
        entry = shown.get(queue_slug)
        if entry is None:
            continue
        label = f"{prefix} {number:03d}"
        entry["waiting"].append(label)
        if reserved_desk:
            entry["reserved"][label] = reserved_desk
    called, served = {}, []
    for ticket in session.scalars(select(Ticket).where(Ticket.location == location, Ticket.day == day,
                                                       Ticket.state.in_(ACTIVE_STATES))):
        if ticket.state == "in_service":
            served.append(ticket.label)
            continue
        called[ticket.label] = {"room": ticket.room, "place": desk_name(ticket.desk), "at": call_moment(ticket)}
    return {"day": day.isoformat(), "queues": shown, "called": called, "served": sorted(served)}


def first_kept_day(now: datetime) -> date:
    """Return the first day whose tickets are kept: earlier days' are due for deletion."""
    return toolkit.office_today(now) - timedelta(days=_settings()["retention_days"])


def purge(session, now: datetime) -> int:
    """Delete tickets `retention_days` after their day (with the arrival link they kept)."""
    last_kept = first_kept_day(now)
    session.execute(update(Ticket).where(Ticket.day < last_kept).values(transferred_to_id=None)
                    .execution_options(synchronize_session=False))
    deleted = session.execute(delete(Ticket).where(Ticket.day < last_kept).returning(Ticket.id)).scalars().all()
    toolkit.forget_audit_details("queue_ticket", deleted)
    session.execute(delete(Counter).where(Counter.day < last_kept))
    return len(deleted)
