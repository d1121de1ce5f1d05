"""Package discovery: every folder of the core and the plugins is a package, so their data files install quietly.

The metadata is in setup.cfg. The folders are mapped as there: the plugins install
as "portal_plugins", the root-level templates and catalogs as portal.templates
and portal.translations.
"""

from setuptools import find_namespace_packages, setup

ROOTS = {"portal": "portal", "portal.templates": "templates", "portal.translations": "translations",
         "portal_plugins": "plugins"}
NOT_INSTALLED = ["tests", "tests.*", "*.tests", "*.tests.*", "__pycache__", "*.__pycache__"]

setup(packages=[name for package, folder in ROOTS.items()
                for name in (package, *(f"{package}.{found}"
                                        for found in find_namespace_packages(folder, exclude=NOT_INSTALLED)))])
