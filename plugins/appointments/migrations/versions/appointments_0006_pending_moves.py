"""An accepted short-notice offer moves the appointment until the specialist system's export shows the move.

Revision ID: appointments_0006
Revises: appointments_0005
Created: 2026-12-06 16:47:45
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = 'appointments_0006'
down_revision = 'appointments_0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('appointments_pending_move',
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('moved_to', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.Column('previous_starts_at', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.Column('previous_status', sa.String(length=30), nullable=False),
    sa.Column('created_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments_appointment.id'],
        name=op.f('fk_appointments_pending_move_appointment_id_appointments_appointment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('appointment_id', name=op.f('pk_appointments_pending_move'))
    )
    with op.batch_alter_table('appointments_pending_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_pending_move_moved_to'), ['moved_to'], unique=False)


def downgrade():
    with op.batch_alter_table('appointments_pending_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_pending_move_moved_to'))
    op.drop_table('appointments_pending_move')
