"""Never hand out a deleted row's id again, on SQLite too: its tables are rebuilt with AUTOINCREMENT.

Revision ID: queue_0005
Revises: queue_0004
Created: 2026-12-07 07:40:00
"""

from portal import toolkit

revision = "queue_0005"
down_revision = "queue_0004"
branch_labels = None
depends_on = None

TABLES = ("queue_ticket",)


def upgrade():
    toolkit.ids_never_reused(*TABLES)


def downgrade():
    toolkit.ids_never_reused(*TABLES, never=False)
