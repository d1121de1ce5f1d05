"""Appointments: clients check on their phone whether their appointment is on, when and where.

The office's specialist system exports appointments as CSV; staff upload it
(or a timer runs `flask --app portal appointments import FILE`). Clients look
an appointment up with the reference on their letter and their date of birth.
The result page offers the slot ``appointments.result`` with the context
``service`` (a service slug) and ``location`` (the building), where the
checklists and hygiene plugins add what to bring and which rules apply.
Whenever an appointment is created, changed, postponed or cancelled (by an
import or a staff edit) it publishes the event ``appointments.changed`` with
its public facts (publishing.py), named by a random public id.
"""

from datetime import timedelta

from flask import render_template
from markupsafe import Markup
from sqlalchemy import and_, delete, or_

from portal import toolkit
from portal.toolkit import _l, hookimpl

from .publishing import CHANGED, PAYLOAD_KEYS
from .statuses import STATUSES

# A client's request is open until staff mark it handled; only these two states are audited.
REQUEST_STATE_LABELS = {"open": _l("Offen"), "handled": _l("Erledigt")}


def _status_label(code: str) -> str:
    """Return an appointment status in the words the staff pages show."""
    return str(STATUSES[code].label)


def _request_kind_label(kind: str) -> str:
    """Return what a client asked for, as the inbox names it."""
    from .selfservice import KIND_LABELS  # imports the models: only when the audit log is read

    return str(KIND_LABELS[kind])


# The audit log's words for the entries of staff.py, selfservice_staff.py and the import, in the reader's language.
AUDIT_TARGETS = (
    toolkit.AuditTarget(
        "appointments_appointment",
        actions={"update": _l("Termin geändert")},
        fields={"status": _l("Status"), "starts_at": _l("Termin"), "building": _l("Gebäude"), "room": _l("Raum"),
                "persons_allowed": _l("Personen")},
        values={"status": _status_label},
    ),
    toolkit.AuditTarget(
        "appointments_export",
        actions={"export": _l("CSV-Export für den Serienbrief heruntergeladen")},
        fields={"first_day": _l("Vom"), "last_day": _l("Bis einschließlich")},
    ),
    toolkit.AuditTarget("appointments_lookup", actions={"unlock": _l("Abfrage wieder freigegeben")}),
    toolkit.AuditTarget(
        "appointments_request",
        actions={"handled": _l("Anfrage als erledigt markiert")},
        fields={"state": _l("Status"), "kind": _l("Anfrage")},
        values={"state": lambda state: str(REQUEST_STATE_LABELS[state]), "kind": _request_kind_label},
    ),
    toolkit.AuditTarget(
        "appointments_freed_slot",
        actions={"offer": _l("Freien Termin kurzfristig angeboten")},
        fields={"offers": _l("Angebote")},
    ),
    toolkit.AuditTarget(
        "appointments_selfservice_export",
        actions={"export": _l("CSV-Export für das Fachverfahren heruntergeladen")},
        fields={"rows": _l("Zeilen")},
    ),
    toolkit.AuditTarget("appointments_import", actions={"import": _l("Termine importiert")}),
)

plugin_info = toolkit.PluginInfo(
    name="appointments",
    title=_l("Termine"),
    description=_l("Klientinnen und Klienten prüfen ihren Termin mit Vorgangsnummer und Geburtsdatum; "
                   "Mitarbeitende importieren, pflegen und drucken Termine."),
    version="1.0.0",
    requires_core=">=1.0,<2",
    roles=("caseworker",),
    easy_pages=(toolkit.EasyPage(endpoint="appointments.easy", text="termin", order=20,
                                 standard="appointments.lookup"),),
    slots=(toolkit.Slot("appointments.result", context=("service", "location", "public_id"),
                        description="below an appointment found by the lookup, only for a visit still to come: "
                                    "service slug, building and the appointment's public id"),
           toolkit.Slot("appointments.letter_code", context=("public_id",),
                        description="markup in the invitation letter's head instead of the lookup's QR code (a pass "
                                    "to show at the door, say); without an answer the letter prints the lookup's"),
           toolkit.Slot("appointments.letter_text", context=("public_id",),
                        description="markup ending each language's part of the invitation letter, instead of the "
                                    "sentence about the lookup's QR code; rendered in that part's language"),
           toolkit.Slot("appointments.client_address", context=("public_id",),
                        description="read by code (toolkit.slot_values): plain text, the absolute address a client "
                                    "should open for this appointment; the calendar file carries the first answer"),
           toolkit.Slot("appointments.arrived", context=("public_id",),
                        description="read by code (toolkit.slot_values): True when the client of this appointment "
                                    "has arrived (checked in at the door); the result page then leaves out what to "
                                    "do before coming and the self-service"),
           toolkit.Slot("appointments.export", context=("public_ids",),
                        description="read by code (toolkit.slot_values): columns for the staff's CSV export, a dict "
                                    "of column heading to a dict of public id to the cell's plain text")),
    events=(toolkit.Event(CHANGED, PAYLOAD_KEYS,
                          "an appointment was created, changed, postponed or cancelled: its public id, day and start "
                          "(office time, None without a date), persons allowed, service group (the service slug), "
                          "status and whether it can be attended"),),
    audit_targets=AUDIT_TARGETS,
)


@hookimpl
def portal_settings_model():
    from .settings import AppointmentsSettings

    return AppointmentsSettings


@hookimpl
def portal_blueprints():
    from . import api, selfservice_staff, selfservice_views  # noqa: F401  (add their routes to the blueprints)
    from .staff import bp as staff_bp
    from .views import bp

    return [bp, staff_bp]


@hookimpl
def portal_models():
    from .models import Appointment
    from .selfservice_models import ClientRequest, FreedSlot, Offer, Reminder, ShortNoticeEntry

    return [Appointment, ClientRequest, Reminder, ShortNoticeEntry, FreedSlot, Offer]


@hookimpl
def portal_cli_commands():
    from .cli import appointments_cli

    return [appointments_cli]


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title=_l("Termin prüfen"), endpoint="appointments.lookup", order=10)]


@hookimpl
def portal_home_tiles():
    return [toolkit.Tile(title=_l("Termin prüfen"),
                         text=_l("Findet mein Termin statt? Wann und wo? Mit Vorgangsnummer und Geburtsdatum."),
                         endpoint="appointments.lookup", order=10)]


def _lookup_after_void_pass(state, public_id):
    # A void pass asks the client to check their appointment: the page offers the way there.
    return Markup(render_template("appointments/_lookup_link.html")) if state in ("changed", "unknown") else None


@hookimpl
def portal_slot_answers():
    return {"arrival.pass": _lookup_after_void_pass}


@hookimpl
def portal_event_handlers():
    from .selfservice import answer_by_import

    # An import (or a staff edit) that changes the date or status answers the client's open requests.
    return {CHANGED: answer_by_import}


@hookimpl
def portal_staff_menu():
    return [
        toolkit.StaffMenuItem(title=_l("Termine"), endpoint="appointments_staff.search", role="caseworker", order=10),
        toolkit.StaffMenuItem(title=_l("Tagesansicht"), endpoint="appointments_staff.day_view", role="caseworker",
                              order=11),
        toolkit.StaffMenuItem(title=_l("Termine importieren"), endpoint="appointments_staff.import_page",
                              role="caseworker", order=12),
        toolkit.StaffMenuItem(title=_l("Gesperrte Abfragen"), endpoint="appointments_staff.locked_references",
                              role="caseworker", order=13),
        toolkit.StaffMenuItem(title=_l("Rückmeldungen von Klienten"), endpoint="appointments_staff.selfservice_inbox",
                              role="caseworker", order=14),
    ]


@hookimpl
def portal_demo_data(session):
    from .demo import add_demo_appointments

    add_demo_appointments(session)


@hookimpl
def portal_purge_expired(session, now):
    from .models import Appointment
    from .selfservice import purge as purge_selfservice
    from .statuses import CLOSED_STATUSES

    settings = toolkit.plugin_settings("appointments")
    closed_before = now - timedelta(days=settings["retention_days"])
    stale_before = now - timedelta(days=settings["stale_after_days"])
    purged = session.execute(delete(Appointment).where(or_(
        Appointment.status.in_(CLOSED_STATUSES) & (Appointment.status_changed_at < closed_before),
        Appointment.starts_at < stale_before,
        # Without a date (or with one past), an appointment no export contained and nobody changed for so long
        # is forgotten by the specialist system: postponed for ever would otherwise mean kept for ever.
        and_(or_(Appointment.starts_at.is_(None), Appointment.starts_at < now),
             Appointment.imported_at < stale_before, Appointment.updated_at < stale_before,
             Appointment.status_changed_at < stale_before),
    )).returning(Appointment.id).execution_options(synchronize_session=False)).scalars().all()
    toolkit.forget_audit_details("appointments_appointment", purged)
    return len(purged) + purge_selfservice(session, now)
