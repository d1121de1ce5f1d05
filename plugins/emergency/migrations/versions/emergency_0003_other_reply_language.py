"""A client may ask for a reply in a language the portal does not offer: the request keeps their words for it.

Revision ID: emergency_0003
Revises: emergency_0002
Created: 2026-12-02 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'emergency_0003'
down_revision = 'emergency_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("emergency_request") as batch:
        batch.add_column(sa.Column("other_language", sa.String(40), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("emergency_request") as batch:
        batch.drop_column("other_language")
