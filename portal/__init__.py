"""Public portal for municipal immigration offices: a small Flask core and its plugins."""

from __future__ import annotations

import gc
import sys

__version__ = "1.0.0"


def create_app(test_config=None):
    """Create the portal application; test_config overrides the instance configuration.

    Started as a service (no test_config), a bad configuration or plugin ends the
    process with one line naming the key or plugin; tests get the exception. Built
    by the command line to look up a command, a plugin that cannot be loaded gives
    an app whose only command, `plugins`, lists them.
    """
    import click

    from .app import build_app, describe_start_failure
    from .config import ConfigError
    from .plugins import PluginError

    # Flask's command line builds the app to look up one of its commands (not to serve it, as `flask run` does):
    # `plugins` is to run even when a plugin stops the start, to show which is missing or broken.
    context = click.get_current_context(silent=True)
    looking_up_a_command = test_config is None and context is not None and isinstance(context.command, click.Group)
    # Building the app makes the objects of about a thousand modules, nearly all kept for the app's life: the
    # collector's rounds over them meanwhile free next to nothing and took a sixth of the build's CPU time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return build_app(test_config, listing_plugins_on_failure=looking_up_a_command)
    except (ConfigError, PluginError) as exc:
        if test_config is not None:
            raise
        print(describe_start_failure(exc), file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        if collecting:
            gc.enable()
