"""Blueprints of one kind of page each: public pages for everybody, or staff pages behind a role."""

from __future__ import annotations

from flask import Blueprint

ROLES = ("admin", "editor", "caseworker", "door")
KINDS = ("public", "staff")


class PortalBlueprint(Blueprint):
    """A blueprint whose pages are all of one kind, so the core can tell public pages from staff pages."""

    def __init__(self, name: str, import_name: str, *, kind: str, **options):
        if kind not in KINDS:
            raise ValueError(f"unknown blueprint kind {kind!r}")
        super().__init__(name, import_name, **options)
        self.kind = kind


class PluginBlueprint(PortalBlueprint):
    """A blueprint owned by one plugin; the core mounts it by kind."""

    def __init__(self, plugin_name: str, import_name: str, *, kind: str, role: str | None = None):
        if kind == "public":
            name, prefix = plugin_name, f"/<lang:lang>/{plugin_name}"
        elif kind == "staff":
            if role not in ROLES:
                raise ValueError(f"staff blueprint of '{plugin_name}' needs a role from {ROLES}, got {role!r}")
            name, prefix = f"{plugin_name}_staff", f"/<lang:lang>/staff/{plugin_name}"
        else:
            raise ValueError(f"unknown blueprint kind {kind!r}")
        super().__init__(name, import_name, kind=kind, url_prefix=prefix)
        self.plugin_name = plugin_name
        self.role = role


def public_blueprint(plugin_name: str, import_name: str) -> PluginBlueprint:
    """Make the blueprint for a plugin's public pages, served at /<lang>/<plugin_name>/."""
    return PluginBlueprint(plugin_name, import_name, kind="public")


def staff_blueprint(plugin_name: str, import_name: str, role: str) -> PluginBlueprint:
    """Make the blueprint for a plugin's staff pages, at /<lang>/staff/<plugin_name>/, for `role`."""
    blueprint = PluginBlueprint(plugin_name, import_name, kind="staff", role=role)
    from .staff.auth import guard_blueprint

    guard_blueprint(blueprint, role)
    return blueprint
