"""mail outbox

Revision ID: core_0002
Revises: core_0001
Created: 2026-12-02 06:40:00
"""

import sqlalchemy as sa
from alembic import op

import portal.db

revision = 'core_0002'
down_revision = 'core_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('plugin', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('reply_to', sa.String(length=254), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_token', sa.String(length=32), nullable=True),
    sa.Column('lease_until', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_mail_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_core_mail_outbox_message_id'))
    )
    with op.batch_alter_table('core_mail_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_mail_outbox_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_mail_outbox_plugin'), ['plugin'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_mail_outbox_status'), ['status'], unique=False)


def downgrade():
    op.drop_table('core_mail_outbox')
