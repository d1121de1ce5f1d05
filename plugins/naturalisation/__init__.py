"""Naturalisation certificate handover: record ready certificates, plan handovers, invite, and let clients look up."""

from __future__ import annotations

from datetime import date, timedelta

from portal import toolkit
from portal.toolkit import _l, hookimpl


def _appointment_state(state: str) -> str:
    """Return an appointment state's name, as the day plan shows it."""
    # staff_views imports the models and forms: load it only when the audit log asks.
    from .staff_views import state_label

    return state_label(state)


def _letter_language(code: str) -> str:
    """Return the letter's second language, or that the letter is in the source language alone."""
    from .staff_views import source_only

    return toolkit.readable_languages(code) if code else source_only()


CASE = toolkit.AuditTarget(
    "naturalisation_case",
    actions={"create": _l("Fall erfasst"), "update": _l("Fall geändert"), "delete": _l("Fall gelöscht"),
             "import": _l("Fälle importiert")},
    fields={"reference": _l("Aktenzeichen"), "ready_on": _l("Urkunden liegen bereit ab"), "family_group": _l("Familie"),
            "letter_language": _l("Zweite Sprache des Einladungsschreibens"), "persons": _l("Personen"),
            "cancelled_appointments": _l("Abgesagte Termine")},
    values={"letter_language": _letter_language},
)
APPOINTMENT = toolkit.AuditTarget(
    "naturalisation_appointment",
    actions={"plan": _l("Termine geplant"), "done": _l("Urkunde übergeben"),
             "missed": _l("Nicht zum Termin erschienen"), "cancelled": _l("Termin abgesagt"),
             "move": _l("Termin verschoben")},
    fields={"created": _l("Neu geplante Termine"), "still_waiting": _l("Noch ohne Termin"), "state": _l("Stand"),
            "day": _l("Tag"), "starts_at": _l("Uhrzeit"), "office": _l("Raum")},
    values={"state": _appointment_state},
)

plugin_info = toolkit.PluginInfo(
    name="naturalisation",
    title=_l("Übergabe der Einbürgerungsurkunden"),
    description=_l("Plant Termine zur Übergabe der Einbürgerungsurkunden, druckt Einladungen und Tagespläne und "
                   "zeigt Kundinnen und Kunden ihren Termin."),
    version="1.0.0",
    roles=("caseworker",),
    slots=(toolkit.Slot("naturalisation.result", context=("service", "location"),
                        description="below the handover appointments found by the lookup: service slug and place"),),
    # The audit log's words for the entries of staff_views.py and importer.py, in the reader's language.
    audit_targets=(CASE, APPOINTMENT),
)


@hookimpl
def portal_blueprints():
    from .staff_views import bp as staff_bp
    from .views import bp

    return [bp, staff_bp]


@hookimpl
def portal_models():
    from .models import HandoverAppointment, HandoverCase, HandoverPerson

    return [HandoverCase, HandoverPerson, HandoverAppointment]


@hookimpl
def portal_settings_model():
    from .planning import NaturalisationSettings

    return NaturalisationSettings


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title=_l("Einbürgerungsurkunde"), endpoint="naturalisation.lookup", order=400)]


@hookimpl
def portal_home_tiles():
    return [toolkit.Tile(title=_l("Einbürgerungsurkunde abholen"),
                         text=_l("Sehen Sie nach, wann und wo Sie Ihre Urkunde bekommen."),
                         endpoint="naturalisation.lookup", order=400)]


@hookimpl
def portal_staff_menu():
    return [toolkit.StaffMenuItem(title=_l("Einbürgerungsurkunden"), endpoint="naturalisation_staff.overview",
                                  role="caseworker", order=400)]


@hookimpl
def portal_purge_expired(session, now):
    from .retention import purge_handed_over, purge_unfinished

    # Unfinished cases first, so that their appointments, left without persons, go with the handed-over ones'.
    return purge_unfinished(session, now) + purge_handed_over(session, now)


@hookimpl
def portal_demo_data(session):
    from sqlalchemy import select

    from .models import HandoverCase, persons_born
    from .planning import parse_settings, run_planning

    if session.scalar(select(HandoverCase.id).limit(1)) is not None:
        return
    settings = parse_settings(toolkit.plugin_settings("naturalisation"))
    today = toolkit.office_today()
    ready = today + timedelta(days=settings.notice_days)
    demo = [("54/1001-2026", 0, "G-1001", [date(1984, 3, 2), date(1986, 11, 23)]),
            ("54/1002-2026", 0, "G-1001", [date(2007, 6, 14)]),
            ("54/1003-2026", 1, "", [date(1979, 1, 30)]),
            ("54/1004-2026", 1, "", [date(1990, 8, 8), date(1992, 2, 17), date(2012, 5, 5)]),
            ("54/1005-2026", 2, "", [date(1968, 12, 1)]),
            ("54/1006-2026", 3, "", [date(1995, 4, 21), date(1996, 9, 9)])]
    for reference, delay, group, births in demo:
        session.add(HandoverCase(reference=reference, ready_on=ready + timedelta(days=delay), family_group=group,
                         letter_language="ar" if reference.endswith("1004-2026") else "tr",
                         persons=persons_born(reference, births)))
    session.flush()
    run_planning(session, today, settings)
