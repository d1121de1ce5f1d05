"""Each rule keeps, per language, the fingerprint of the source text its text was made for, to tell outdated ones.

Revision ID: hygiene_0002
Revises: hygiene_0001
Created: 2026-12-06 17:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'hygiene_0002'
down_revision = 'hygiene_0001'
branch_labels = None
depends_on = None


def upgrade():
    # Rules saved before have none: their texts are taken as current until the source text changes.
    with op.batch_alter_table("hygiene_rule") as batch:
        batch.add_column(sa.Column("written_for", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("hygiene_rule") as batch:
        batch.drop_column("written_for")
