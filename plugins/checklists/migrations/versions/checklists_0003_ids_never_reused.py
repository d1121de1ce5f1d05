"""Never hand out a deleted row's id again, on SQLite too: its tables are rebuilt with AUTOINCREMENT.

Revision ID: checklists_0003
Revises: checklists_0002
Created: 2026-12-07 07:40:00
"""

from portal import toolkit

revision = "checklists_0003"
down_revision = "checklists_0002"
branch_labels = None
depends_on = None

TABLES = ("checklists_question", "checklists_service", "checklists_service_version")


def upgrade():
    toolkit.ids_never_reused(*TABLES)


def downgrade():
    toolkit.ids_never_reused(*TABLES, never=False)
