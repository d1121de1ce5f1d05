"""Never hand out a deleted row's id again, on SQLite too: its tables are rebuilt with AUTOINCREMENT.

Revision ID: interpreters_0005
Revises: interpreters_0004
Created: 2026-12-07 07:40:00
"""

from portal import toolkit

revision = "interpreters_0005"
down_revision = "interpreters_0004"
branch_labels = None
depends_on = None

TABLES = ("interpreters_glossary_term", "interpreters_glossary_translation", "interpreters_help_time")


def upgrade():
    toolkit.ids_never_reused(*TABLES)


def downgrade():
    toolkit.ids_never_reused(*TABLES, never=False)
