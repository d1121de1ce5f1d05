"""The plugin's data migrations: tickets transferred before the upgrade learn when their client came in."""

from datetime import UTC, date, datetime

from portal_plugins.queue.models import Ticket
from sqlalchemy import insert, select

from portal.testing import migrate_to


def at(hour: int) -> datetime:
    return datetime(2026, 12, 7, hour, tzinfo=UTC)


def ticket_row(ticket_id: int, prefix: str, number: int, origin: str, created_hour: int, successor_id=None) -> dict:
    return {"id": ticket_id, "token": f"token-{ticket_id}", "queue": "termine" if prefix == "A" else "service-point",
            "day": date(2026, 12, 7), "number": number, "prefix": prefix, "origin": origin, "rank_at": at(created_hour),
            "created_at": at(created_hour), "transferred_to_id": successor_id,
            "state": "transferred" if successor_id else "waiting"}


def test_tickets_transferred_before_learn_when_their_client_came_in(unmigrated_app):
    app = unmigrated_app(plugins=["queue"])
    migrate_to(app, "core")
    migrate_to(app, "queue", "queue_0005")
    # S 001 went on to A 002, then to S 002; A 001 was never sent on. Successors first: each row names the next.
    rows = [ticket_row(4, "S", 2, "transfer", 10), ticket_row(3, "A", 2, "transfer", 9, successor_id=4),
            ticket_row(2, "A", 1, "check_in", 8), ticket_row(1, "S", 1, "walk_in", 7, successor_id=3)]
    engine = app.extensions["portal.db"].engine
    with engine.begin() as connection:
        connection.execute(insert(Ticket.__table__), rows)
    migrate_to(app, "queue")
    with engine.connect() as connection:
        arrived = dict(connection.execute(select(Ticket.id, Ticket.arrived_at).order_by(Ticket.id)).all())
    assert arrived == {1: None, 2: None, 3: at(7), 4: at(7)}
