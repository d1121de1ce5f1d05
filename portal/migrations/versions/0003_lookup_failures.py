"""failed lookups per reference, shared by every worker

Revision ID: core_0003
Revises: core_0002
Created: 2026-12-02 06:40:00
"""

import sqlalchemy as sa
from alembic import op

import portal.db

revision = 'core_0003'
down_revision = 'core_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_lookup_failure',
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_ends_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_failed_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'reference', name=op.f('pk_core_lookup_failure'))
    )


def downgrade():
    op.drop_table('core_lookup_failure')
