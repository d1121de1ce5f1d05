"""A glossary term records the language its own word and explanation are written in.

Until now that was German by definition; the office's source language decides it from now on, so a term saved
before the office changed its source language keeps saying which language its words are in.

Revision ID: interpreters_0003
Revises: interpreters_0002
Created: 2026-12-06 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "interpreters_0003"
down_revision = "interpreters_0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interpreters_glossary_term") as batch:
        batch.add_column(sa.Column("lang", sa.String(8), nullable=False, server_default="de"))


# A term in another language than German that has a complete German version.
HAS_GERMAN = ("lang <> 'de' AND EXISTS (SELECT 1 FROM interpreters_glossary_translation german "
              "WHERE german.term_id = interpreters_glossary_term.id AND german.lang = 'de' "
              "AND german.term <> '' AND german.explanation <> '')")
GERMAN = ("(SELECT german.{column} FROM interpreters_glossary_translation german "
          "WHERE german.term_id = interpreters_glossary_term.id AND german.lang = 'de')")


def downgrade():
    # The earlier code reads a term's own words as German: where a term has German words, they become its own
    # again and its own words a translation, so nothing is lost. A term without German words stays as it is.
    op.execute(f"INSERT INTO interpreters_glossary_translation (term_id, lang, term, explanation) "
               f"SELECT id, lang, term, explanation FROM interpreters_glossary_term WHERE {HAS_GERMAN}")
    op.execute(f"UPDATE interpreters_glossary_term SET term = {GERMAN.format(column='term')}, "
               f"explanation = {GERMAN.format(column='explanation')} WHERE {HAS_GERMAN}")
    # The earlier code knows no German translation (German was each term's own): an unfinished one goes too.
    op.execute("DELETE FROM interpreters_glossary_translation WHERE lang = 'de' AND term_id IN "
               "(SELECT id FROM interpreters_glossary_term WHERE lang <> 'de')")
    with op.batch_alter_table("interpreters_glossary_term") as batch:
        batch.drop_column("lang")
