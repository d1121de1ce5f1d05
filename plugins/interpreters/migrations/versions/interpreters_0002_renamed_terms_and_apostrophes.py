"""Two shipped terms under their new names, and glossary searches that treat Ukrainian apostrophes as one.

The shipped glossary now says Einladungsschreiben (was Terminschreiben) and Notfall-Adresse (was
Notfalladresse): an existing term moves to the new address unless one exists there already, and keeps its
German name if staff changed it. The search text folds ’ and ʼ to ' from now on; stored texts follow.

Revision ID: interpreters_0002
Revises: interpreters_0001
Created: 2026-12-02 13:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "interpreters_0002"
down_revision = "interpreters_0001"
branch_labels = None
depends_on = None

RENAMED = [("terminschreiben", "Terminschreiben", "einladungsschreiben", "Einladungsschreiben"),
           ("notfalladresse", "Notfalladresse", "notfall-adresse", "Notfall-Adresse")]


def _move(connection, old: tuple[str, str], new: tuple[str, str], *, search_new_name: bool) -> None:
    """Move a term from one (slug, German name) to another unless a term holds the new slug already."""
    (old_slug, old_term), (new_slug, new_term) = old, new
    taken = connection.execute(sa.text("SELECT 1 FROM interpreters_glossary_term WHERE slug = :slug"),
                               {"slug": new_slug}).first()
    if taken:
        return
    # On the way up the new name joins the search text, folded as the glossary folds it, so a search finds it.
    connection.execute(sa.text(
        "UPDATE interpreters_glossary_term SET slug = :new_slug, search_text = :prefix || search_text,"
        " term = CASE WHEN term = :old_term THEN :new_term ELSE term END WHERE slug = :old_slug"),
        {"old_slug": old_slug, "old_term": old_term, "new_slug": new_slug, "new_term": new_term,
         "prefix": new_term.casefold() + " | " if search_new_name else ""})


def upgrade():
    connection = op.get_bind()
    for old_slug, old_term, new_slug, new_term in RENAMED:
        _move(connection, (old_slug, old_term), (new_slug, new_term), search_new_name=True)
    connection.execute(sa.text(
        "UPDATE interpreters_glossary_term"
        " SET search_text = REPLACE(REPLACE(search_text, :right, ''''), :modifier, '''')"),
        {"right": "\u2019", "modifier": "\u02bc"})


def downgrade():
    # The folded apostrophes match what visitors type either way; only the addresses go back.
    connection = op.get_bind()
    for old_slug, old_term, new_slug, new_term in RENAMED:
        _move(connection, (new_slug, new_term), (old_slug, old_term), search_new_name=False)
