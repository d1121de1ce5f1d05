"""Command line: import a CSV export from a scheduled job."""

from __future__ import annotations

import click
from flask import current_app
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
    # The mails' links need the portal's public address, which a command has no request to learn from.
    address = toolkit.plugin_settings("appointments")["public_address"] or next(
        (f"https://{host}" for host in toolkit.portal_settings()["trusted_hosts"]), "")
    if not address:
        raise click.ClickException("set plugin_settings.appointments.public_address (or trusted_hosts) for the links")
    with current_app.test_request_context(base_url=address):
        click.echo(f"reminders queued: {send_due_reminders()}")
