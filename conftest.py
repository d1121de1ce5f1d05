"""Let pytest find the first-party plugins under the names they are installed as.

The folder plugins/ is installed as the package portal_plugins. Walking up from a
plugin's tests, pytest would import the same files a second time as plugins.<name>
and define every model twice; pointing those names at the installed modules avoids it.
"""

import importlib
import pkgutil
import sys

import portal_plugins

sys.modules.setdefault("plugins", portal_plugins)
for _module in pkgutil.iter_modules(portal_plugins.__path__):
    sys.modules.setdefault(f"plugins.{_module.name}", importlib.import_module(f"portal_plugins.{_module.name}"))
