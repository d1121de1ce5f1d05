"""The migration that gives every stored appointment a random public id, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from portal.testing import migrate_down_to, migrate_to


def test_existing_appointments_get_distinct_public_ids(unmigrated_app):
    app = unmigrated_app(plugins=["appointments"])
    engine = app.extensions["portal.db"].engine
    migrate_to(app, "core")
    migrate_to(app, "appointments", "appointments_0002")
    with engine.begin() as connection:
        for number in (1, 2, 3):
            connection.execute(text(
                "INSERT INTO appointments_appointment (id, reference, birth_key, service, status, building, room, "
                "persons_allowed, version, created_at, updated_at, status_changed_at, imported_at) VALUES "
                "(:id, :reference, 'k', 'eu-blue-card', 'postponed', '', '', 1, 1, '2026-12-01 08:00:00', "
                "'2026-12-01 08:00:00', '2026-12-01 08:00:00', '2026-12-01 08:00:00')"),
                {"id": number, "reference": f"M-10000{number}"})
    migrate_to(app, "appointments")
    with engine.connect() as connection:
        public_ids = connection.execute(text("SELECT public_id FROM appointments_appointment")).scalars().all()
    assert len(set(public_ids)) == 3
    assert all(len(public_id) == 26 and public_id.isalnum() and public_id.isupper() for public_id in public_ids)


def index_names(engine) -> list[str]:
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            return connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars().all()
        return connection.execute(text("SELECT indexname FROM pg_indexes")).scalars().all()


def test_lookups_use_the_reference_key_index_after_every_migration(unmigrated_app):
    app = unmigrated_app(plugins=["appointments"])
    engine = app.extensions["portal.db"].engine
    migrate_to(app, "core")
    migrate_to(app, "appointments")
    assert "ix_appointments_appointment_reference_key" in index_names(engine)


def test_the_tables_go_down_to_none_and_up_again(unmigrated_app):
    app = unmigrated_app(plugins=["appointments"])
    engine = app.extensions["portal.db"].engine
    migrate_to(app, "core")
    migrate_to(app, "appointments")
    migrate_down_to(app, "appointments")
    left = [name for name in inspect(engine).get_table_names() if name.startswith("appointments_")]
    assert left == ["appointments_alembic_version"]
    migrate_to(app, "appointments")
    assert "ix_appointments_appointment_reference_key" in index_names(engine)
