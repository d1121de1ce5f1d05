"""Command-line tools of the core: plugins, demo data, retention, scaffolding."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .db import session as db_session
from .db import utcnow
from .mail import mail_cli, purge_delivered
from .migrate import db_cli
from .plugins import call_each, installed_entry_points
from .scaffold import write_plugin


@click.command("plugins")
@with_appcontext
def plugins_command():
    """List installed plugins and whether each is enabled."""
    enabled = {p.name: p for p in current_app.extensions["portal.loaded_plugins"]}
    order = current_app.config["PORTAL"]["plugins"]
    rows = []
    for name, entry_points in sorted(installed_entry_points().items()):
        state = f"enabled #{order.index(name) + 1}" if name in enabled else "installed, not enabled"
        version = enabled[name].info.version if name in enabled else (entry_points[0].dist.version
                                                                       if entry_points[0].dist else "?")
        source = entry_points[0].dist.name if entry_points[0].dist else "?"
        rows.append((name, version, state, source))
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


@click.command("demo")
@with_appcontext
def demo_command():
    """Load demonstration content and staff accounts (never on a production database)."""
    session = db_session()
    _demo_accounts(session)
    for name, _result in call_each(current_app.extensions["portal.plugins"], "portal_demo_data", session=session):
        click.echo(f"demo data: {name}")
    session.commit()
    click.echo("demo data loaded")


def _purge_core(session, now) -> list[tuple[str, int]]:
    """Delete ended staff sessions, and audit entries and delivered mail older than their retention period."""
    from datetime import timedelta

    from sqlalchemy import delete, or_

    from .lookups import purge_lookup_failures
    from .staff.models import AuditEntry, StaffSession

    staff = current_app.config["PORTAL"]["staff"]
    sessions = session.execute(delete(StaffSession).where(or_(
        StaffSession.last_seen_at < now - timedelta(minutes=staff["idle_timeout_minutes"]),
        StaffSession.created_at < now - timedelta(hours=staff["absolute_timeout_hours"])))).rowcount
    audit = session.execute(delete(AuditEntry).where(
        AuditEntry.at < now - timedelta(days=staff["audit_retention_days"]))).rowcount
    return [("staff sessions", sessions), ("audit log", audit), ("mail outbox", purge_delivered(session, now)),
            ("failed lookup counts", purge_lookup_failures(session, now))]


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
