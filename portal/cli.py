"""Command-line tools of the core (plugins, demo data, retention, scaffolding) and the schema check of every command."""

from __future__ import annotations

import copy
import functools
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .db import session as db_session
from .db import utcnow
from .mail import mail_cli, purge_delivered
from .migrate import UPGRADE_COMMAND, db_cli, describe_behind, schema_behind
from .plugins import call_each, installed_entry_points
from .scaffold import write_plugin

# Commands that run whatever state the tables are in: the upgrade itself and those that read no table.
SCHEMA_FREE_COMMANDS = frozenset({"db", "plugins", "new-plugin"})


class SchemaCheckingGroup(AppGroup):
    """The app's commands, the core's and the plugins'; each refuses to run while the tables need `db upgrade`.

    Without the check a scheduled job (purge, mail delivery, an import) run after an update but before
    `db upgrade` would fail part-way with the database's own error, or work on tables it does not know.
    """

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None or cmd_name in SCHEMA_FREE_COMMANDS:
            return command
        return _checking_schema(command)


def _checking_schema(command: click.Command) -> click.Command:
    """Return a copy of the command, or of the group with each of its commands, that checks the schema first."""
    checked = copy.copy(command)
    if isinstance(command, click.Group):
        checked.commands = {name: _checking_schema(sub) for name, sub in command.commands.items()}
    elif command.callback is not None:
        callback = command.callback

        # Checked when the command runs, not when it is looked up: its --help works on any database.
        @with_appcontext
        @functools.wraps(callback)
        def when_schema_current(*args, **kwargs):
            _refuse_when_schema_behind()
            return callback(*args, **kwargs)

        checked.callback = when_schema_current
    return checked


def _refuse_when_schema_behind() -> None:
    """Stop the command, naming what is behind, when the database needs `db upgrade` for this version."""
    try:
        behind = schema_behind()
    except SQLAlchemyError:
        return  # the database does not answer: a command that needs it says so; the translation report needs none
    if behind:
        raise click.ClickException(f"the database's tables are older than this version ({describe_behind(behind)}): "
                                   f"run `{UPGRADE_COMMAND}` first")


class PluginListingGroup(AppGroup):
    """The commands of a portal whose plugins stop its start: `plugins` lists them, any other stops with the cause.

    The operator needs the list most when a configured plugin is missing or broken, which stops every start.
    """

    def __init__(self, failure: str):
        super().__init__()
        self.failure = failure
        self.told = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._tell_failure()
        if cmd_name != plugins_command.name:
            ctx.exit(1)
        return plugins_command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._tell_failure()
        return [plugins_command.name]

    def _tell_failure(self) -> None:
        """Say why the portal cannot start, once: help looks commands up after listing them."""
        if not self.told:
            click.echo(self.failure, err=True)
            self.told = True


@click.command("plugins")
@with_appcontext
def plugins_command():
    """List installed plugins and whether each is enabled."""
    loaded = {p.name: p for p in current_app.extensions["portal.loaded_plugins"]}
    order = current_app.config["PORTAL"]["plugins"]
    installed = installed_entry_points()
    rows = [(name, "-", f"missing (enabled #{order.index(name) + 1})", "-") for name in order
            if name not in installed and name not in loaded]
    for name, entry_points in installed.items():
        twice = len({ep.value for ep in entry_points}) > 1
        # A name installed twice stops the start once enabled: the operator sees both distributions before that.
        for ep in entry_points if twice else entry_points[:1]:
            version, source = (ep.dist.version, ep.dist.name) if ep.dist else ("?", "?")
            if twice:
                state = "installed twice"
            elif name in order:
                state = f"enabled #{order.index(name) + 1}"
                if name in loaded:  # none is when a plugin stopped the start: then the package's version stands
                    version = loaded[name].info.version
            else:
                state = "installed, not enabled"
            rows.append((name, version, state, source))
    rows.sort(key=lambda row: row[0])
    width = max((len(r[0]) for r in rows), default=4)
    click.echo(f"{'name'.ljust(width)}  version  status                  distribution")
    for name, version, state, source in rows:
        click.echo(f"{name.ljust(width)}  {version.ljust(7)}  {state.ljust(22)}  {source}")


DEMO_PASSWORD = "Demo-Zugang-2026"
DEMO_ACCOUNTS = (("admin@demo.example", "Demo Administration", "admin"),
                 ("redaktion@demo.example", "Demo Redaktion", "editor"),
                 ("sachbearbeitung@demo.example", "Demo Sachbearbeitung", "caseworker"),
                 ("einlass@demo.example", "Demo Einlass", "door"),
                 ("sprachmittler@demo.example", "Demo Sprachmittlung", "mediator"))


def _demo_accounts(session) -> None:
    from sqlalchemy import select

    from .staff.auth import hash_password
    from .staff.models import StaffAccount

    # An account for each role some enabled plugin's pages need (the admin's always): no door account without a door.
    in_use = {"admin"}.union(*(plugin.info.roles for plugin in current_app.extensions["portal.loaded_plugins"]))
    for email, name, role in DEMO_ACCOUNTS:
        if role not in in_use:
            continue
        if session.scalar(select(StaffAccount).filter_by(email=email)) is None:
            session.add(StaffAccount(email=email, display_name=name, role=role,
                                     password_hash=hash_password(DEMO_PASSWORD)))
        click.echo(f"demo staff account ({role}): {email} / {DEMO_PASSWORD}")


def _refuse_production(session) -> None:
    """Stop the demo where it would open a real portal to anyone who knows the demo's published password."""
    from sqlalchemy import func, select

    from .staff.models import StaffAccount

    if current_app.config["PORTAL"]["https"]:
        raise click.ClickException("https is on, so this looks like a production portal, and the demo's staff "
                                   f"accounts share the published password {DEMO_PASSWORD}: no demo data loaded "
                                   "(--force loads it anyway)")
    demo_emails = [email for email, _name, _role in DEMO_ACCOUNTS]
    others = session.scalar(select(func.count()).select_from(StaffAccount)
                            .where(StaffAccount.email.not_in(demo_emails)))
    if others:
        raise click.ClickException(f"the database has {others} staff account(s) besides the demo's, so it looks "
                                   "like a production one, and the demo's staff accounts share the published "
                                   f"password {DEMO_PASSWORD}: no demo data loaded (--force loads it anyway)")


@click.command("demo")
@click.option("--force", is_flag=True,
              help="Load it even with https on or into a database with staff accounts besides the demo's.")
@with_appcontext
def demo_command(force: bool):
    """Load demonstration content and staff accounts with a published password; refused on a production portal."""
    session = db_session()
    if not force:
        _refuse_production(session)
    _demo_accounts(session)
    for name, _result in call_each(current_app.extensions["portal.plugins"], "portal_demo_data", session=session):
        click.echo(f"demo data: {name}")
    session.commit()
    click.echo("demo data loaded")


def _purge_core(session, now) -> list[tuple[str, int]]:
    """Delete ended staff sessions, forms' claims, and audit entries and delivered mail past their retention."""
    from datetime import timedelta

    from sqlalchemy import delete, or_

    from .lookups import purge_lookup_failures
    from .staff.models import AuditEntry, StaffSession
    from .submissions import purge_sent_forms

    staff = current_app.config["PORTAL"]["staff"]
    sessions = session.execute(delete(StaffSession).where(or_(
        StaffSession.last_seen_at < now - timedelta(minutes=staff["idle_timeout_minutes"]),
        StaffSession.created_at < now - timedelta(hours=staff["absolute_timeout_hours"])))).rowcount
    audit = session.execute(delete(AuditEntry).where(
        AuditEntry.at < now - timedelta(days=staff["audit_retention_days"]))).rowcount
    return [("staff sessions", sessions), ("audit log", audit), ("mail outbox", purge_delivered(session, now)),
            ("failed lookup counts", purge_lookup_failures(session, now)),
            ("claims of sent forms", purge_sent_forms(session, now))]


@click.command("purge")
@with_appcontext
def purge_command():
    """Delete personal data past its retention period (run daily)."""
    session = db_session()
    now = utcnow()
    results = _purge_core(session, now)
    results += list(call_each(current_app.extensions["portal.plugins"], "portal_purge_expired", session=session,
                              now=now))
    session.commit()
    for name, count in results:
        click.echo(f"{name}: {count} deleted")


@click.command("new-plugin")
@click.argument("name")
@click.option("--directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="Where to create the plugin's project folder.")
def new_plugin_command(name: str, directory: Path):
    """Create a new plugin project, ready to install with pip."""
    try:
        target = write_plugin(name, directory)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {target}; install it with: pip install -e {target}")


def init_app(app: Flask) -> None:
    """Add the core's commands to the Flask CLI."""
    for command in (db_cli, mail_cli, plugins_command, demo_command, purge_command, new_plugin_command):
        app.cli.add_command(command)


def main() -> None:
    """Run the Flask CLI for the portal (the `portal` console script)."""
    from . import create_app

    FlaskGroup(create_app=create_app).main(args=sys.argv[1:], prog_name="portal")
