"""Commands: flask --app portal interpreters load-glossary."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal import toolkit

from .glossary import load_shipped_glossary


@click.group("interpreters")
def interpreters_cli():
    """Glossary of the interpreters plugin."""


@interpreters_cli.command("load-glossary")
@with_appcontext
def load_glossary_command():
    """Add the shipped glossary terms that are missing; terms already there stay as they are."""
    session = toolkit.session()
    added = load_shipped_glossary(session)
    toolkit.audit("load_shipped", "interpreters_glossary_term", "shipped", after={"added": added})
    session.commit()
    click.echo(f"glossary: {added} shipped terms added")
