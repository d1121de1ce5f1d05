"""Command line: create, rotate and list the keys that sign arrival passes."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal import toolkit

from . import keys

arrival_cli = AppGroup("arrival", help="Manage arrival passes.")
keys_cli = AppGroup("keys", help="Manage the keys that sign arrival passes.")
arrival_cli.add_command(keys_cli)


def _today():
    return toolkit.office_today()


@keys_cli.command("create")
def create_command():
    """Create the first signing key; refuse when one exists (use rotate)."""
    if keys.records():
        raise click.ClickException("a key exists already; use 'arrival keys rotate' to replace it")
    _made(keys.create(_today()).key_id, "")


@keys_cli.command("rotate")
def rotate_command():
    """Create a new signing key; the old one verifies its passes until they expire."""
    if not keys.records():
        raise click.ClickException("no key yet; use 'arrival keys create'")
    _made(keys.create(_today()).key_id, "; older keys only verify")


def _made(key_id: int, more: str) -> None:
    toolkit.session().commit()
    click.echo(f"key {key_id} signs new passes{more}")


@keys_cli.command("list")
def list_command():
    """List the keys: id, created, retired, and whether each still verifies."""
    verify_days = toolkit.plugin_settings("arrival")["verify_days"]
    records = keys.records()
    if not records:
        click.echo("no keys")
    for record in records:
        state = "signs" if record.retired_on is None else (
            "verifies" if record.verifies_on(_today(), verify_days) else "expired")
        click.echo(f"{record.key_id}\tcreated {record.created_on}\tretired {record.retired_on or '-'}\t{state}")
