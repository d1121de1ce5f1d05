"""Migrations run all or nothing, on SQLite too, and servers and commands tell when the database needs them."""

from __future__ import annotations

import sys
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from portal import create_app
from portal.db import session as db_session
from portal.db import utcnow
from portal.migrate import _alembic_config, _owners, _revisions_in, migrate, schema_behind, upgrade_all
from portal.staff.models import AuditEntry
from portal.testing import migrate_down_to, migrate_to, sign_in, staff_accounts_in
from tests.support import ALL_PLUGINS

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


REBUILT_PARENT_REVISIONS = {
    "scratch_0001_rooms_and_seats.py": """
        import sqlalchemy as sa
        from alembic import op

        revision = "scratch_0001"
        down_revision = None


        def upgrade():
            op.create_table("scratch_room", sa.Column("id", sa.Integer, primary_key=True))
            op.create_table("scratch_seat", sa.Column("id", sa.Integer, primary_key=True),
                            sa.Column("room_id", sa.Integer, sa.ForeignKey("scratch_room.id", ondelete="CASCADE")))
            op.execute("INSERT INTO scratch_room (id) VALUES (1)")
            op.execute("INSERT INTO scratch_seat (id, room_id) VALUES (1, 1), (2, 1)")
    """,
    "scratch_0002_room_names.py": """
        import sqlalchemy as sa
        from alembic import op

        revision = "scratch_0002"
        down_revision = "scratch_0001"


        def upgrade():
            # On SQLite a new column with a constraint rebuilds the table: a new copy, the old one dropped.
            with op.batch_alter_table("scratch_room") as batch:
                batch.add_column(sa.Column("name", sa.String(20), nullable=False, server_default="E.05"))
                batch.create_check_constraint("scratch_room_named", "name <> ''")
    """,
}
ORPHAN_REVISION = """
    from alembic import op

    revision = "scratch_0003"
    down_revision = "scratch_0002"


    def upgrade():
        op.execute("INSERT INTO scratch_seat (id, room_id) VALUES (3, 99)")
"""


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _scratch_versions(folder, revisions: dict[str, str]):
    versions = folder / "scratch_versions"
    versions.mkdir()
    for name, source in revisions.items():
        (versions / name).write_text(textwrap.dedent(source))
    return versions


def test_an_upgrade_that_fails_halfway_leaves_no_table_and_no_version(unmigrated_app, tmp_path):
    versions = _scratch_versions(tmp_path, FAILING_REVISIONS)
    app = unmigrated_app()
    migrate_to(app, "core")
    engine = app.extensions["portal.db"].engine
    before = _tables(engine)
    with app.app_context(), pytest.raises(RuntimeError, match="fails after its schema changes"):
        migrate("scratch", versions)
    # Without one transaction around it all, SQLite kept the table and the version table made before the
    # driver opened its transaction (at the first INSERT), and a second try failed on the existing table.
    assert _tables(engine) == before


def test_a_refused_downgrade_leaves_the_tables_and_the_revision_as_they_were(unmigrated_app):
    app = unmigrated_app(plugins=["emergency"])
    migrate_to(app, "core")
    migrate_to(app, "emergency")
    engine = app.extensions["portal.db"].engine
    before = _tables(engine)
    # Its newest revisions go down (batch operations rebuilding a table); the one below them refuses.
    with pytest.raises(NotImplementedError, match="restore a backup"):
        migrate_down_to(app, "emergency")
    assert _tables(engine) == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM emergency_alembic_version")).scalar() == \
            "emergency_0004"
        assert "other_language" in {column["name"] for column in inspect(connection).get_columns("emergency_request")}
    migrate_to(app, "emergency")


def test_rebuilding_a_table_keeps_the_rows_that_refer_to_it(unmigrated_app, tmp_path):
    versions = _scratch_versions(tmp_path, REBUILT_PARENT_REVISIONS)
    app = unmigrated_app()
    with app.app_context():
        migrate("scratch", versions, "scratch_0001")
        # SQLite drops the old table in the rebuild: with foreign keys enforced, that deleted its seats on cascade.
        migrate("scratch", versions)
    engine = app.extensions["portal.db"].engine
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, room_id FROM scratch_seat ORDER BY id")).all() == [(1, 1), (2, 1)]
        assert connection.execute(text("SELECT name FROM scratch_room")).scalar() == "E.05"
        # Enforced again for the portal's own connections afterwards.
        with pytest.raises(IntegrityError):
            connection.execute(text("INSERT INTO scratch_seat (id, room_id) VALUES (3, 99)"))


def test_an_upgrade_that_leaves_a_row_referring_to_nothing_fails_and_changes_nothing(unmigrated_app, tmp_path):
    versions = _scratch_versions(tmp_path, REBUILT_PARENT_REVISIONS | {"scratch_0003_orphan.py": ORPHAN_REVISION})
    app = unmigrated_app()
    with app.app_context():
        migrate("scratch", versions, "scratch_0002")
        # PostgreSQL refuses the row at once; on SQLite the check before the commit finds it.
        with pytest.raises((IntegrityError, RuntimeError), match="scratch_seat|foreign key"):
            migrate("scratch", versions)
    with app.extensions["portal.db"].engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM scratch_seat")).scalar() == 2
        assert connection.execute(text("SELECT version_num FROM scratch_alembic_version")).scalar() == "scratch_0002"


def test_an_upgrade_checks_foreign_keys_only_when_a_revision_ran(unmigrated_app, tmp_path):
    versions = _scratch_versions(tmp_path, REBUILT_PARENT_REVISIONS)
    app = unmigrated_app()
    checks = []
    engine = app.extensions["portal.db"].engine
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cursor, statement, *_: checks.append(statement) if "foreign_key_check" in statement else 0)
    with app.app_context():
        migrate("scratch", versions)
        ran = len(checks)
        # Already at the newest revision: nothing was written, so the whole database need not be read again.
        migrate("scratch", versions)
    assert (ran, len(checks)) == ((1, 1) if engine.dialect.name == "sqlite" else (0, 0))


MERGED_BRANCHES_REVISIONS = {
    "scratch_0001_base.py": 'revision = "scratch_0001"\ndown_revision = None\n',
    "scratch_0002_left.py": 'revision: str = "scratch_0002"\ndown_revision: str | None = "scratch_0001"\n',
    "scratch_0003_right.py": 'revision = "scratch_0003"\ndown_revision = "scratch_0001"\n',
    "scratch_0004_merge.py": 'revision = "scratch_0004"\ndown_revision = ("scratch_0002", "scratch_0003")\n',
    "scratch_0005_branch.py": 'revision = "scratch_0005"\ndown_revision = "scratch_0002"\n',
}


def test_the_newest_revisions_read_from_the_files_are_those_alembic_finds(unmigrated_app, tmp_path):
    from alembic.script import ScriptDirectory

    app = unmigrated_app(plugins=ALL_PLUGINS)
    with app.app_context():
        folders = dict(_owners()) | {"scratch": _scratch_versions(tmp_path, MERGED_BRANCHES_REVISIONS)}
        assert len(folders) == len(ALL_PLUGINS) + 2
        for owner, versions in folders.items():
            script = ScriptDirectory.from_config(_alembic_config(owner, versions, None))
            expected = ({revision.revision for revision in script.walk_revisions()}, set(script.get_heads()))
            assert _revisions_in(versions) == expected, owner
    assert _revisions_in(folders["scratch"])[1] == {"scratch_0004", "scratch_0005"}


def test_health_answers_503_until_db_upgrade_and_names_what_is_behind(unmigrated_app):
    app = unmigrated_app(plugins=["appointments", "arrival"])
    migrate_to(app, "core")
    migrate_to(app, "appointments", "appointments_0004")
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "ok"
    assert response.json["schema"] == {
        "behind": {"appointments": {"stored": ["appointments_0004"], "newest": ["appointments_0007"]},
                   "arrival": {"stored": [], "newest": ["arrival_0003"]}},
        "run": "flask --app portal db upgrade"}
    assert client.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.7"}).json == {"status": "degraded"}
    with app.app_context():
        upgrade_all()
    # The same process sees the upgrade: nothing to restart.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["schema"] == "current"


def test_signed_in_staff_see_what_is_behind_while_the_core_is_current(unmigrated_app):
    app = unmigrated_app(plugins=["appointments"])
    migrate_to(app, "core")
    client = app.test_client()
    sign_in(client, staff_accounts_in(app)("admin"))
    elsewhere = {"REMOTE_ADDR": "203.0.113.7"}
    response = client.get("/healthz", environ_base=elsewhere)
    assert response.status_code == 503
    assert response.json["schema"]["behind"] == {"appointments": {"stored": [], "newest": ["appointments_0007"]}}
    with app.extensions["portal.db"].engine.begin() as connection:
        # A core revision that changed the sessions' table, not yet run: no session can be checked.
        connection.execute(text("ALTER TABLE core_staff_session RENAME TO core_staff_session_renamed"))
    assert client.get("/healthz", environ_base=elsewhere).json == {"status": "degraded"}


def test_a_database_newer_than_the_server_is_current_for_it(unmigrated_app):
    app = unmigrated_app(plugins=["appointments"])
    with app.app_context():
        upgrade_all()
    with app.extensions["portal.db"].engine.begin() as connection:
        # What the next version's `db upgrade` leaves for the servers still running this one.
        connection.execute(text("UPDATE appointments_alembic_version SET version_num = 'appointments_0099'"))
    with unmigrated_app(plugins=["appointments"]).app_context():
        assert schema_behind() == {}


def test_commands_refuse_to_run_until_db_upgrade_and_change_nothing(unmigrated_app):
    app = unmigrated_app(plugins=["appointments", "arrival"])
    migrate_to(app, "core")
    migrate_to(app, "appointments", "appointments_0004")
    with app.app_context():
        db_session().add(AuditEntry(at=utcnow() - timedelta(days=3000), actor="a@amt.example", action="test",
                                    target_type="test", target_id="1"))
        db_session().commit()
    runner = app.test_cli_runner()
    for command in (["purge"], ["arrival", "keys", "list"], ["mail", "deliver"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1, command
        assert ("the database's tables are older than this version (appointments at appointments_0004, newest "
                "appointments_0007; arrival at nothing, newest arrival_0003): run `flask --app portal db upgrade` "
                "first") in result.output
    with app.app_context():
        assert db_session().scalar(select(func.count()).select_from(AuditEntry)) == 1
    # Help, the plugin list and the upgrade itself read no table of this version.
    assert runner.invoke(args=["purge", "--help"]).exit_code == 0
    assert runner.invoke(args=["arrival", "keys", "list", "--help"]).exit_code == 0
    assert "arrival" in runner.invoke(args=["plugins"]).output
    # The upgrade names each revision it applies, per owner in order, and says "up to date" only when none is left.
    applied = [line.split(" (")[0] for line in runner.invoke(args=["db", "upgrade"]).output.splitlines()]
    assert applied == [f"appointments: applied appointments_000{n}" for n in (5, 6, 7)] + [
        f"arrival: applied arrival_000{n}" for n in (1, 2, 3)]
    assert runner.invoke(args=["db", "upgrade"]).output == "database is up to date\n"
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "audit log: 1 deleted" in result.output
    assert runner.invoke(args=["arrival", "keys", "list"]).exit_code == 0


def test_a_command_runs_when_the_database_does_not_answer_the_check(tmp_path):
    app = create_app({"instance_path": str(tmp_path), "secret_key": "test-secret-key", "plugins": ["arrival"],
                      "database_url": "postgresql+psycopg://nobody@127.0.0.1:1/nothing"})
    # The translation report reads catalogs only: it needs no database.
    result = app.test_cli_runner().invoke(args=["translations", "report"])
    assert result.exit_code == 0 and "ar" in result.output


@pytest.fixture
def parking(tmp_path, monkeypatch):
    """Return the scaffolded plugin 'parking', installed from tmp_path, its model grown by columns no revision has."""
    from importlib.metadata import EntryPoint

    from portal import plugins
    from portal.scaffold import write_plugin

    project = write_plugin("parking", tmp_path)
    models = project / "portal_plugin_parking" / "models.py"
    models.write_text(models.read_text().replace(
        "    text: Mapped[str] = mapped_column(String(200))\n",
        "    text: Mapped[str] = mapped_column(String(200))\n"
        "    seen_at: Mapped[object] = mapped_column(toolkit.UTCDateTime, nullable=True)\n"
        "    spots: Mapped[int] = mapped_column(Integer, default=0)\n"
        "    level: Mapped[int] = mapped_column(Integer, server_default='1')\n"))
    monkeypatch.syspath_prepend(str(project))
    # Imported once per run, as its models register once: a later test's plugin reads its folders from this copy.
    if "portal_plugin_parking" in sys.modules:
        monkeypatch.setattr(sys.modules["portal_plugin_parking"], "__file__",
                            str(project / "portal_plugin_parking" / "__init__.py"))
    real = plugins.entry_points
    monkeypatch.setattr(plugins, "entry_points", lambda group: [
        *real(group=group), EntryPoint("parking", "portal_plugin_parking", plugins.ENTRY_POINT_GROUP)])
    return project


def test_upgrade_warns_of_a_model_its_migrations_lack_and_revision_writes_the_plugins_next(parking, tmp_path):
    app = create_app({"instance_path": str(tmp_path / "instance"), "secret_key": "test-secret-key",
                      "plugins": ["parking"], "database_url": f"sqlite:///{tmp_path / 'parking.sqlite3'}"})
    cli = app.test_cli_runner()
    upgraded = cli.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0
    assert upgraded.stdout.splitlines()[-1] == "parking: applied parking_0001 (Create the entry table.)"
    assert "models differ from the tables their migrations make (parking: add_column parking_entry.seen_at, " \
        "add_column parking_entry.spots, add_column parking_entry.level)" in upgraded.stderr
    written = cli.invoke(args=["db", "revision", "--owner", "parking", "-m", "seen at"])
    assert written.exit_code == 0, written.output
    revision = parking / "portal_plugin_parking" / "migrations" / "versions" / "parking_0002_seen_at.py"
    source = revision.read_text()
    # A column added NOT NULL with nothing to fill existing rows with: the developer is told, and so is the reader.
    warning = ("parking_entry.spots is added NOT NULL without a server default, which fails on a table that has "
               "rows: give it server_default=… (the model's default is 0), or add it nullable, fill it in a data "
               "step and then make it NOT NULL")
    assert written.stderr.count("warning: ") == 1 and f"warning: {warning}" in written.stderr
    note, added = source.index("# parking_entry.spots is added NOT NULL"), source.index("sa.Column('spots'")
    assert note < added and " ".join(line.strip(" #") for line in source[note:added].splitlines()[:-1]) == warning
    # As the docs ask of a plugin's revision: its name in the id, the core's types through the facade.
    assert 'revision = "parking_0002"' in source or "revision = 'parking_0002'" in source
    assert "from portal import toolkit" in source and "toolkit.UTCDateTime(" in source and "portal.db" not in source
    assert cli.invoke(args=["db", "upgrade"]).stderr == ""


NOT_NULL_COLUMN_REVISION = """
    \"\"\"Each spot's size.

    Revision ID: parking_0002
    \"\"\"

    import sqlalchemy as sa
    from alembic import op

    revision = "parking_0002"
    down_revision = "parking_0001"


    def upgrade():
        op.create_table("parking_spot", sa.Column("id", sa.Integer, primary_key=True))
        op.add_column("parking_entry", sa.Column("size", sa.Integer(), nullable=False))
"""


def test_a_failing_revision_ends_the_upgrade_naming_it_and_the_databases_cause(parking, tmp_path, monkeypatch):
    app = create_app({"instance_path": str(tmp_path / "instance"), "secret_key": "test-secret-key",
                      "plugins": ["parking"], "database_url": f"sqlite:///{tmp_path / 'parking.sqlite3'}"})
    cli = app.test_cli_runner()
    assert cli.invoke(args=["db", "upgrade"]).exit_code == 0
    engine = app.extensions["portal.db"].engine
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO parking_entry (text) VALUES ('there before the new column')"))
    revision = parking / "portal_plugin_parking" / "migrations" / "versions" / "parking_0002_size.py"
    revision.write_text(textwrap.dedent(NOT_NULL_COLUMN_REVISION))
    result = cli.invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    # One line for the operator, no traceback: the revision, and what the database refused.
    assert result.stdout == ""
    assert result.stderr.startswith("Error: parking: revision parking_0002 (Each spot's size.) failed, so parking's "
                                    "tables stay as they were: ")
    assert ("OperationalError: Cannot add a NOT NULL column" in result.stderr
            or 'NotNullViolation: column "size" of relation "parking_entry" contains null values' in result.stderr)
    assert result.stderr.count("\n") == 1
    assert "parking_spot" not in _tables(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM parking_alembic_version")).scalar() == "parking_0001"
    # `flask --debug` (which sets FLASK_DEBUG) shows the traceback, the same line noted on the error.
    monkeypatch.setenv("FLASK_DEBUG", "1")
    debugged = cli.invoke(args=["db", "upgrade"])
    assert debugged.exception is not None and debugged.exception.__notes__ == [result.stderr[len("Error: "):-1]]
