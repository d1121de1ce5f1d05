"""Create the appointments table.

Revision ID: appointments_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = "appointments_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appointments_appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("birth_key", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("starts_at", toolkit.UTCDateTime(timezone=True), nullable=True),
        sa.Column("building", sa.String(length=120), nullable=False),
        sa.Column("room", sa.String(length=40), nullable=False),
        sa.Column("persons_allowed", sa.SmallInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", toolkit.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", toolkit.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", toolkit.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_at", toolkit.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('invited', 'scheduled', 'postponed', 'cancelled', 'ready_for_collection', 'completed')",
            name=op.f("ck_appointments_appointment_status"),
        ),
        sa.CheckConstraint("persons_allowed BETWEEN 1 AND 2", name=op.f("ck_appointments_appointment_persons_allowed")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments_appointment")),
        sa.UniqueConstraint("reference", name=op.f("uq_appointments_appointment_reference")),
    )
    with op.batch_alter_table("appointments_appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_appointment_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index("ix_appointments_appointment_status_changed", ["status", "status_changed_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("appointments_appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_appointment_status_changed")
        batch_op.drop_index(batch_op.f("ix_appointments_appointment_starts_at"))
    op.drop_table("appointments_appointment")
