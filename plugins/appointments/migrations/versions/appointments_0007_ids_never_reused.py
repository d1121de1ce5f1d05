"""Never hand out a deleted row's id again, on SQLite too: its tables are rebuilt with AUTOINCREMENT.

Revision ID: appointments_0007
Revises: appointments_0006
Created: 2026-12-07 07:40:00
"""

from portal import toolkit

revision = "appointments_0007"
down_revision = "appointments_0006"
branch_labels = None
depends_on = None

TABLES = ("appointments_appointment", "appointments_freed_slot", "appointments_offer", "appointments_reminder",
          "appointments_request", "appointments_short_notice")


def upgrade():
    toolkit.ids_never_reused(*TABLES)


def downgrade():
    toolkit.ids_never_reused(*TABLES, never=False)
