"""Create the tickets of the waiting room and the counters of their numbers.

Revision ID: queue_0001
Revises:
Created: 2026-12-02 09:27:58.674259
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = "queue_0001"
down_revision = None
branch_labels = None
depends_on = None
# One desk holds one client: the unique index covers only called and served tickets.
ACTIVE = "state IN ('called', 'in_service')"


def upgrade():
    op.create_table('queue_counter',
    sa.Column('queue', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('queue', 'day', name=op.f('pk_queue_counter'))
    )
    op.create_table('queue_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('location', sa.String(length=80), nullable=False),
    sa.Column('queue', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=2), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('rank_at', toolkit.UTCDateTime(), nullable=False),
    sa.Column('window_start', sa.Time(), nullable=True),
    sa.Column('persons', sa.SmallInteger(), nullable=False),
    sa.Column('interpreter_language', sa.String(length=12), nullable=False),
    sa.Column('reserved_desk', sa.String(length=40), nullable=False),
    sa.Column('desk', sa.String(length=40), nullable=True),
    sa.Column('room', sa.String(length=60), nullable=False),
    sa.Column('recalls', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', toolkit.UTCDateTime(), nullable=False),
    sa.Column('called_at', toolkit.UTCDateTime(), nullable=True),
    sa.Column('last_called_at', toolkit.UTCDateTime(), nullable=True),
    sa.Column('served_at', toolkit.UTCDateTime(), nullable=True),
    sa.Column('ended_at', toolkit.UTCDateTime(), nullable=True),
    sa.Column('transferred_to_id', sa.Integer(), nullable=True),
    sa.Column('arrival_public_id', sa.String(length=26), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("origin IN ('check_in', 'walk_in', 'transfer')", name=op.f('ck_queue_ticket_origin')),
    sa.CheckConstraint("state IN ('waiting', 'called', 'in_service', 'done', 'missed', 'transferred')",
                       name=op.f('ck_queue_ticket_state')),
    sa.ForeignKeyConstraint(['transferred_to_id'], ['queue_ticket.id'],
                            name=op.f('fk_queue_ticket_transferred_to_id_queue_ticket'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_ticket')),
    sa.UniqueConstraint('token', name=op.f('uq_queue_ticket_token'))
    )
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_ticket_arrival_public_id'), ['arrival_public_id'], unique=False)
        batch_op.create_index('ix_queue_ticket_number', ['queue', 'day', 'number'], unique=True)
        batch_op.create_index('ix_queue_ticket_one_per_desk', ['desk'], unique=True, sqlite_where=sa.text(ACTIVE),
                              postgresql_where=sa.text(ACTIVE))
        batch_op.create_index('ix_queue_ticket_waiting', ['day', 'state', 'queue'], unique=False)


def downgrade():
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_ticket_waiting')
        batch_op.drop_index('ix_queue_ticket_one_per_desk', sqlite_where=sa.text(ACTIVE),
                            postgresql_where=sa.text(ACTIVE))
        batch_op.drop_index('ix_queue_ticket_number')
        batch_op.drop_index(batch_op.f('ix_queue_ticket_arrival_public_id'))

    op.drop_table('queue_ticket')
    op.drop_table('queue_counter')
