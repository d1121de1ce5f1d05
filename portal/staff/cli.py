"""Commands to manage staff accounts from scripts."""

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..blueprints import ROLES
from ..db import session as db_session
from .auth import audit, hash_password, password_problem
from .changes import COMMAND_LINE_ACTOR
from .models import StaffAccount


@click.group("staff")
def staff_cli():
    """Manage staff accounts."""


@staff_cli.command("create-account")
@click.option("--email", required=True, help="E-mail address used to sign in.")
@click.option("--name", "display_name", required=True, help="Name shown in the audit log and staff area.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@with_appcontext
def create_account(email: str, display_name: str, role: str):
    """Create an account; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\n")
    email = email.strip().lower()
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    if db_session().scalar(select(StaffAccount).filter_by(email=email)):
        raise click.ClickException(f"an account for {email} exists already")
    account = StaffAccount(email=email, display_name=display_name, role=role, password_hash=hash_password(password))
    db_session().add(account)
    db_session().flush()
    audit("create", "staff_account", account.id, after={"email": email, "role": role}, actor=COMMAND_LINE_ACTOR)
    db_session().commit()
    click.echo(f"created {role} account {email}")
