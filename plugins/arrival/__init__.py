"""Arrival: a signed pass for each appointment, checked at the office's door.

A pass holds an appointment's random public id, its day, arrival window,
persons allowed and service group, signed with Ed25519 (passes.py); the keys
live in the database, each private key sealed with the portal's secret, and are
managed with ``flask --app portal arrival keys create|rotate|list`` (keys.py). Scanners
fetch the public keys from ``/<lang>/arrival/keys.json``. The table of issued
passes decides whether a pass is still current and records its one check-in
(door.py). Passes follow the appointments through the event
``appointments.changed`` and are shown below the appointment's result through
the slot ``appointments.result`` (issuing.py). See docs/arrival.md.
"""

from datetime import timedelta

from sqlalchemy import delete

from portal import toolkit
from portal.toolkit import _l, hookimpl

from .events import CHECKED_IN, CHECKED_IN_KEYS, REVOKED, REVOKED_KEYS

plugin_info = toolkit.PluginInfo(
    name="arrival",
    title=_l("Ankunft"),
    description=_l("Eine signierte Einlasskarte für jeden Termin, die am Eingang geprüft wird."),
    version="0.1.0",
    requires_core=">=1.0,<2",
    roles=("door", "caseworker"),
    slots=(
        toolkit.Slot("arrival.door", context=("kind", "public_id"),
                     description="beside the verdict on the door page: the verdict's kind (valid_now, too_early …) "
                                 "and the pass's public id ('' when not genuine); nothing of what the visit is about"),
        toolkit.Slot("arrival.pass", context=("state", "public_id"),
                     description="below the state on the page a pass's address opens: valid, changed, checked_in, "
                                 "or unknown (no genuine pass: public id ''), and the appointment's public id"),
    ),
    events=(toolkit.Event(CHECKED_IN, CHECKED_IN_KEYS,
                          "a client's pass was checked in at the door, once per pass: its public id, day, arrival "
                          "window, persons, service group, interpreter language ('' for none) and the check-in time "
                          "(aware, UTC)"),
            toolkit.Event(REVOKED, REVOKED_KEYS,
                          "the pass of a client already checked in was revoked, since the appointment can no longer "
                          "be attended (cancelled or postponed that day): its public id and day")),
)


@hookimpl
def portal_settings_model():
    from .settings import ArrivalSettings

    return ArrivalSettings


@hookimpl
def portal_blueprints():
    from .day_views import day_staff
    from .door_views import staff
    from .views import bp

    return [bp, staff, day_staff]


@hookimpl
def portal_models():
    from .models import ArrivalPass, SigningKey

    return [ArrivalPass, SigningKey]


@hookimpl
def portal_cli_commands():
    from .cli import arrival_cli

    return [arrival_cli]


@hookimpl
def portal_init_app(app):
    from .views import pass_address

    # A QR code's alphanumeric mode has upper-case letters only, so the pass's address is /P/<CODE>.
    app.add_url_rule("/P/<code>", "arrival_pass_address", pass_address)


@hookimpl
def portal_event_handlers():
    from .issuing import appointment_changed

    return {"appointments.changed": appointment_changed}


def _pass_on_result(public_id):
    from .issuing import pass_on_result

    return pass_on_result(public_id)


def _arrived(public_id):
    from .issuing import arrived

    return arrived(public_id)


def _letter_code(public_id):
    from .answers import letter_code

    return letter_code(public_id)


def _letter_text(public_id):
    from .answers import letter_text

    return letter_text(public_id)


def _client_address(public_id):
    from .answers import client_address

    return client_address(public_id)


def _export_columns(public_ids):
    from .answers import export_columns

    return export_columns(public_ids)


@hookimpl
def portal_slot_answers():
    return {"appointments.result": _pass_on_result, "appointments.arrived": _arrived,
            "appointments.letter_code": _letter_code,
            "appointments.letter_text": _letter_text, "appointments.client_address": _client_address,
            "appointments.export": _export_columns}


@hookimpl
def portal_home_tiles():
    return [toolkit.Tile(title=_l("Einlasskarte"),
                         text=_l("Was der QR-Code auf Ihrem Einladungsschreiben bedeutet und wann Sie kommen."),
                         endpoint="arrival.about", order=15)]


@hookimpl
def portal_staff_menu():
    return [toolkit.StaffMenuItem(title=_l("Einlass"), endpoint="arrival_staff.door", role="door", order=60),
            toolkit.StaffMenuItem(title=_l("Tag am Eingang"), endpoint="arrival_staff_day.index", role="caseworker",
                                  order=61)]


@hookimpl
def portal_purge_expired(session, now):
    from .models import ArrivalPass

    last_kept = now.date() - timedelta(days=toolkit.plugin_settings("arrival")["retention_days"])
    return session.execute(delete(ArrivalPass).where(ArrivalPass.day < last_kept)).rowcount
