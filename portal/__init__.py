"""Public portal for municipal immigration offices: a small Flask core and its plugins."""

from __future__ import annotations

import gc
import sys

__version__ = "1.0.0"


def create_app(test_config=None):
    """Create the portal application; test_config overrides the instance configuration.

    Started as a service (no test_config), a bad configuration or plugin ends the
    process with one line naming the key or plugin; tests get the exception.
    """
    from .app import build_app
    from .config import ConfigError
    from .plugins import PluginError

    # Building the app makes the objects of about a thousand modules, nearly all kept for the app's life: the
    # collector's rounds over them meanwhile free next to nothing and took a sixth of the build's CPU time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return build_app(test_config)
    except (ConfigError, PluginError) as exc:
        if test_config is not None:
            raise
        print(f"portal cannot start: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        if collecting:
            gc.enable()
