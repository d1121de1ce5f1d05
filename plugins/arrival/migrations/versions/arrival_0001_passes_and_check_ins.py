"""Create the table of issued passes and their check-ins.

Revision ID: arrival_0001
Revises:
Created: 2026-12-02 07:40:10.036166
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = "arrival_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('arrival_pass',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=26), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('window_start', sa.Time(), nullable=False),
    sa.Column('window_end', sa.Time(), nullable=False),
    sa.Column('persons', sa.SmallInteger(), nullable=False),
    sa.Column('service_group', sa.String(length=40), nullable=False),
    sa.Column('interpreter_language', sa.String(length=12), nullable=False),
    sa.Column('issued_at', toolkit.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', toolkit.UTCDateTime(), nullable=True),
    sa.Column('checked_in_at', toolkit.UTCDateTime(), nullable=True),
    sa.Column('checked_in_device', sa.String(length=80), nullable=False),
    sa.Column('checked_in_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('persons BETWEEN 1 AND 255', name=op.f('ck_arrival_pass_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrival_pass')),
    sa.UniqueConstraint('public_id', name=op.f('uq_arrival_pass_public_id'))
    )
    with op.batch_alter_table('arrival_pass', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrival_pass_day'), ['day'], unique=False)



def downgrade():
    with op.batch_alter_table('arrival_pass', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arrival_pass_day'))

    op.drop_table('arrival_pass')
