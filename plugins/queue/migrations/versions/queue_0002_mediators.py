"""Record which volunteer language mediator helps a ticket, for the desk to see.

Revision ID: queue_0002
Revises: queue_0001
Created: 2026-12-02 10:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "queue_0002"
down_revision = "queue_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("queue_ticket") as batch:
        batch.add_column(sa.Column("mediator_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("mediator_name", sa.String(length=120), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("queue_ticket") as batch:
        batch.drop_column("mediator_name")
        batch.drop_column("mediator_id")
