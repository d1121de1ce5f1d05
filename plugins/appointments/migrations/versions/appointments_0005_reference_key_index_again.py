"""Index references without their separators again: on SQLite, revision 0003 rebuilt the table without it.

Alembic's batch mode copies a SQLite table into a new one and cannot carry over an index on an expression, so
every lookup read the whole table (measured: 10,000 appointments, a few milliseconds a lookup). PostgreSQL kept
the index; there this revision changes nothing.

Revision ID: appointments_0005
Revises: appointments_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "appointments_0005"
down_revision = "appointments_0004"
branch_labels = None
depends_on = None

TABLE = "appointments_appointment"
INDEX = "ix_appointments_appointment_reference_key"
# toolkit.reference_key_expression() as revision 0002 indexed it.
KEY = "replace(replace(replace(replace(replace(reference, ' ', ''), '.', ''), '/', ''), '_', ''), '-', '')"


def upgrade():
    op.create_index(INDEX, TABLE, [sa.text(KEY)], if_not_exists=True)


def downgrade():
    """Leave the index: it belongs to revision 0002, whose downgrade drops it."""
