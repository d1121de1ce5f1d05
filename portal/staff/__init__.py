"""The staff area: accounts, sign-in, roles, the audit log; plugins mount their staff pages in it."""

from flask import Flask, g

from .cli import staff_cli
from .views import bp


def init_staff(app: Flask) -> None:
    """Register the staff area's pages and commands."""
    app.register_blueprint(bp)
    app.cli.add_command(staff_cli)

    @app.before_request
    def _forget_previous_account():
        # g outlives a request when an app context is already pushed (as in tests): look the account up anew.
        g.pop("staff", None)
        g.pop("staff_session", None)
