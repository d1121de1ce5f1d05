"""Hygiene rules: masks, persons per room, payment, entry and distance, shown to visitors and on a door poster."""

from __future__ import annotations

from portal import toolkit
from portal.toolkit import _l, hookimpl

plugin_info = toolkit.PluginInfo(
    name="hygiene",
    title=_l("Hygieneregeln"),
    description=_l("Regeln für den Besuch im Amt: auf der Startseite, beim Termin und als Aushang an der Tür"),
    version="1.0.0",
    requires_core=">=1.0,<2",
    roles=("editor",),
)

# Slots of other plugins about a visit; their context may name the location.
VISIT_SLOTS = frozenset({"appointment_result", "naturalisation_result"})


@hookimpl
def portal_blueprints():
    from .staff_views import staff
    from .views import bp

    return [bp, staff]


@hookimpl
def portal_models():
    from .models import Rule

    return [Rule]


@hookimpl
def portal_cli_commands():
    from .cli import hygiene_cli

    return [hygiene_cli]


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title=_l("Hygieneregeln"), endpoint="hygiene.index", order=40)]


@hookimpl
def portal_staff_menu():
    return [toolkit.StaffMenuItem(title=_l("Hygieneregeln"), endpoint="hygiene_staff.index", role="editor",
                                  order=40)]


@hookimpl
def portal_template_slot(slot, context):
    from .rules import office_locations
    from .views import summary

    if slot == "home":
        return summary(location=None)
    if slot in VISIT_SLOTS:
        # A place the configuration does not name (a building's short name, say) cannot narrow the rules:
        # then every rule shows, each marked with its location.
        location = context.get("location")
        return summary(location=location if location in office_locations() else None)
    return None


@hookimpl
def portal_demo_data(session):
    from .defaults import load_defaults
    from .rules import office_today

    load_defaults(session, office_today())


@hookimpl
def portal_translation_content():
    from .rules import translation_status

    return translation_status()
