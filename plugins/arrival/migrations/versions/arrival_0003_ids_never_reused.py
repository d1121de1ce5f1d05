"""Never hand out a deleted row's id again, on SQLite too: its tables are rebuilt with AUTOINCREMENT.

Revision ID: arrival_0003
Revises: arrival_0002
Created: 2026-12-07 07:40:00
"""

from portal import toolkit

revision = "arrival_0003"
down_revision = "arrival_0002"
branch_labels = None
depends_on = None

TABLES = ("arrival_pass",)


def upgrade():
    toolkit.ids_never_reused(*TABLES)


def downgrade():
    toolkit.ids_never_reused(*TABLES, never=False)
