"""Keep dates of birth only as keyed hashes with the case reference.

Revision ID: naturalisation_0003
Revises: naturalisation_0002

Run it with the production secret key (PORTAL_SECRET_KEY or the instance
file, read by the app as always): the hashes are made with it, and a lookup
finds a case only with the key its hashes were made with. It cannot be undone:
the dates are gone.
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = "naturalisation_0003"
down_revision = "naturalisation_0002"
branch_labels = None
depends_on = None

# The purpose naturalisation.models.BIRTH_KEY_PURPOSE had when this revision was written.
PURPOSE = "naturalisation-birth-key"


def upgrade():
    # Plain ALTER TABLE, no table rebuild: on SQLite, rebuilding a parent table would cascade-delete the
    # links between persons and appointments.
    op.add_column("naturalisation_person", sa.Column("birth_key", sa.String(length=64), nullable=False,
                                                     server_default=""))
    connection = op.get_bind()
    person = sa.table("naturalisation_person", sa.column("id", sa.Integer), sa.column("case_id", sa.Integer),
                      sa.column("date_of_birth", sa.Date), sa.column("birth_key", sa.String))
    case = sa.table("naturalisation_case", sa.column("id", sa.Integer), sa.column("reference", sa.String))
    rows = connection.execute(sa.select(person.c.id, person.c.date_of_birth, case.c.reference)
                              .join(case, case.c.id == person.c.case_id)).all()
    for row in rows:
        key = toolkit.keyed_hash(PURPOSE, toolkit.reference_key(row.reference), row.date_of_birth.isoformat())
        connection.execute(sa.update(person).where(person.c.id == row.id).values(birth_key=key))
    op.drop_column("naturalisation_person", "date_of_birth")


def downgrade():
    raise RuntimeError("The dates of birth were replaced by keyed hashes and cannot be restored.")
