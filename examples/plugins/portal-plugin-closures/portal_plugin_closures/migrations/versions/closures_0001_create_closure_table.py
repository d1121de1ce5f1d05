"""Create the table of closures.

Revision ID: closures_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = "closures_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "closures_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", toolkit.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closures_closure")),
    )


def downgrade():
    op.drop_table("closures_closure")
