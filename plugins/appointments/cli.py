"""Command line: import a CSV export from a scheduled job."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal import toolkit

from .importer import import_appointments
from .reminders import send_due_reminders

appointments_cli = AppGroup("appointments", help="Manage appointments.")


@appointments_cli.command("import")
@click.argument("file", type=click.File("rb"))
def import_command(file):
    """Import appointments from a CSV export; nothing changes when a row is bad."""
    try:
        report = import_appointments(file, source=file.name)
    except toolkit.CsvFormatError as exc:
        raise click.ClickException(str(exc)) from None
    if not report.ok:
        for error in report.errors:
            click.echo(f"line {error.line}: {error.reason}", err=True)
        raise click.ClickException(f"{len(report.errors)} bad rows; nothing was imported")
    click.echo(f"new: {report.created}, updated: {report.updated}, unchanged: {report.unchanged}")


@appointments_cli.command("remind")
def remind_command():
    """Queue today's reminder mails (3 days and 1 day ahead); run daily, a second run sends nothing twice."""
    try:
        click.echo(f"reminders queued: {send_due_reminders()}")
    except RuntimeError as error:  # the mails' links need the portal's public address
        raise click.ClickException(str(error)) from None
