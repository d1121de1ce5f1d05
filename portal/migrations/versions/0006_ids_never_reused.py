"""Never hand out a deleted row's id again, on SQLite too: its tables are rebuilt with AUTOINCREMENT.

Revision ID: core_0006
Revises: core_0005
Created: 2026-12-07 07:40:00
"""

from portal.migrate import ids_never_reused

revision = "core_0006"
down_revision = "core_0005"
branch_labels = None
depends_on = None

TABLES = ("core_audit_entry", "core_mail_outbox", "core_staff_account")


def upgrade():
    ids_never_reused(*TABLES)


def downgrade():
    ids_never_reused(*TABLES, never=False)
