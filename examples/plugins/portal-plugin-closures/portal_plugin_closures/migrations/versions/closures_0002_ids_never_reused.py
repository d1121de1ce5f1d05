"""Never hand out a deleted row's id again, on SQLite too: its tables are rebuilt with AUTOINCREMENT.

Revision ID: closures_0002
Revises: closures_0001
Created: 2026-12-07 07:40:00
"""

from portal import toolkit

revision = "closures_0002"
down_revision = "closures_0001"
branch_labels = None
depends_on = None

TABLES = ("closures_closure",)


def upgrade():
    toolkit.ids_never_reused(*TABLES)


def downgrade():
    toolkit.ids_never_reused(*TABLES, never=False)
