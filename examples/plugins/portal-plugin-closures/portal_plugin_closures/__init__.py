"""Office closures: the days the office is closed, listed for visitors and kept by staff."""

from __future__ import annotations

from pydantic import Field

from portal import toolkit
from portal.toolkit import _l, hookimpl

plugin_info = toolkit.PluginInfo(
    name="closures",
    title=_l("Schließtage"),
    description=_l("Tage, an denen das Amt geschlossen ist"),
    version="1.0.0",
    requires_core=">=1.0,<2",
    author="Migration office portal",
    roles=("editor",),
    slots=(toolkit.Slot("closures.closure", context=("starts_on", "ends_on"),
                        description="below each closure on the public page: where to turn to meanwhile"),),
    # The audit log's words for the entries of staff_views.py, in the reader's language.
    audit_targets=(toolkit.AuditTarget(
        "closures_closure",
        actions={"create": _l("Schließtage angelegt"), "update": _l("Schließtage geändert")},
        fields={"starts_on": _l("Geschlossen ab"), "ends_on": _l("Geschlossen bis einschließlich"),
                "reason": _l("Grund")},
    ),),
)


class ClosuresSettings(toolkit.PluginSettings):
    days_ahead: int = Field(default=60, ge=1, le=366)
    """How many days ahead the public page and the home page look for closures."""
    show_on_home: bool = True
    """Whether the home page names the next closure."""


@hookimpl
def portal_settings_model():
    return ClosuresSettings


@hookimpl
def portal_blueprints():
    from .staff_views import staff
    from .views import bp

    return [bp, staff]


@hookimpl
def portal_models():
    from .models import Closure

    return [Closure]


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title=_l("Schließtage"), endpoint="closures.index", order=80)]


@hookimpl
def portal_staff_menu():
    return [toolkit.StaffMenuItem(title=_l("Schließtage"), endpoint="closures_staff.index", role="editor", order=80)]


@hookimpl
def portal_slot_answers():
    from .views import next_closure_on_home

    return {"home": next_closure_on_home}
