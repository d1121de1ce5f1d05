"""Hygiene rules: masks, persons per room, payment, entry and distance, shown to visitors and on a door poster."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from portal import toolkit
from portal.toolkit import _l, hookimpl


def _kind_label(kind: str) -> str:
    """Return a rule kind's name, as the staff list and form show it."""
    # rules.py imports the model: load it only when the audit log asks.
    from .rules import KINDS

    return str(KINDS[kind])


def _metres(metres: str | None) -> str:
    """Return a stored distance written as the reader writes numbers (1,5 in German)."""
    from .rules import written_number

    if not metres:
        return "–"
    try:
        return written_number(Decimal(metres), toolkit.current_language())
    except InvalidOperation:
        raise ValueError(metres) from None


def _location(location: str) -> str:
    """Return a rule's location, or that it holds at every location."""
    return location or toolkit._("Alle Standorte")


RULE = toolkit.AuditTarget(
    "hygiene_rule",
    actions={"create": _l("Hygieneregel angelegt"), "update": _l("Hygieneregel geändert"),
             "end": _l("Hygieneregel beendet")},
    fields={"kind": _l("Art der Regel"), "persons": _l("Höchstzahl der Personen pro Raum"),
            "metres": _l("Abstand in Metern"), "location": _l("Standort"), "starts_on": _l("Gilt ab"),
            "ends_on": _l("Gilt bis einschließlich"), "ended_at": _l("Beendet am"), "position": _l("Reihenfolge"),
            "text": _l("Text für Besucherinnen und Besucher")},
    values={"kind": _kind_label, "metres": _metres, "location": _location},
)

plugin_info = toolkit.PluginInfo(
    name="hygiene",
    title=_l("Hygieneregeln"),
    description=_l("Regeln für den Besuch im Amt: auf der Startseite, beim Termin und als Aushang an der Tür"),
    version="1.0.0",
    requires_core=">=1.0,<2",
    roles=("editor",),
    easy_pages=(toolkit.EasyPage(endpoint="hygiene.easy", text="regeln", order=40,
                                 standard="hygiene.index"),),
    # The audit log's words for the entries of staff_views.py, in the reader's language.
    audit_targets=(RULE,),
)


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


def _rules_for_visit(location):
    from .rules import office_locations
    from .views import summary

    # A place the configuration does not name (a building's short name, say) cannot narrow the rules:
    # then every rule shows, each marked with its location.
    return summary(location=location if location in office_locations() else None)


def _rules_at_the_door(kind):
    from .views import door_summary

    # Only a client let in now needs them; the other verdicts send the person away or to the desk.
    return door_summary() if kind == "valid_now" else None


def _rules_on_home():
    from .views import summary

    return summary(location=None)


@hookimpl
def portal_slot_answers():
    return {"home": _rules_on_home, "appointments.result": _rules_for_visit, "naturalisation.result": _rules_for_visit,
            "arrival.door": _rules_at_the_door}


@hookimpl
def portal_demo_data(session):
    from .defaults import load_defaults

    load_defaults(session, toolkit.office_today())


@hookimpl
def portal_translation_content():
    from .rules import translation_status

    return translation_status()
