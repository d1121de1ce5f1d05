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
    """Split the tests between the SQLite and the PostgreSQL pass (README, "Tests")."""
    on_postgres = bool(os.environ.get("PORTAL_TEST_DATABASE_URL"))
    # Set by `make test` when both passes run: the tests that touch no database (catalogs, signing, installing) then
    # go to the PostgreSQL pass, which is the shorter one without them. A pass run alone keeps them.
    both_passes = bool(os.environ.get("PORTAL_TEST_BOTH_PASSES"))

    def left_out(item) -> bool:
        if item.get_closest_marker("database_independent"):
            return on_postgres != both_passes
        # A page drives the same queries on either database, and the server-side tests run every query on both;
        # a second browser pass would double the longest part of `make test` for little.
        return on_postgres and item.get_closest_marker("browser") and not item.get_closest_marker("both_databases")

    deselected = [item for item in items if left_out(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        gone = set(deselected)
        items[:] = [item for item in items if item not in gone]
