"""live versions per topic, shared by every process

Revision ID: core_0004
Revises: core_0003
Created: 2026-12-02 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'core_0004'
down_revision = 'core_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_live_topic',
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('topic', name=op.f('pk_core_live_topic'))
    )


def downgrade():
    op.drop_table('core_live_topic')
