"""Migrations run all or nothing: a revision that fails leaves every table as it was, on SQLite too."""

from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import inspect, text

from portal.migrate import migrate
from portal.testing import migrate_down_to, migrate_to

FAILING_REVISIONS = {
    "scratch_0001_notes.py": """
        import sqlalchemy as sa
        from alembic import op

        revision = "scratch_0001"
        down_revision = None


        def upgrade():
            op.create_table("scratch_note", sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.Text))
            op.execute("INSERT INTO scratch_note (text) VALUES ('kept only if every revision runs')")
    """,
    "scratch_0002_fails.py": """
        import sqlalchemy as sa
        from alembic import op

        revision = "scratch_0002"
        down_revision = "scratch_0001"


        def upgrade():
            op.create_table("scratch_other", sa.Column("id", sa.Integer, primary_key=True))
            with op.batch_alter_table("scratch_note") as batch:
                batch.add_column(sa.Column("written_at", sa.DateTime))
            raise RuntimeError("this revision fails after its schema changes")
    """,
}


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_an_upgrade_that_fails_halfway_leaves_no_table_and_no_version(unmigrated_app, tmp_path):
    versions = tmp_path / "scratch_versions"
    versions.mkdir()
    for name, source in FAILING_REVISIONS.items():
        (versions / name).write_text(textwrap.dedent(source))
    app = unmigrated_app()
    migrate_to(app, "core")
    engine = app.extensions["portal.db"].engine
    before = _tables(engine)
    with app.app_context(), pytest.raises(RuntimeError, match="fails after its schema changes"):
        migrate("scratch", versions)
    # Without one transaction around it all, SQLite kept the tables made before the failure, the batch
    # operation's temporary copy among them, and a second try failed on them.
    assert _tables(engine) == before


def test_a_refused_downgrade_leaves_the_tables_and_the_revision_as_they_were(unmigrated_app):
    app = unmigrated_app(plugins=["emergency"])
    migrate_to(app, "core")
    migrate_to(app, "emergency")
    engine = app.extensions["portal.db"].engine
    before = _tables(engine)
    # Its newest revision goes down (a batch operation rebuilding a table); the one below refuses.
    with pytest.raises(NotImplementedError, match="restore a backup"):
        migrate_down_to(app, "emergency")
    assert _tables(engine) == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM emergency_alembic_version")).scalar() == \
            "emergency_0003"
        assert "other_language" in {column["name"] for column in inspect(connection).get_columns("emergency_request")}
    migrate_to(app, "emergency")
