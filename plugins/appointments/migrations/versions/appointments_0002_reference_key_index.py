"""Index references without their separators, so that M100001 finds M-100001 quickly.

Revision ID: appointments_0002
Revises: appointments_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "appointments_0002"
down_revision = "appointments_0001"
branch_labels = None
depends_on = None

TABLE = "appointments_appointment"
INDEX = "ix_appointments_appointment_reference_key"


# toolkit.reference_key_expression() as it stood when this revision was written.
KEY = "replace(replace(replace(replace(replace(reference, ' ', ''), '.', ''), '/', ''), '_', ''), '-', '')"


def upgrade():
    op.create_index(INDEX, TABLE, [sa.text(KEY)])


def downgrade():
    # On SQLite the index is gone by now: the downgrade of revision 0003 rebuilt the table without it.
    op.drop_index(INDEX, table_name=TABLE, if_exists=True)
