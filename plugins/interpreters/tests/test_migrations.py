"""The glossary's migrations on both databases: renamed shipped terms, folded apostrophes, the term's language."""

from __future__ import annotations

from sqlalchemy import text

from portal.testing import migrate_to

INSERT = ("INSERT INTO interpreters_glossary_term (id, slug, term, explanation, search_text, version, updated_at) "
          "VALUES (:id, :slug, :term, 'Erklärung', :search, 1, '2026-12-01 08:00:00')")


def test_renamed_terms_move_unless_taken_and_apostrophes_fold(unmigrated_app):
    app = unmigrated_app(plugins=["interpreters"])
    engine = app.extensions["portal.db"].engine
    migrate_to(app, "core")
    migrate_to(app, "interpreters", "interpreters_0001")
    with engine.begin() as connection:
        connection.execute(text(INSERT), [
            {"id": 1, "slug": "terminschreiben", "term": "Terminschreiben", "search": "terminschreiben | зв’язок"},
            # Staff loaded the new term already: the old one stays where it is.
            {"id": 2, "slug": "notfalladresse", "term": "Notfalladresse", "search": "notfalladresse"},
            {"id": 3, "slug": "notfall-adresse", "term": "Notfall-Adresse", "search": "notfall-adresse | зʼязок"},
        ])
    migrate_to(app, "interpreters")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, slug, term, search_text FROM interpreters_glossary_term "
                                       "ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [
        (1, "einladungsschreiben", "Einladungsschreiben", "einladungsschreiben | terminschreiben | зв'язок"),
        (2, "notfalladresse", "Notfalladresse", "notfalladresse"),
        (3, "notfall-adresse", "Notfall-Adresse", "notfall-adresse | з'язок"),
    ]
    engine.dispose()


def test_terms_stored_before_they_recorded_a_language_are_german(unmigrated_app):
    app = unmigrated_app(plugins=["interpreters"])
    engine = app.extensions["portal.db"].engine
    migrate_to(app, "core")
    migrate_to(app, "interpreters", "interpreters_0002")
    with engine.begin() as connection:
        connection.execute(text(INSERT), {"id": 1, "slug": "duldung", "term": "Duldung", "search": "duldung"})
    migrate_to(app, "interpreters")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT lang FROM interpreters_glossary_term")).scalar_one() == "de"
    engine.dispose()
