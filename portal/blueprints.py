"""Blueprints of one kind of page each: public pages for everybody, or staff pages behind a role."""

from __future__ import annotations

import re

from flask import Blueprint
from flask_babel import gettext as _

ROLES = ("admin", "editor", "caseworker", "door", "mediator")
KINDS = ("public", "staff")
SECTION_RE = re.compile(r"[a-z][a-z0-9]{0,30}")


def role_label(role: str) -> str:
    """Return a role's translated name."""
    return {"admin": _("Administration"), "editor": _("Redaktion"), "caseworker": _("Sachbearbeitung"),
            "door": _("Einlass (Sicherheitsdienst)"), "mediator": _("Sprachmittlung (ehrenamtlich)")}[role]


class PortalBlueprint(Blueprint):
    """A blueprint whose pages are all of one kind, so the core can tell public pages from staff pages."""

    def __init__(self, name: str, import_name: str, *, kind: str, **options):
        if kind not in KINDS:
            raise ValueError(f"unknown blueprint kind {kind!r}")
        super().__init__(name, import_name, **options)
        self.kind = kind


class PluginBlueprint(PortalBlueprint):
    """A blueprint owned by one plugin; the core mounts it by kind."""

    def __init__(self, plugin_name: str, import_name: str, *, kind: str, role: str | None = None,
                 section: str = ""):
        if kind == "public":
            name, prefix = plugin_name, f"/<lang:lang>/{plugin_name}"
        elif kind == "staff":
            if role not in ROLES:
                raise ValueError(f"staff blueprint of '{plugin_name}' needs a role from {ROLES}, got {role!r}")
            name, prefix = f"{plugin_name}_staff", f"/<lang:lang>/staff/{plugin_name}"
            if section:
                if not SECTION_RE.fullmatch(section):
                    raise ValueError(f"section {section!r} of '{plugin_name}': use lower-case letters and digits")
                # Plugin names never contain '_staff_', so this name is the plugin's own.
                name, prefix = f"{name}_{section}", f"{prefix}/{section}"
        else:
            raise ValueError(f"unknown blueprint kind {kind!r}")
        super().__init__(name, import_name, kind=kind, url_prefix=prefix)
        self.plugin_name = plugin_name
        self.role = role


def public_blueprint(plugin_name: str, import_name: str) -> PluginBlueprint:
    """Make the blueprint for a plugin's public pages, served at /<lang>/<plugin_name>/."""
    return PluginBlueprint(plugin_name, import_name, kind="public")


def staff_blueprint(plugin_name: str, import_name: str, role: str, section: str = "") -> PluginBlueprint:
    """Make the blueprint for a plugin's staff pages, at /<lang>/staff/<plugin_name>/, for `role`.

    A plugin whose staff pages serve two roles makes a second blueprint with a
    `section`: its pages are at /<lang>/staff/<plugin_name>/<section>/, its
    endpoints '<plugin_name>_staff_<section>.<view>'.
    """
    blueprint = PluginBlueprint(plugin_name, import_name, kind="staff", role=role, section=section)
    from .staff.auth import guard_blueprint

    guard_blueprint(blueprint, role)
    return blueprint
