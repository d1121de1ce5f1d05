"""The plugin's migrations on both databases: renamed shipped terms, folded apostrophes, the term's language, help
by phone."""

from __future__ import annotations

from sqlalchemy import text

from portal.testing import migrate_down_to, migrate_to

INSERT = ("INSERT INTO interpreters_glossary_term (id, slug, term, explanation, search_text, version, updated_at) "
          "VALUES (:id, :slug, :term, 'Erklärung', :search, 1, '2026-12-01 08:00:00')")
INSERT_WITH_LANGUAGE = INSERT.replace("(id, slug,", "(id, slug, lang,").replace("(:id, :slug,", "(:id, :slug, :lang,")


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


def test_going_back_makes_a_terms_german_words_its_own_again(unmigrated_app):
    app = unmigrated_app(plugins=["interpreters"])
    engine = app.extensions["portal.db"].engine
    migrate_to(app, "core")
    migrate_to(app, "interpreters")
    with engine.begin() as connection:
        connection.execute(text(INSERT_WITH_LANGUAGE), [
            {"id": 1, "slug": "einbuergerung", "lang": "en", "term": "naturalisation", "search": "naturalisation"},
            {"id": 2, "slug": "duldung", "lang": "de", "term": "Duldung", "search": "duldung"},
            {"id": 3, "slug": "residence-card", "lang": "en", "term": "residence card", "search": "residence card"},
        ])
        connection.execute(text("INSERT INTO interpreters_glossary_translation (term_id, lang, term, explanation) "
                                "VALUES (:term_id, :lang, :term, :explanation)"), [
            {"term_id": 1, "lang": "de", "term": "Einbürgerung", "explanation": "Deutsch werden."},
            {"term_id": 1, "lang": "ar", "term": "التجنّس", "explanation": "الحصول على الجنسية."},
            {"term_id": 2, "lang": "en", "term": "toleration", "explanation": "Deportation is suspended."},
        ])
    migrate_down_to(app, "interpreters", "interpreters_0002")
    with engine.connect() as connection:
        terms = connection.execute(text("SELECT id, term, explanation FROM interpreters_glossary_term "
                                        "ORDER BY id")).all()
        translations = connection.execute(text("SELECT term_id, lang, term, explanation FROM "
                                               "interpreters_glossary_translation ORDER BY term_id, lang")).all()
    assert [tuple(row) for row in terms] == [(1, "Einbürgerung", "Deutsch werden."), (2, "Duldung", "Erklärung"),
                                             (3, "residence card", "Erklärung")]
    assert [tuple(row) for row in translations] == [
        (1, "ar", "التجنّس", "الحصول على الجنسية."), (1, "en", "naturalisation", "Erklärung"),
        (2, "en", "toleration", "Deportation is suspended.")]


def test_help_times_stored_before_they_said_whether_by_phone_are_help_in_the_building(unmigrated_app):
    app = unmigrated_app(plugins=["interpreters"])
    engine = app.extensions["portal.db"].engine
    migrate_to(app, "core")
    migrate_to(app, "interpreters", "interpreters_0003")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO interpreters_help_time (id, day, starts_at, ends_at, languages, other_languages, place, "
            "version, updated_at) VALUES (1, '2026-12-07', '09:00:00', '11:00:00', 'ar', '', 'Wartebereich', 1, "
            "'2026-12-01 08:00:00')"))
    migrate_to(app, "interpreters")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT by_phone FROM interpreters_help_time")).scalar_one() in (False, 0)
    migrate_down_to(app, "interpreters", "interpreters_0003")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT place FROM interpreters_help_time")).scalar_one() == "Wartebereich"
