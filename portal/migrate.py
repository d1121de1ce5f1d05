"""Run Alembic for the core and each enabled plugin, each with its own version table.

Alembic (with Mako and Pygments) is imported by the commands that use it, not with the app: it would add about
10 MiB and 0.2 s to every server's start for nothing a request needs. For the same reason the servers learn the
newest revisions from the revision files' text (`_revisions_in`), where Alembic would import every revision.
"""

from __future__ import annotations

import ast
import re
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Column, Connection, inspect, text

from .db import Base
from .resources import core_path

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script

CORE = "core"
UPGRADE_COMMAND = "flask --app portal db upgrade"


def _owners() -> list[tuple[str, Path]]:
    plugins = current_app.extensions["portal.loaded_plugins"]
    return [(CORE, core_path("migrations") / "versions")] + [(p.name, p.migrations / "versions") for p in plugins]


def version_table(owner: str) -> str:
    """Name the table that holds an owner's revision."""
    return f"{owner}_alembic_version"


def _alembic_config(owner: str, versions: Path, connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(core_path("migrations")))
    config.set_main_option("version_locations", str(versions))
    config.set_main_option("path_separator", "os")
    config.attributes["owner"] = owner
    config.attributes["connection"] = connection
    config.attributes["applied"] = []
    return config


@contextmanager
def _expression_indexes_unreflected() -> Iterator[None]:
    # SQLAlchemy cannot reflect indexes on expressions (toolkit.reference_key_expression) and warns each time a
    # table is read back (comparing models, SQLite's table rebuilds); neither needs them, so the warning is noise.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        yield


def compared_objects_of(owner: str) -> Callable[..., bool]:
    """Return Alembic's filter for one owner: its tables only, so one plugin's migration never touches another's."""

    def include_object(obj, name, type_, _reflected, _compare_to) -> bool:
        table_name = name if type_ == "table" else obj.table.name
        if not table_name.startswith(f"{owner}_") or table_name.endswith("_alembic_version"):
            return False
        # Alembic cannot match an index on an expression (toolkit.reference_key_expression) with its model: it
        # reads PostgreSQL's back but skips the model's, and would drop it. Such indexes are migrated by hand.
        return type_ != "index" or all(isinstance(expression, Column) for expression in obj.expressions)

    return include_object


def _import_models() -> None:
    # Models register themselves on Base.metadata when imported; the hook imports them.
    from . import live, lookups, submissions  # noqa: F401
    from .plugins import call_each
    from .staff import models  # noqa: F401

    list(call_each(current_app.extensions["portal.plugins"], "portal_models"))


def _migrated_owners() -> list[tuple[str, Path]]:
    """Return the owners that have revisions, the core first, after importing every model."""
    _import_models()
    return [(owner, versions) for owner, versions in _owners() if versions.is_dir()]


def upgrade_all() -> None:
    """Bring the core's and every enabled plugin's tables to their newest revision."""
    for owner, versions in _migrated_owners():
        migrate(owner, versions)


def migrate(owner: str, versions: Path, revision: str = "heads", *, down: bool = False) -> list[Script]:
    """Bring one owner's tables (the core's or a plugin's) up, or down, to a revision; "heads" for the newest.

    Return the revisions that ran, in their order.
    """
    from alembic import command

    step = command.downgrade if down else command.upgrade
    with _one_transaction() as connection, _expression_indexes_unreflected():
        config = _alembic_config(owner, versions, connection)
        step(config, revision)
    return [script for applied in config.attributes["applied"] for script in applied.up_revisions]


@contextmanager
def _one_transaction() -> Iterator[Connection]:
    """Yield a connection in a transaction that holds schema changes too: committed whole, or rolled back whole."""
    with current_app.extensions["portal.db"].engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        # Python's sqlite3 opens a transaction only before INSERT, UPDATE or DELETE: CREATE TABLE and the first
        # steps of a batch operation's table rebuild would be committed at once and stay behind a failure. With
        # the driver's own handling off (reset when the connection returns to the pool), one BEGIN holds them all.
        connection.execution_options(isolation_level="AUTOCOMMIT")
        # SQLite's procedure for schema changes: a rebuild drops the old table, which with foreign keys enforced
        # deletes (or refuses) the rows of other tables that refer to it; they are checked before the commit
        # instead. The setting only changes outside a transaction.
        driver = connection.connection.driver_connection
        driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN")
                before = driver.total_changes
                yield connection
                # Every revision that ran wrote its version row; when none did, the whole check is for nothing.
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all() \
                    if driver.total_changes != before else []
                if broken:
                    raise RuntimeError(f"rows refer to rows that are gone (table, rowid, parent): "
                                       f"{[tuple(row[:3]) for row in broken[:10]]}")
        finally:
            driver.execute("PRAGMA foreign_keys=ON")


def ids_never_reused(*tables: str, never: bool = True) -> None:
    """In a revision, rebuild SQLite tables so that a deleted row's id is never handed out again (or, going down, is).

    Without AUTOINCREMENT SQLite gives the highest id again once its row is deleted: a stale edit form, an old link
    or a signed token naming the deleted record would reach the new one. PostgreSQL's sequences never do; there
    nothing changes. Alembic's rebuild does not carry an index on an expression over, so every index is dropped
    first and made again after it from the statement SQLite kept: exactly as it was, a partial one's condition too.
    """
    from alembic import op

    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in tables:
        indexes = bind.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                                       " AND sql IS NOT NULL ORDER BY name", (table,)).all()
        for name, _statement in indexes:
            op.drop_index(name, table_name=table)
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": never}):
            pass
        for _name, statement in indexes:
            bind.exec_driver_sql(statement)


def tables_reusing_ids(connection: Connection) -> list[str]:
    """Name the SQLite tables that would give a deleted row's id again although their model says never."""
    if connection.dialect.name != "sqlite":
        return []
    statements = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
    return [table.name for table in Base.metadata.sorted_tables if table.dialect_options["sqlite"]["autoincrement"]
            and table.name in statements and "AUTOINCREMENT" not in statements[table.name]]


def schema_behind() -> dict[str, dict[str, list[str]]]:
    """Return the owners whose tables are older than this version's newest revisions, with what the database holds.

    Once the schema is found current, the app does not ask again: `db upgrade` only moves it forward.
    """
    if current_app.extensions.get("portal.schema_current"):
        return {}
    behind = {}
    with current_app.extensions["portal.db"].engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())
        for owner, versions in _owners():
            known, newest = _revisions_in(versions)
            table = version_table(owner)
            stored = set(connection.execute(text(f"SELECT version_num FROM {table}")).scalars()) \
                if table in existing else set()
            # A revision this version does not know is a newer one: the database was upgraded before this
            # version's servers, as it should be when servers are replaced one by one.
            if stored <= known and stored != newest:
                behind[owner] = {"stored": sorted(stored), "newest": sorted(newest)}
    current_app.extensions["portal.schema_current"] = not behind
    return behind


def describe_behind(behind: dict[str, dict[str, list[str]]]) -> str:
    """Return what `schema_behind` found as one line: each owner, what its tables are at and the newest revision."""
    return "; ".join(f"{owner} at {', '.join(state['stored']) or 'nothing'}, newest {', '.join(state['newest'])}"
                     for owner, state in behind.items())


def _revision_in(path: Path) -> dict:
    """Return what a revision file assigns to `revision` and `down_revision`, and its docstring as `message`."""
    module = ast.parse(path.read_text(encoding="utf-8"))
    assigned = {"message": (ast.get_docstring(module) or "").split("\n\n")[0]}
    for statement in module.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
            for target in statement.targets if isinstance(statement, ast.Assign) else [statement.target]:
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    assigned[target.id] = ast.literal_eval(statement.value)
    return assigned


@cache
def _revisions_in(versions: Path) -> tuple[frozenset[str], frozenset[str]]:
    """Return the revisions in an owner's versions folder and the newest of them (those no other revises)."""
    revisions, revised = set(), set()
    for path in versions.glob("*.py"):
        assigned = _revision_in(path)
        if "revision" in assigned:
            revisions.add(assigned["revision"])
            down = assigned.get("down_revision") or ()
            revised.update([down] if isinstance(down, str) else down)
    return frozenset(revisions), frozenset(revisions - revised)


def pending_changes() -> dict[str, list]:
    """Return, per owner, the differences between its models and its migrated tables."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    _import_models()
    engine = current_app.extensions["portal.db"].engine
    differences = {}
    with engine.connect() as connection:
        for owner, _versions in _owners():
            context = MigrationContext.configure(
                connection, opts={"include_object": compared_objects_of(owner), "compare_type": True})
            with _expression_indexes_unreflected():
                diff = compare_metadata(context, Base.metadata)
            diff += [("sqlite_autoincrement", name) for name in tables_reusing_ids(connection)
                     if name.startswith(f"{owner}_")]
            if diff:
                differences[owner] = diff
    return differences


def describe_pending(differences: dict[str, list]) -> str:
    """Say per owner what its models have that its migrated tables lack, or the other way round."""
    def step(difference) -> str:
        first = difference[0] if isinstance(difference, list) else difference
        names = [part if isinstance(part, str) else part.name for part in first[1:4]
                 if isinstance(part, str) or getattr(part, "name", None)]
        return f"{first[0]} {'.'.join(names)}"

    return "; ".join(f"{owner}: {', '.join(step(d) for d in found)}" for owner, found in differences.items())


@click.group("db")
def db_cli():
    """Manage the database schema."""


@db_cli.command("upgrade")
@with_appcontext
def upgrade_command():
    """Apply all migrations of the core and the enabled plugins."""
    applied = 0
    for owner, versions in _migrated_owners():
        try:
            scripts = migrate(owner, versions)
        except Exception as exc:
            failure = _describe_failure(owner, versions, exc)
            if current_app.debug:  # `flask --debug`: the traceback too, for the revision's author
                exc.add_note(failure)
                raise
            raise click.ClickException(failure) from None
        for script in scripts:
            click.echo(f"{owner}: applied {script.revision} ({_one_line(script.doc)})")
            applied += 1
    if not applied:
        click.echo("database is up to date")
    differences = pending_changes()
    if differences:
        # A plugin whose model gained a table or column without a revision: its pages would fail on it.
        click.echo(f"warning: models differ from the tables their migrations make ({describe_pending(differences)});"
                   " write the missing revision with `flask --app portal db revision --owner <plugin> -m …`",
                   err=True)


def _one_line(text: str) -> str:
    """Return a text with its lines and runs of spaces joined by single spaces."""
    return " ".join(text.split())


def _describe_failure(owner: str, versions: Path, exc: Exception) -> str:
    """Say which of an owner's revisions failed, if the error arose in one, and the error's first line."""
    # SQLAlchemy's error adds the statement and a link to its docs; the driver's own says what the database refused.
    cause = getattr(exc, "orig", None) or exc
    cause_line = f"{type(cause).__name__}: {(str(cause).strip().splitlines() or [''])[0]}"
    failed = next((Path(frame.filename) for frame in reversed(traceback.extract_tb(exc.__traceback__))
                   if Path(frame.filename).resolve().parent == versions.resolve()), None)
    if failed is None:  # the check after the revisions, or the version table
        return f"{owner}: the upgrade failed, so its tables stay as they were: {cause_line}"
    revision = _revision_in(failed)
    return (f"{owner}: revision {revision.get('revision', failed.name)} ({_one_line(revision['message'])}) failed, "
            f"so {owner}'s tables stay as they were: {cause_line}")


@db_cli.command("revision")
@click.option("--owner", default=CORE, help="'core' or the name of an enabled plugin.")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
@with_appcontext
def revision_command(owner: str, message: str, autogenerate: bool):
    """Write a new migration for the core or one plugin."""
    from alembic import command

    owners = dict(_owners())
    if owner not in owners:
        raise click.ClickException(f"unknown owner '{owner}'; choose from {', '.join(owners)}")
    _import_models()
    versions = owners[owner]
    versions.mkdir(parents=True, exist_ok=True)
    engine = current_app.extensions["portal.db"].engine
    with engine.begin() as connection:
        config = _alembic_config(owner, versions, connection)
        command.revision(config, message=message, autogenerate=autogenerate, version_path=str(versions),
                         rev_id=_next_revision_id(owner, versions))


def _next_revision_id(owner: str, versions: Path) -> str:
    """Return the id of an owner's next revision: its name and a number (a plugin's) or a number alone (the core's)."""
    prefix = "" if owner == CORE else f"{owner}_"
    numbers = [int(found.group(1)) for revision in _revisions_in(versions)[0]
               if (found := re.fullmatch(rf"{re.escape(prefix)}(\d+)", revision))]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"
