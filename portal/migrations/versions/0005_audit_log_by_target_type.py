"""audit log: an index for reading one area's entries newest first

Revision ID: core_0005
Revises: core_0004
Created: 2026-12-06 06:05:00
"""

from alembic import op

revision = 'core_0005'
down_revision = 'core_0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('core_audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_core_audit_entry_target_type_at', ['target_type', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('core_audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_core_audit_entry_target_type_at')
