"""Create the table of hygiene rules.

Revision ID: hygiene_0001
Revises:
Created: 2026-11-23 15:47:27.888272
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = "hygiene_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hygiene_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=True),
    sa.Column('metres', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('ended_at', toolkit.UTCDateTime(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', toolkit.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hygiene_rule'))
    )


def downgrade():
    op.drop_table('hygiene_rule')
