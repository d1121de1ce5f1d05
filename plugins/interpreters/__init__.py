"""Interpreter support: pages for volunteer language mediators, a glossary, help times and a side-by-side view."""

from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup

from portal import toolkit
from portal.toolkit import _l, hookimpl


def _term_and_explanation(version: list) -> str:
    """Return one language version of a term, [term, explanation], as one line."""
    # As a plain list the log would join the two with "and", as if they were two terms.
    return " – ".join(text for text in version if text) or "–"


#: The audit log's words for the glossary's entries (staff_views.py, and glossary.py for the shipped glossary).
GLOSSARY_TERM = toolkit.AuditTarget(
    "interpreters_glossary_term",
    actions={"create": _l("Begriff angelegt"), "update": _l("Begriff geändert"), "delete": _l("Begriff gelöscht"),
             "load_shipped": _l("Glossar aus der mitgelieferten Fassung ergänzt")},
    fields={"lang": _l("Sprache"), "term": _l("Begriff"), "explanation": _l("Erklärung"),
            "translations": _l("Übersetzungen"),
            "added_terms": _l("Ergänzte Begriffe"), "added_translations": _l("Ergänzte Übersetzungen")},
    values={"lang": toolkit.readable_languages, "translations": _term_and_explanation},
)
#: The audit log's words for the help times' entries (staff_views.py).
HELP_TIME = toolkit.AuditTarget(
    "interpreters_help_time",
    actions={"create": _l("Zeit der Sprachhilfe angelegt"), "update": _l("Zeit der Sprachhilfe geändert"),
             "delete": _l("Zeit der Sprachhilfe gelöscht")},
    fields={"day": _l("Datum"), "starts_at": _l("Beginn"), "ends_at": _l("Ende"), "languages": _l("Sprachen"),
            "other_languages": _l("Weitere Sprachen"), "by_phone": _l("Sprachhilfe am Telefon"), "place": _l("Ort")},
    values={"languages": toolkit.readable_languages},
)

plugin_info = toolkit.PluginInfo(
    name="interpreters",
    title=_l("Sprachhilfe"),
    description=_l("Seiten für ehrenamtliche Sprachmittler, ein Glossar der Amtssprache, Zeiten der Sprachhilfe "
                   "und jede Seite zweisprachig nebeneinander."),
    version="1.0.0",
    requires_core=">=1.0,<2",
    roles=("editor", "mediator"),
    slots=(toolkit.Slot("interpreters.duty", context=("languages", "location", "return_to"),
                        description="the volunteer mediators' duty page (role mediator): who waits needing one of "
                                    "`languages` (codes; empty: any) at `location` (an office location, '' for "
                                    "the one place), with forms that return to the path `return_to`"),),
    audit_targets=(GLOSSARY_TERM, HELP_TIME),
)


@hookimpl
def portal_blueprints():
    from .duty_views import duty
    from .staff_views import bp as staff_bp
    from .views import bp

    return [bp, staff_bp, duty]


@hookimpl
def portal_models():
    from .models import GlossaryTerm, GlossaryTranslation, HelpTime

    return [GlossaryTerm, GlossaryTranslation, HelpTime]


@hookimpl
def portal_settings_model():
    from .settings import InterpretersSettings

    return InterpretersSettings


@hookimpl
def portal_cli_commands():
    from .cli import interpreters_cli

    return [interpreters_cli]


@hookimpl
def portal_init_app(app):
    from . import bilingual

    bilingual.init_app(app)


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title=_l("Sprachhilfe"), endpoint="interpreters.index", order=700)]


@hookimpl
def portal_home_tiles():
    return [toolkit.Tile(title=_l("Sprachhilfe"),
                         text=_l("Ehrenamtliche helfen beim Übersetzen: Zeiten, Orte und ein Glossar der Amtssprache."),
                         endpoint="interpreters.index", order=700)]


@hookimpl
def portal_staff_menu():
    return [toolkit.StaffMenuItem(title=_l("Glossar"), endpoint="interpreters_staff.glossary", role="editor",
                                  order=700),
            toolkit.StaffMenuItem(title=_l("Zeiten der Sprachhilfe"), endpoint="interpreters_staff.help_times",
                                  role="editor", order=710),
            toolkit.StaffMenuItem(title=_l("Sprachmittlung"), endpoint="interpreters_staff_duty.index",
                                  role="mediator", order=720)]


def _stylesheet():
    from .bilingual import requested_pair

    if request.blueprint == "interpreters" or requested_pair() is not None:
        return Markup(render_template("interpreters/_stylesheet.html"))
    return None


def _bilingual_toggle():
    from .bilingual import offers_switch, switch

    return switch() if offers_switch() else None


@hookimpl
def portal_slot_answers():
    return {"head": _stylesheet, "footer": _bilingual_toggle}


@hookimpl
def portal_demo_data(session):
    from .demo import add_demo_data

    add_demo_data(session)


@hookimpl
def portal_translation_content():
    from .glossary import coverage

    return coverage(toolkit.session())
