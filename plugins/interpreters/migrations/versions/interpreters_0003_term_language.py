"""A glossary term records the language its own word and explanation are written in.

Until now that was German by definition; the office's source language decides it from now on, so a term saved
before the office changed its source language keeps saying which language its words are in.

Revision ID: interpreters_0003
Revises: interpreters_0002
Created: 2026-12-06 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "interpreters_0003"
down_revision = "interpreters_0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interpreters_glossary_term") as batch:
        batch.add_column(sa.Column("lang", sa.String(8), nullable=False, server_default="de"))


def downgrade():
    with op.batch_alter_table("interpreters_glossary_term") as batch:
        batch.drop_column("lang")
