"""Let pytest find the first-party plugins under their installed names, and split the tests between the passes.

The folder plugins/ is installed as the package portal_plugins. Walking up from a
plugin's tests, pytest would import the same files a second time as plugins.<name>
and define every model twice; pointing those names at the installed modules avoids it.
"""

import importlib
import os
import pkgutil
import sys

import portal_plugins

sys.modules.setdefault("plugins", portal_plugins)
for _module in pkgutil.iter_modules(portal_plugins.__path__):
    sys.modules.setdefault(f"plugins.{_module.name}", importlib.import_module(f"portal_plugins.{_module.name}"))


def pytest_collection_modifyitems(config, items):
    """Leave browser tests (but those marked both_databases) and database-independent tests to the SQLite pass."""
    if not os.environ.get("PORTAL_TEST_DATABASE_URL"):
        return
    # A page drives the same queries on either database, and the server-side tests run every query on both;
    # a second browser pass would double the longest part of `make test` for little. Tests that touch no
    # database (catalogs, signing, installing) would only repeat themselves.
    sqlite_only = [item for item in items if item.get_closest_marker("database_independent") or (
        item.get_closest_marker("browser") and not item.get_closest_marker("both_databases"))]
    if sqlite_only:
        config.hook.pytest_deselected(items=sqlite_only)
        left_out = set(sqlite_only)
        items[:] = [item for item in items if item not in left_out]
