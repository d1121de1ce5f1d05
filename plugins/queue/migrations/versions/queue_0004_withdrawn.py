"""Let a ticket end as withdrawn: its appointment was cancelled or postponed while the client waited.

Revision ID: queue_0004
Revises: queue_0003
Created: 2026-12-07 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "queue_0004"
down_revision = "queue_0003"
branch_labels = None
depends_on = None

TABLE = "queue_ticket"
BEFORE = ("waiting", "called", "in_service", "done", "missed", "transferred")
AFTER = (*BEFORE, "withdrawn")
# SQLite rebuilds the table to change a check: the partial index is made anew after it, with its condition.
ACTIVE = "state IN ('called', 'in_service')"


def _states(states) -> str:
    return "state IN ({})".format(", ".join(f"'{state}'" for state in states))


def _allow(states) -> None:
    op.drop_index("ix_queue_ticket_one_per_desk", table_name=TABLE, sqlite_where=sa.text(ACTIVE),
                  postgresql_where=sa.text(ACTIVE))
    with op.batch_alter_table(TABLE) as batch_op:
        batch_op.drop_constraint(op.f("ck_queue_ticket_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_queue_ticket_state"), _states(states))
    op.create_index("ix_queue_ticket_one_per_desk", TABLE, ["desk"], unique=True, sqlite_where=sa.text(ACTIVE),
                    postgresql_where=sa.text(ACTIVE))


def upgrade():
    _allow(AFTER)


def downgrade():
    # A withdrawn ticket ended; "missed" is the ended state that sends its client to the Service Point too.
    op.execute(sa.text(f"UPDATE {TABLE} SET state = 'missed' WHERE state = 'withdrawn'"))
    _allow(BEFORE)
