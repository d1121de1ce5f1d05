"""Each question keeps, per language, the fingerprint of the source words its text was made for.

Revision ID: checklists_0002
Revises: checklists_0001
Created: 2026-12-06 19:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'checklists_0002'
down_revision = 'checklists_0001'
branch_labels = None
depends_on = None


def upgrade():
    # Questions saved before have none: their translations are taken as current until the source words change.
    # A checklist's texts keep theirs in its content, which needs no new column.
    with op.batch_alter_table("checklists_question") as batch:
        batch.add_column(sa.Column("written_for", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("checklists_question") as batch:
        batch.drop_column("written_for")
