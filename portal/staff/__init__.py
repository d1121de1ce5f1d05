"""The staff area: accounts, sign-in, roles, the audit log; plugins mount their staff pages in it."""

from flask import Flask

from .cli import staff_cli
from .views import bp


def init_staff(app: Flask) -> None:
    """Register the staff area's pages and commands."""
    app.register_blueprint(bp)
    app.cli.add_command(staff_cli)
