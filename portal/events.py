"""Declared events between plugins: published inside the publisher's transaction, answered in configured order.

A plugin declares the events it publishes in ``PluginInfo(events=...)``; others
answer them through the start-up hook ``portal_event_handlers``. Events are
in-process and synchronous: a handler runs in the publisher's database session,
and a handler that raises makes the publisher's change fail with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pluggy
from flask import current_app

from .hookspecs import Event
from .plugins import LoadedPlugin, PluginError, call_each, installed_entry_points


@dataclass
class EventTable:
    """The events the enabled plugins declare and the handlers answering each, in configured order."""

    declared: dict[str, Event]
    handlers: dict[str, list[tuple[str, Callable]]] = field(default_factory=dict)

    def publish(self, name: str, payload: dict) -> None:
        """Call every handler of a declared event with the payload; a handler's failure propagates."""
        declared = self.declared.get(name)
        if declared is None:
            raise LookupError(f"event '{name}' is not declared; declared events: {', '.join(sorted(self.declared))}")
        if set(payload) != set(declared.payload_keys):
            raise TypeError(f"event '{name}' carries {', '.join(declared.payload_keys)}, "
                            f"not {', '.join(sorted(payload))}")
        for _plugin_name, handler in self.handlers.get(name, ()):
            handler(dict(payload))


def collect_events(manager: pluggy.PluginManager, loaded: list[LoadedPlugin]) -> EventTable:
    """Gather declared events and the plugins' handlers; raise PluginError for a handler of an undeclared event."""
    table = EventTable({})
    for plugin in loaded:
        for event in plugin.info.events:
            if not event.name.startswith(f"{plugin.name}."):
                raise PluginError(plugin.name, f"event '{event.name}' must be named '{plugin.name}.<event>'")
            table.declared[event.name] = event
    enabled = {plugin.name for plugin in loaded}
    installed = installed_entry_points()
    for plugin_name, handlers in call_each(manager, "portal_event_handlers"):
        for name, handler in handlers.items():
            owner = name.split(".", 1)[0]
            if owner not in enabled and owner in installed:
                continue  # an event of a plugin that is not enabled is never published
            if name not in table.declared:
                raise PluginError(plugin_name, f"handles event '{name}', which no enabled plugin declares; "
                                               f"declared events: {', '.join(sorted(table.declared)) or 'none'}")
            table.handlers.setdefault(name, []).append((plugin_name, handler))
    return table


def publish(name: str, **payload) -> None:
    """Publish a declared event to every enabled plugin's handler, in this transaction; handler failures propagate."""
    current_app.extensions["portal.events"].publish(name, payload)
