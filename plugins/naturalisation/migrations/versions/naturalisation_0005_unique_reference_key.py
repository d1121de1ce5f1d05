"""One case per reference whatever its separators: the index of references without them becomes unique.

Before, two caseworkers recording 54/12-2026 and 54 12 2026 at the same moment could both pass the portal's
check and store two cases. A database that already holds two such cases is named here, to be merged by hand.

Revision ID: naturalisation_0005
Revises: naturalisation_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "naturalisation_0005"
down_revision = "naturalisation_0004"
branch_labels = None
depends_on = None

TABLE = "naturalisation_case"
INDEX = "ix_naturalisation_case_reference_key"
# toolkit.reference_key_expression() as it stood when this revision was written (as in naturalisation_0002).
KEY = "replace(replace(replace(replace(replace(reference, ' ', ''), '.', ''), '/', ''), '_', ''), '-', '')"


def upgrade():
    twice = op.get_bind().execute(sa.text(
        f"SELECT {KEY} AS reference_key, count(*) FROM {TABLE} GROUP BY {KEY} HAVING count(*) > 1")).all()
    if twice:
        listed = ", ".join(row.reference_key for row in twice)
        raise RuntimeError(f"{TABLE} holds cases whose references differ only in separators ({listed}): "
                           "keep one case of each and delete the others, then upgrade again")
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, [sa.text(KEY)], unique=True)


def downgrade():
    op.drop_index(INDEX, table_name=TABLE)
    op.create_index(INDEX, TABLE, [sa.text(KEY)])
