"""Create the emergency plugin's requests and outbox.

Revision ID: emergency_0001
Revises:
Created: 2026-11-23 15:42:03.543684
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = 'emergency_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('emergency_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('confirmation', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('matter', sa.Text(), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_request')),
    sa.UniqueConstraint('confirmation', name=op.f('uq_emergency_request_confirmation'))
    )
    with op.batch_alter_table('emergency_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_request_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_request_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_emergency_request_state'), ['state'], unique=False)

    op.create_table('emergency_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_token', sa.String(length=32), nullable=True),
    sa.Column('lease_until', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', toolkit.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['emergency_request.id'],
        name=op.f('fk_emergency_outbox_request_id_emergency_request'),
        ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_emergency_outbox_message_id')),
    sa.UniqueConstraint('request_id', name=op.f('uq_emergency_outbox_request_id'))
    )
    with op.batch_alter_table('emergency_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergency_outbox_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('emergency_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_outbox_status'))

    op.drop_table('emergency_outbox')
    with op.batch_alter_table('emergency_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergency_request_state'))
        batch_op.drop_index(batch_op.f('ix_emergency_request_created_at'))
        batch_op.drop_index(batch_op.f('ix_emergency_request_category'))

    op.drop_table('emergency_request')
