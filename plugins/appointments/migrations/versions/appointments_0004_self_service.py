"""Clients' self-service: requests, reminders, the short-notice list, freed slots and offers.

Revision ID: appointments_0004
Revises: appointments_0003
Created: 2026-12-02 09:22:39.054278
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = 'appointments_0004'
down_revision = 'appointments_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('appointments_freed_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('starts_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.Column('service', sa.String(length=80), nullable=False),
    sa.Column('building', sa.String(length=120), nullable=False),
    sa.Column('room', sa.String(length=40), nullable=False),
    sa.Column('freed_reference', sa.String(length=32), nullable=False),
    sa.Column('taken_by_offer_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exported_at', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments_freed_slot'))
    )
    with op.batch_alter_table('appointments_freed_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_freed_slot_starts_at'), ['starts_at'], unique=False)

    op.create_table('appointments_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('expires_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('open', 'accepted', 'gone')", name=op.f('ck_appointments_offer_state')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments_appointment.id'],
        name=op.f('fk_appointments_offer_appointment_id_appointments_appointment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['appointments_freed_slot.id'],
        name=op.f('fk_appointments_offer_slot_id_appointments_freed_slot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments_offer'))
    )
    with op.batch_alter_table('appointments_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_offer_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_offer_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_offer_state'), ['state'], unique=False)

    op.create_table('appointments_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_sent_at', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_sent_at', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments_appointment.id'],
        name=op.f('fk_appointments_reminder_appointment_id_appointments_appointment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments_reminder')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_appointments_reminder_appointment_id'))
    )
    op.create_table('appointments_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=10), nullable=False),
    sa.Column('weekdays', sa.String(length=40), nullable=False),
    sa.Column('day_times', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('wants_new_date', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('slot_start', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.Column('slot_status', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('created_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exported_at', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('confirm', 'cancel', 'new_date')", name=op.f('ck_appointments_request_kind')),
    sa.CheckConstraint("state IN ('open', 'handled', 'superseded')", name=op.f('ck_appointments_request_state')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments_appointment.id'],
        name=op.f('fk_appointments_request_appointment_id_appointments_appointment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments_request'))
    )
    with op.batch_alter_table('appointments_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_request_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_request_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_request_exported_at'), ['exported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_request_state'), ['state'], unique=False)

    op.create_table('appointments_short_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('permit_expires', sa.Date(), nullable=True),
    sa.Column('created_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments_appointment.id'],
        name=op.f('fk_appointments_short_notice_appointment_id_appointments_appointment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments_short_notice')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_appointments_short_notice_appointment_id'))
    )
    with op.batch_alter_table('appointments_short_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_short_notice_created_at'), ['created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('appointments_short_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_short_notice_created_at'))

    op.drop_table('appointments_short_notice')
    with op.batch_alter_table('appointments_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_request_state'))
        batch_op.drop_index(batch_op.f('ix_appointments_request_exported_at'))
        batch_op.drop_index(batch_op.f('ix_appointments_request_created_at'))
        batch_op.drop_index(batch_op.f('ix_appointments_request_appointment_id'))

    op.drop_table('appointments_request')
    op.drop_table('appointments_reminder')
    with op.batch_alter_table('appointments_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_offer_state'))
        batch_op.drop_index(batch_op.f('ix_appointments_offer_slot_id'))
        batch_op.drop_index(batch_op.f('ix_appointments_offer_appointment_id'))

    op.drop_table('appointments_offer')
    with op.batch_alter_table('appointments_freed_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_freed_slot_starts_at'))

    op.drop_table('appointments_freed_slot')
