"""Keep each day's figures (counts and minute sums per hour, queue and desk) after its tickets are purged.

Revision ID: queue_0003
Revises: queue_0002
Created: 2026-12-02 13:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "queue_0003"
down_revision = "queue_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('queue', sa.String(length=40), nullable=False),
    sa.Column('desk', sa.String(length=40), nullable=False),
    sa.Column('clients', sa.Integer(), nullable=False),
    sa.Column('called', sa.Integer(), nullable=False),
    sa.Column('wait_minutes', sa.Float(), nullable=False),
    sa.Column('longest_wait_minutes', sa.Float(), nullable=False),
    sa.Column('served', sa.Integer(), nullable=False),
    sa.Column('service_minutes', sa.Float(), nullable=False),
    sa.Column('missed', sa.Integer(), nullable=False),
    sa.Column('arrivals_called', sa.Integer(), nullable=False),
    sa.Column('arrivals_wait_minutes', sa.Float(), nullable=False),
    sa.Column('early', sa.Integer(), nullable=False),
    sa.Column('in_window', sa.Integer(), nullable=False),
    sa.Column('without_window', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'hour', 'queue', 'desk', name=op.f('pk_queue_daily'))
    )


def downgrade():
    op.drop_table('queue_daily')
