"""Command line: load the shipped checklists into an installation, and their new languages after an upgrade."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal import toolkit

from .defaults import load_defaults


@click.group("checklists")
def checklists_cli():
    """Manage the document checklists."""


@checklists_cli.command("load-defaults")
@with_appcontext
def load_defaults_command():
    """Add the shipped questions and checklists that are missing, and the shipped translations stored ones lack."""
    session = toolkit.session()
    report = load_defaults(session)
    session.commit()
    click.echo(f"questions added: {report.questions_added}; checklists added: {report.services_added}; "
               f"checklists kept as they are: {report.services_kept}; "
               f"shipped translations added to stored texts: {report.translations_added}")
