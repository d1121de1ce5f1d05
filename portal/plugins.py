"""Find, check and register plugins; call their hooks robustly or strictly."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from . import __version__, hookspecs
from .db import session as db_session

ENTRY_POINT_GROUP = "portal.plugins"
log = logging.getLogger(__name__)


class PluginError(Exception):
    """A configured plugin cannot be used; the message names it and the cause."""

    def __init__(self, name: str, cause: str):
        super().__init__(f"Plugin '{name}': {cause}")
        self.name = name


@dataclass
class LoadedPlugin:
    """A plugin that passed its checks, with where its files live."""

    name: str
    module: ModuleType
    info: Any
    distribution: str

    @property
    def root(self) -> Path:
        return Path(self.module.__file__).parent

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def translations(self) -> Path:
        return self.root / "translations"

    @property
    def migrations(self) -> Path:
        return self.root / "migrations"


def installed_entry_points() -> dict[str, list[EntryPoint]]:
    """Return every installed plugin entry point by name (a name may be installed twice)."""
    found: dict[str, list[EntryPoint]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, []).append(ep)
    return found


def _check_info(name: str, module: ModuleType) -> Any:
    info = getattr(module, "plugin_info", None)
    if info is None:
        raise PluginError(name, "the module has no 'plugin_info'")
    if info.name != name:
        raise PluginError(name, f"plugin_info names it '{info.name}', the entry point '{name}'")
    try:
        spec = SpecifierSet(info.requires_core)
    except InvalidSpecifier:
        raise PluginError(name, f"requires_core '{info.requires_core}' is not a version range") from None
    if Version(__version__) not in spec:
        raise PluginError(name, f"incompatible: needs portal core {spec}, this is {__version__}")
    return info


def load_plugins(names: list[str]) -> tuple[pluggy.PluginManager, list[LoadedPlugin]]:
    """Load the configured plugins in order; raise PluginError naming the first that fails."""
    manager = pluggy.PluginManager("portal")
    manager.add_hookspecs(hookspecs)
    installed = installed_entry_points()
    loaded = []
    for name in names:
        candidates = installed.get(name)
        if not candidates:
            raise PluginError(name, "not installed (no entry point in the group 'portal.plugins')")
        distributions = {ep.dist.name if ep.dist else "?" for ep in candidates}
        if len({ep.value for ep in candidates}) > 1:
            raise PluginError(name, f"installed twice, by {', '.join(sorted(distributions))}")
        try:
            module = candidates[0].load()
        except Exception as exc:  # any import-time failure must name the plugin
            raise PluginError(name, f"failed to import: {exc.__class__.__name__}: {exc}") from exc
        info = _check_info(name, module)
        try:
            manager.register(module, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(name, f"invalid hook implementation: {exc}") from exc
        loaded.append(LoadedPlugin(name, module, info, sorted(distributions)[0]))
    unknown = manager.check_pending()
    if unknown:
        raise PluginError("?", f"unknown hook: {unknown}")
    return manager, loaded


def call_each(manager: pluggy.PluginManager, hook_name: str, **kwargs) -> Iterator[tuple[str, Any]]:
    """Call a start-up hook plugin by plugin in configured order; a failure stops the start."""
    hook = getattr(manager.hook, hook_name)
    # get_hookimpls() keeps registration (= configuration) order; pluggy's own call would reverse it.
    for impl in hook.get_hookimpls():
        try:
            result = impl.function(**kwargs)
        except Exception as exc:
            raise PluginError(impl.plugin_name, f"hook {hook_name} failed: {exc.__class__.__name__}: {exc}") from exc
        if result is not None:
            yield impl.plugin_name, result


def call_robustly(manager: pluggy.PluginManager, hook_name: str, **kwargs) -> list[tuple[str, Any]]:
    """Call a render-time hook; log and skip an implementation that raises."""
    results = []
    hook = getattr(manager.hook, hook_name)
    for impl in hook.get_hookimpls():
        try:
            result = impl.function(**kwargs)
        except Exception:
            log.exception("plugin %s: hook %s failed; skipped", impl.plugin_name, hook_name)
            # A failed query leaves the session unusable for the rest of the page until rolled back.
            db_session().rollback()
            continue
        if result is not None:
            results.append((impl.plugin_name, result))
    return results
