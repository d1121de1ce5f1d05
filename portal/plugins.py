"""Find, check and register plugins; call their hooks through pluggy, robustly or strictly; route slots."""

from __future__ import annotations

import difflib
import functools
import inspect
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from . import __version__, hookspecs
from .db import holds_writes
from .db import session as db_session

ENTRY_POINT_GROUP = "portal.plugins"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
# Names the core uses for its own tables (core_*), blueprints, endpoints, URL segments and migration history.
RESERVED_NAMES = frozenset({"core", "staff", "static", "api", "healthz", "portal", "translations", "accessibility",
                            "plugin_static"})
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


def _not_installed(name: str, installed: dict) -> str:
    """Say that no package offers a configured plugin, with the name meant if it is close to one, and the names."""
    close = difflib.get_close_matches(name, installed, n=1)
    meant = f"; did you mean '{close[0]}'?" if close else ""
    return (f"not installed (no entry point in the group '{ENTRY_POINT_GROUP}'; the settings 'plugins' and "
            f"'extra_plugins' name it){meant} Installed: {', '.join(sorted(installed)) or 'none'}")


def installed_entry_points() -> dict[str, list[EntryPoint]]:
    """Return every installed plugin entry point by name (a name may be installed twice)."""
    found: dict[str, list[EntryPoint]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, []).append(ep)
    return found


def check_name(name: str) -> None:
    """Raise ValueError unless `name` can be a plugin's name (and so its namespace)."""
    if not NAME_RE.match(name):
        raise ValueError(f"'{name}' is not a valid plugin name: use 2-31 lower-case letters, digits or _, "
                         "starting with a letter")
    if name in RESERVED_NAMES or name.endswith("_staff") or "_staff_" in name:
        raise ValueError(f"'{name}' is reserved for the core (and so are names ending in '_staff' or holding "
                         f"'_staff_'): "
                         f"{', '.join(sorted(RESERVED_NAMES))}")


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
    for offered in info.slots:
        if not offered.name.startswith(f"{name}."):
            raise PluginError(name, f"slot '{offered.name}' must be named '{name}.<slot>'")
    return info


def check_name_free(name: str, installed: Iterable[str]) -> None:
    """Raise ValueError if an installed plugin has the name, or a name whose tables' prefix overlaps with it."""
    for other in installed:
        if other == name:
            raise ValueError(f"a plugin named '{name}' is installed already: choose another name")
        if name.startswith(f"{other}_") or other.startswith(f"{name}_"):
            raise ValueError(f"'{name}' and the installed plugin '{other}' could not be enabled together: "
                             "one name followed by '_' begins the other, and so owns its tables")


def _check_prefixes(names: list[str]) -> None:
    # Table and migration prefixes must not overlap: plugin 'a' owns every table 'a_*', so 'a_b' cannot be enabled.
    for name in names:
        for other in names:
            if other != name and name.startswith(f"{other}_"):
                raise PluginError(name, f"the name starts with '{other}_', the table prefix of plugin '{other}'")


@dataclass(frozen=True)
class _Answer:
    """A start-up hook's result with the plugin that gave it."""

    plugin: str
    value: Any


def _naming_failures(plugin_name: str, hook_name: str, function: Callable) -> Callable:
    @functools.wraps(function)
    def call(*args):
        try:
            result = function(*args)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(plugin_name, f"hook {hook_name} failed: {exc.__class__.__name__}: {exc}") from exc
        return None if result is None else _Answer(plugin_name, result)

    return call


def _skipping_failures(plugin_name: str, hook_name: str, function: Callable) -> Callable:
    @functools.wraps(function)
    def call(*args):
        return _call_isolated(f"plugin {plugin_name}: hook {hook_name}", function, *args)

    return call


def _hook_implementations(manager: pluggy.PluginManager, name: str, module: ModuleType) -> SimpleNamespace:
    """Return the module's hook implementations, each made to name its plugin (or be skipped) when it fails."""
    found = SimpleNamespace()
    for attribute in dir(module):
        options = manager.parse_hookimpl_opts(module, attribute)
        if options is None:
            named_like_a_hook = attribute.startswith("portal_") and hasattr(hookspecs, attribute)
            if named_like_a_hook and callable(getattr(module, attribute)):
                # pluggy would leave it out without a word: the page or command it adds would just be missing.
                raise PluginError(name, f"'{attribute}' is named like a hook but lacks @toolkit.hookimpl")
            continue
        if not hasattr(hookspecs, attribute):
            if not options.get("optionalhook"):
                raise PluginError(name, f"unknown hook '{attribute}' (see portal/hookspecs.py)")
            continue
        function = getattr(module, attribute)
        if options.get("wrapper") or options.get("hookwrapper"):
            if attribute not in hookspecs.RENDER_HOOKS:
                raise PluginError(name, f"hook {attribute} is a start-up hook and takes no wrapper: "
                                        "the core needs each plugin's own answer")
            setattr(found, attribute, function)
        elif attribute in hookspecs.RENDER_HOOKS:
            setattr(found, attribute, _skipping_failures(name, attribute, function))
        else:
            setattr(found, attribute, _naming_failures(name, attribute, function))
    return found


def load_plugins(names: list[str]) -> tuple[pluggy.PluginManager, list[LoadedPlugin]]:
    """Load the configured plugins in order; raise PluginError naming the first that fails."""
    manager = pluggy.PluginManager("portal")
    manager.add_hookspecs(hookspecs)
    installed = installed_entry_points()
    loaded = []
    implementations = []
    for name in names:
        try:
            check_name(name)
        except ValueError as exc:
            raise PluginError(name, str(exc)) from None
        candidates = installed.get(name)
        if not candidates:
            raise PluginError(name, _not_installed(name, installed))
        distributions = {ep.dist.name if ep.dist else "?" for ep in candidates}
        if len({ep.value for ep in candidates}) > 1:
            raise PluginError(name, f"installed twice, by {', '.join(sorted(distributions))}")
        try:
            module = candidates[0].load()
        except Exception as exc:  # any import-time failure must name the plugin
            raise PluginError(name, f"failed to import: {exc.__class__.__name__}: {exc}") from exc
        info = _check_info(name, module)
        loaded.append(LoadedPlugin(name, module, info, sorted(distributions)[0]))
        implementations.append((name, _hook_implementations(manager, name, module)))
    _check_prefixes(names)
    # pluggy calls the last registered first: registering in reverse makes its own calls follow the configuration.
    for name, found in reversed(implementations):
        try:
            manager.register(found, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(name, f"invalid hook implementation: {exc}") from exc
    return manager, loaded


def call_each(manager: pluggy.PluginManager, hook_name: str, **kwargs) -> list[tuple[str, Any]]:
    """Call a start-up hook through pluggy; return (plugin name, answer) pairs; a failure stops the start."""
    return [(answer.plugin, answer.value) for answer in getattr(manager.hook, hook_name)(**kwargs)]


def call_robustly(manager: pluggy.PluginManager, hook_name: str, **kwargs) -> list[Any]:
    """Call a render-time hook through pluggy; an implementation (or a wrapper) that raises is logged and skipped."""
    return _call_isolated(f"hook {hook_name}", getattr(manager.hook, hook_name), **kwargs) or []


@contextmanager
def _undone_on_failure() -> Iterator[None]:
    session = db_session()
    if not holds_writes(session):
        # Nothing of the request's to lose: a full rollback undoes only the failed call's work, and costs no SAVEPOINT.
        try:
            yield
        except Exception:
            session.rollback()
            raise
        return
    savepoint = session.begin_nested()
    try:
        yield
    except Exception:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    if savepoint.is_active:
        savepoint.commit()


def _call_isolated(description: str, function: Callable, *args, **kwargs) -> Any:
    """Call a render-time function; if it raises, log it, undo only its database work and return None."""
    try:
        with _undone_on_failure():
            return function(*args, **kwargs)
    except Exception:
        log.exception("%s failed; skipped", description)
        return None


@functools.cache
def _parameters(answer: Callable) -> tuple[str, ...]:
    return tuple(inspect.signature(answer).parameters)


@dataclass
class SlotTable:
    """The slots declared by the core and the enabled plugins, and who answers each, in configured order."""

    offered: dict[str, hookspecs.Slot]
    answers: dict[str, list[tuple[str, Callable]]] = field(default_factory=dict)

    def render(self, name: str, context: dict) -> list[Any]:
        """Return the answers to a slot, leaving out those that fail; raise LookupError for an undeclared slot."""
        declared = self.offered.get(name)
        if declared is None:
            raise LookupError(f"slot '{name}' is not declared; declared slots: {', '.join(sorted(self.offered))}")
        unknown = set(context) - set(declared.context)
        if unknown:
            raise LookupError(f"slot '{name}' takes {', '.join(declared.context) or 'no context'}, "
                              f"not {', '.join(sorted(unknown))}")
        results = []
        for plugin_name, answer in self.answers.get(name, ()):
            arguments = {key: context.get(key) for key in _parameters(answer)}
            result = _call_isolated(f"plugin {plugin_name}: slot {name}", answer, **arguments)
            if result is not None:
                results.append(result)
        return results


def collect_slots(manager: pluggy.PluginManager, loaded: list[LoadedPlugin]) -> SlotTable:
    """Gather declared slots and the plugins' answers; raise PluginError for an answer to an undeclared slot."""
    table = SlotTable({slot.name: slot for slot in hookspecs.CORE_SLOTS})
    for plugin in loaded:
        table.offered.update((slot.name, slot) for slot in plugin.info.slots)
    enabled = {plugin.name for plugin in loaded}
    installed = installed_entry_points()
    for plugin_name, answers in call_each(manager, "portal_slot_answers"):
        for name, answer in answers.items():
            owner = name.split(".", 1)[0] if "." in name else None
            if owner is not None and owner not in enabled and owner in installed:
                continue  # the slot of a plugin that is not enabled is never called
            declared = table.offered.get(name)
            if declared is None:
                raise PluginError(plugin_name, f"answers slot '{name}', which neither the core nor an enabled plugin "
                                               f"declares; declared slots: {', '.join(sorted(table.offered))}")
            unknown = set(_parameters(answer)) - set(declared.context)
            if unknown:
                raise PluginError(plugin_name, f"the answer to slot '{name}' takes {', '.join(sorted(unknown))}; "
                                               f"the slot passes {', '.join(declared.context) or 'nothing'}")
            table.answers.setdefault(name, []).append((plugin_name, answer))
    return table
