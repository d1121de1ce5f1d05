"""Commands: flask --app portal interpreters load-glossary."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal import toolkit

from .glossary import audit_shipped, load_shipped_glossary


@click.group("interpreters")
def interpreters_cli():
    """Glossary of the interpreters plugin."""


@interpreters_cli.command("load-glossary")
@with_appcontext
def load_glossary_command():
    """Add the shipped glossary terms and language versions that are missing; texts already there stay."""
    session = toolkit.session()
    added = load_shipped_glossary(session)
    audit_shipped(added)
    session.commit()
    click.echo(f"glossary: {len(added.terms)} shipped terms and {added.version_count} shipped translations added")
