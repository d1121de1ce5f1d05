"""Document checklists: what to bring to each service of the office, with conditions, print and versions."""

from __future__ import annotations

from portal import toolkit
from portal.toolkit import _l, hookimpl

#: The audit log's words for the checklists' entries (staff_views.py): one per saved version, named by its action.
SERVICE = toolkit.AuditTarget(
    "checklists_service",
    actions={"create": _l("Checkliste angelegt"), "edited": _l("Checkliste geändert"),
             "translated": _l("Übersetzung der Checkliste geändert"),
             "restored": _l("Frühere Version der Checkliste wiederhergestellt")},
    fields={"slug": _l("Kurzname für die Adresse"), "version": _l("Version"), "language": _l("Übersetzung"),
            "restored_version": _l("Wiederhergestellte Version")},
    values={"language": toolkit.readable_languages},
)
#: The audit log's words for the questions' entries (staff_views.py).
QUESTION = toolkit.AuditTarget(
    "checklists_question",
    actions={"create": _l("Frage angelegt"), "update": _l("Frage geändert")},
    fields={"key": _l("Schlüssel"), "version": _l("Version"), "position": _l("Reihenfolge"), "text": _l("Frage"),
            "label": _l("Überschrift der Punkte")},
)

plugin_info = toolkit.PluginInfo(
    name="checklists",
    title=_l("Checklisten"),
    description=_l("Listen der Unterlagen, die Besucherinnen und Besucher zu jedem Anliegen mitbringen"),
    version="1.0.0",
    requires_core=">=1.0,<2",
    roles=("editor",),
    easy_pages=(toolkit.EasyPage(endpoint="checklists.easy", text="mitbringen", order=30,
                                 standard="checklists.index"),),
    audit_targets=(SERVICE, QUESTION),
)


@hookimpl
def portal_blueprints():
    from .staff_views import staff
    from .views import bp

    return [bp, staff]


@hookimpl
def portal_models():
    from .models import Question, Service, ServiceVersion

    return [Question, Service, ServiceVersion]


@hookimpl
def portal_cli_commands():
    from .cli import checklists_cli

    return [checklists_cli]


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title=_l("Checklisten"), endpoint="checklists.index", order=30)]


@hookimpl
def portal_home_tiles():
    return [toolkit.Tile(title=_l("Was muss ich mitbringen?"),
                         text=_l("Checklisten der Unterlagen für Ihren Termin, zum Abhaken und Ausdrucken"),
                         endpoint="checklists.index", order=30)]


@hookimpl
def portal_staff_menu():
    return [toolkit.StaffMenuItem(title=_l("Checklisten"), endpoint="checklists_staff.index", role="editor",
                                  order=30)]


def _what_to_bring(service):
    from .views import service_box

    return service_box(service) if service else None


@hookimpl
def portal_slot_answers():
    # The appointment result and the naturalisation result name the service the visit is for.
    return {"appointments.result": _what_to_bring, "naturalisation.result": _what_to_bring}


@hookimpl
def portal_demo_data(session):
    from .defaults import load_defaults

    load_defaults(session)


@hookimpl
def portal_translation_content():
    from .checklist import translation_status

    return translation_status()
