"""Index case references without their separators, so that 54 12 2026 finds 54/12-2026 quickly.

Revision ID: naturalisation_0002
Revises: naturalisation_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "naturalisation_0002"
down_revision = "naturalisation_0001"
branch_labels = None
depends_on = None

TABLE = "naturalisation_case"
INDEX = "ix_naturalisation_case_reference_key"
# toolkit.reference_key_expression() as it stood when this revision was written.
KEY = "replace(replace(replace(replace(replace(reference, ' ', ''), '.', ''), '/', ''), '_', ''), '-', '')"


def upgrade():
    op.create_index(INDEX, TABLE, [sa.text(KEY)])


def downgrade():
    op.drop_index(INDEX, table_name=TABLE)
