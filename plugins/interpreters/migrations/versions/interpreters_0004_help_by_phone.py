"""A help time says whether the help is by phone, which need not keep to the office's opening hours.

Help times stored before are taken as help in the building; staff tick "by phone" when they next change one.

Revision ID: interpreters_0004
Revises: interpreters_0003
Created: 2026-12-06 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "interpreters_0004"
down_revision = "interpreters_0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interpreters_help_time") as batch:
        batch.add_column(sa.Column("by_phone", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("interpreters_help_time") as batch:
        batch.drop_column("by_phone")
