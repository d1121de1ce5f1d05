"""Keep on a transferred ticket when its client came in, for desks and mediators beside the wait in the new queue.

Revision ID: queue_0006
Revises: queue_0005
Created: 2026-12-07 22:40:00
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = "queue_0006"
down_revision = "queue_0005"
branch_labels = None
depends_on = None

TICKETS = sa.table("queue_ticket", sa.column("id", sa.Integer), sa.column("created_at", toolkit.UTCDateTime()),
                   sa.column("transferred_to_id", sa.Integer), sa.column("arrived_at", toolkit.UTCDateTime()))


def upgrade():
    # A plain ALTER TABLE: a rebuild on SQLite would have to make the table's partial index and AUTOINCREMENT anew.
    op.add_column("queue_ticket", sa.Column("arrived_at", toolkit.UTCDateTime(), nullable=True))
    connection = op.get_bind()
    transfers = connection.execute(sa.select(TICKETS.c.id, TICKETS.c.created_at, TICKETS.c.transferred_to_id)
                                   .where(TICKETS.c.transferred_to_id.is_not(None)).order_by(TICKETS.c.id)).all()
    arrived = {}
    # A successor is issued after its predecessor, so in the order of ids each hop of a chain finds its arrival set.
    for ticket_id, created_at, successor_id in transfers:
        arrived[successor_id] = arrived.get(ticket_id, created_at)
    for successor_id, arrived_at in arrived.items():
        connection.execute(sa.update(TICKETS).where(TICKETS.c.id == successor_id).values(arrived_at=arrived_at))


def downgrade():
    op.drop_column("queue_ticket", "arrived_at")
