"""The data migrations: dates of birth become keyed hashes, one case per reference; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from portal_plugins.naturalisation.views import find_case
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from portal.testing import migrate_to


def test_stored_dates_of_birth_become_keyed_hashes_and_still_find_the_case(unmigrated_app):
    app = unmigrated_app(secret_key="production-secret-key-of-the-office", plugins=["naturalisation"])
    engine = app.extensions["portal.db"].engine
    migrate_to(app, "core")
    migrate_to(app, "naturalisation", "naturalisation_0002")
    with app.app_context():
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO naturalisation_case (id, reference, ready_on, family_group, "
                                    "letter_language, version, created_at) VALUES "
                                    "(1, '54/12-2026', '2026-12-01', '', '', 1, '2026-12-01 08:00:00')"))
            connection.execute(text("INSERT INTO naturalisation_person (id, case_id, position, date_of_birth, state) "
                                    "VALUES (1, 1, 1, '1985-07-31', 'planned'), (2, 1, 2, '2010-01-02', 'planned')"))
            connection.execute(text("INSERT INTO naturalisation_appointment (id, day, starts_at, office, state, "
                                    "version, created_at, updated_at) VALUES (1, '2026-12-10', '09:20:00', 'Raum 2', "
                                    "'planned', 1, '2026-12-01 08:00:00', '2026-12-01 08:00:00')"))
            connection.execute(text("INSERT INTO naturalisation_appointment_person (appointment_id, person_id) "
                                    "VALUES (1, 1), (1, 2)"))
    migrate_to(app, "naturalisation")
    with app.app_context():
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT birth_key FROM naturalisation_person ORDER BY id")).scalars().all()
            links = connection.execute(text("SELECT count(*) FROM naturalisation_appointment_person")).scalar()
        assert len(stored) == 2 and all(len(key) == 64 and "1985" not in key for key in stored)
        assert links == 2
        with app.test_request_context():
            assert find_case("54 12 2026", date(2010, 1, 2)).reference == "54/12-2026"
            assert find_case("54/12-2026", date(1985, 7, 30)) is None
        app.config["SECRET_KEY"] = "another-secret-key-entirely-000000"
        with app.test_request_context():
            assert find_case("54/12-2026", date(1985, 7, 31)) is None
    with engine.connect() as connection:
        names = [column["name"] for column in inspect(connection).get_columns("naturalisation_person")]
    assert "date_of_birth" not in names and "birth_key" in names


def test_one_reference_with_other_separators_twice_is_named_before_the_index_becomes_unique(unmigrated_app):
    app = unmigrated_app(plugins=["naturalisation"])
    engine = app.extensions["portal.db"].engine
    migrate_to(app, "core")
    migrate_to(app, "naturalisation", "naturalisation_0004")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO naturalisation_case (reference, ready_on, family_group, letter_language, "
                                "version, created_at) VALUES ('54/12-2026', '2026-12-01', '', '', 1, "
                                "'2026-12-01 08:00:00'), ('54 12 2026', '2026-12-01', '', '', 1, "
                                "'2026-12-01 08:00:00')"))
    with pytest.raises(RuntimeError, match=r"\(54122026\): keep one case of each"):
        migrate_to(app, "naturalisation")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM naturalisation_case WHERE reference = '54 12 2026'"))
    migrate_to(app, "naturalisation")
    with engine.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(text("INSERT INTO naturalisation_case (reference, ready_on, family_group, letter_language, "
                                "version, created_at) VALUES ('54.12/2026', '2026-12-01', '', '', 1, "
                                "'2026-12-01 08:00:00')"))
