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


def upgrade():
    connection = op.get_bind()
    for old_slug, old_term, new_slug, new_term in RENAMED:
        taken = connection.execute(sa.text("SELECT 1 FROM interpreters_glossary_term WHERE slug = :slug"),
                                   {"slug": new_slug}).first()
        if taken:
            continue
        # The new name joins the search text, folded as the glossary folds it, so a search finds it at once.
        connection.execute(sa.text(
            "UPDATE interpreters_glossary_term SET slug = :new_slug, search_text = :new_folded || ' | ' || search_text,"
            " term = CASE WHEN term = :old_term THEN :new_term ELSE term END WHERE slug = :old_slug"),
            {"old_slug": old_slug, "old_term": old_term, "new_slug": new_slug, "new_term": new_term,
             "new_folded": new_term.casefold()})
    connection.execute(sa.text(
        "UPDATE interpreters_glossary_term"
        " SET search_text = REPLACE(REPLACE(search_text, :right, ''''), :modifier, '''')"),
        {"right": "\u2019", "modifier": "\u02bc"})


def downgrade():
    # The folded apostrophes match what visitors type either way; only the addresses go back.
    connection = op.get_bind()
    for old_slug, old_term, new_slug, new_term in RENAMED:
        taken = connection.execute(sa.text("SELECT 1 FROM interpreters_glossary_term WHERE slug = :slug"),
                                   {"slug": old_slug}).first()
        if taken:
            continue
        connection.execute(sa.text(
            "UPDATE interpreters_glossary_term SET slug = :old_slug,"
            " term = CASE WHEN term = :new_term THEN :old_term ELSE term END WHERE slug = :new_slug"),
            {"old_slug": old_slug, "old_term": old_term, "new_slug": new_slug, "new_term": new_term})
