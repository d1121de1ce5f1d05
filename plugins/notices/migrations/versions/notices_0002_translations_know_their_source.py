"""Each text of a notice keeps the fingerprint of the source text it was written for, to tell outdated translations.

Revision ID: notices_0002
Revises: notices_0001
Created: 2026-12-06 14:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'notices_0002'
down_revision = 'notices_0001'
branch_labels = None
depends_on = None


def upgrade():
    # Texts saved before have none: they are taken as current until the source text changes.
    with op.batch_alter_table("notices_text") as batch:
        batch.add_column(sa.Column("written_for", sa.String(16), nullable=True))


def downgrade():
    with op.batch_alter_table("notices_text") as batch:
        batch.drop_column("written_for")
