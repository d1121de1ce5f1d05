"""Command line: load the shipped hygiene rules into a new installation."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal import toolkit

from .defaults import load_defaults


@click.group("hygiene")
def hygiene_cli():
    """Manage the hygiene rules."""


@hygiene_cli.command("load-defaults")
@with_appcontext
def load_defaults_command():
    """Add the shipped rules, in force from today, when there are no rules yet; else the languages rules lack."""
    session = toolkit.session()
    report = load_defaults(session, toolkit.office_today())
    session.commit()
    click.echo(f"rules added: {report.rules_added}" if report.rules_added else
               f"rules exist already; shipped translations added to their texts: {report.translations_added}")
