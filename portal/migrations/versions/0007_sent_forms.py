"""forms sent once: the claim of each sending of a form that makes something

Revision ID: core_0007
Revises: core_0006
Created: 2026-12-07 14:40:00
"""

import sqlalchemy as sa
from alembic import op

import portal.db

revision = 'core_0007'
down_revision = 'core_0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_sent_form',
    sa.Column('claim', sa.String(length=64), nullable=False),
    sa.Column('sent_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('claim', name=op.f('pk_core_sent_form'))
    )


def downgrade():
    op.drop_table('core_sent_form')
