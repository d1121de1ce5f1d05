"""Notices: what clients must know now, written by staff in several languages.

Public list, detail pages and an Atom feed per language; urgent notices as a
banner on every public page; current notices on the home page; staff pages to
write, preview, schedule, publish and withdraw them.
"""

# Modules are imported inside the hooks: pytest may run this file a second time
# under its path name, and the models must be defined only once.
from portal import toolkit


def _category_label(category: str) -> str:
    """Return a notice's category as the form names it."""
    from .models import CATEGORIES

    return str(CATEGORIES[category])


def _priority_label(priority: str) -> str:
    """Return a notice's priority as the form names it."""
    from .models import PRIORITIES

    return str(PRIORITIES[priority])


def _state_label(state: str) -> str:
    """Return a notice's stored state in words."""
    from .models import STATE_LABELS

    return str(STATE_LABELS[state])


#: The audit log's words for the notices' entries (staff.py).
NOTICE = toolkit.AuditTarget(
    "notices_notice",
    actions={"create": toolkit._l("Mitteilung angelegt"), "update": toolkit._l("Mitteilung geändert"),
             "publish": toolkit._l("Mitteilung veröffentlicht"), "unpublish": toolkit._l("Mitteilung zurückgezogen"),
             "delete": toolkit._l("Mitteilung gelöscht")},
    fields={"category": toolkit._l("Thema"), "priority": toolkit._l("Dringlichkeit"), "state": toolkit._l("Status"),
            "starts_at": toolkit._l("Sichtbar ab"), "ends_at": toolkit._l("Sichtbar bis"),
            "texts.title": toolkit._l("Titel"), "texts.body": toolkit._l("Text")},
    values={"category": _category_label, "priority": _priority_label, "state": _state_label},
)

plugin_info = toolkit.PluginInfo(
    name="notices",
    title=toolkit._l("Mitteilungen"),
    description=toolkit._l("Aktuelle Mitteilungen des Amts in mehreren Sprachen, mit Banner für dringende Hinweise"),
    version="1.0.0",
    roles=("editor",),
    audit_targets=(NOTICE,),
)


@toolkit.hookimpl
def portal_blueprints():
    from . import public, staff

    return [public.bp, staff.bp]


@toolkit.hookimpl
def portal_models():
    from .models import Notice, NoticeText

    return [Notice, NoticeText]


@toolkit.hookimpl
def portal_settings_model():
    from .settings import NoticesSettings

    return NoticesSettings


@toolkit.hookimpl
def portal_navigation():
    return [toolkit.NavItem(toolkit._l("Mitteilungen"), "notices.index", order=10)]


@toolkit.hookimpl
def portal_staff_menu():
    return [
        toolkit.StaffMenuItem(toolkit._l("Mitteilungen"), "notices_staff.index", role="editor", order=10),
        toolkit.StaffMenuItem(toolkit._l("Sprachen der Mitteilungen"), "notices_staff.coverage", role="editor",
                              order=11),
    ]


@toolkit.hookimpl
def portal_slot_answers():
    from . import public

    return {"head": public.render_head, "banner": public.render_banner, "home": public.render_home_section}


@toolkit.hookimpl
def portal_demo_data(session):
    from .demo import load_demo_notices

    load_demo_notices(session)


@toolkit.hookimpl
def portal_translation_content():
    from .queries import translation_counts

    counts, total = translation_counts()
    return [toolkit.ContentStatus("notices", "notices", lang, counts.get(lang, 0), total, toolkit._l("Mitteilungen"))
            for lang in toolkit.enabled_languages()]
