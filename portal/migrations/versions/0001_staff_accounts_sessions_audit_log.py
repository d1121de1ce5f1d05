"""staff accounts, sessions and audit log

Revision ID: core_0001
Revises:
Created: 2026-11-23 15:25:39.221622
"""

import sqlalchemy as sa
from alembic import op

import portal.db

revision = 'core_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('target_type', sa.String(length=80), nullable=False),
    sa.Column('target_id', sa.String(length=80), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_audit_entry'))
    )
    with op.batch_alter_table('core_audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_audit_entry_at'), ['at'], unique=False)

    op.create_table('core_staff_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_staff_account')),
    sa.UniqueConstraint('email', name=op.f('uq_core_staff_account_email'))
    )
    op.create_table('core_staff_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['core_staff_account.id'],
                            name=op.f('fk_core_staff_session_account_id_core_staff_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_staff_session'))
    )
    with op.batch_alter_table('core_staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_staff_session_account_id'), ['account_id'], unique=False)



def downgrade():
    with op.batch_alter_table('core_staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_staff_session_account_id'))

    op.drop_table('core_staff_session')
    op.drop_table('core_staff_account')
    with op.batch_alter_table('core_audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_audit_entry_at'))

    op.drop_table('core_audit_entry')
