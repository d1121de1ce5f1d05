"""Never hand out a deleted row's id again, on SQLite too: its tables are rebuilt with AUTOINCREMENT.

Revision ID: naturalisation_0004
Revises: naturalisation_0003
Created: 2026-12-07 07:40:00
"""

from portal import toolkit

revision = "naturalisation_0004"
down_revision = "naturalisation_0003"
branch_labels = None
depends_on = None

TABLES = ("naturalisation_appointment", "naturalisation_case", "naturalisation_person")


def upgrade():
    toolkit.ids_never_reused(*TABLES)


def downgrade():
    toolkit.ids_never_reused(*TABLES, never=False)
