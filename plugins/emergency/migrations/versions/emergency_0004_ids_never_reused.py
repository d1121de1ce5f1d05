"""Never hand out a deleted row's id again, on SQLite too: its tables are rebuilt with AUTOINCREMENT.

Revision ID: emergency_0004
Revises: emergency_0003
Created: 2026-12-07 07:40:00
"""

from portal import toolkit

revision = "emergency_0004"
down_revision = "emergency_0003"
branch_labels = None
depends_on = None

TABLES = ("emergency_request",)


def upgrade():
    toolkit.ids_never_reused(*TABLES)


def downgrade():
    toolkit.ids_never_reused(*TABLES, never=False)
