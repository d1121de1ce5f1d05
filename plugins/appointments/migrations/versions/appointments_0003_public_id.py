"""Give every appointment a random public id, the one fact that names it to other plugins and on passes.

Revision ID: appointments_0003
Revises: appointments_0002
"""

import base64
import secrets

import sqlalchemy as sa
from alembic import op

revision = "appointments_0003"
down_revision = "appointments_0002"
branch_labels = None
depends_on = None

TABLE = "appointments_appointment"


def _new_public_id() -> str:
    # models.new_public_id() as it stood when this revision was written.
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")


def upgrade():
    op.add_column(TABLE, sa.Column("public_id", sa.String(length=26), nullable=True))
    connection = op.get_bind()
    table = sa.table(TABLE, sa.column("id", sa.Integer), sa.column("public_id", sa.String))
    for (appointment_id,) in connection.execute(sa.select(table.c.id)).all():
        connection.execute(sa.update(table).where(table.c.id == appointment_id).values(public_id=_new_public_id()))
    with op.batch_alter_table(TABLE) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=26), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_appointments_appointment_public_id"), ["public_id"])


def downgrade():
    with op.batch_alter_table(TABLE) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_appointments_appointment_public_id"), type_="unique")
        batch_op.drop_column("public_id")
