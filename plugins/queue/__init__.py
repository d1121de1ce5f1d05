"""Queue: the waiting room. Tickets per queue and location, called by desks, followed by clients on their phones.

Queues and desks are configured in the plugin's settings (settings.py). A
ticket is issued when the arrival plugin checks a pass in (event
``arrival.checked_in``), or by staff at the Service Point for a walk-in.
Desks call, recall, serve, transfer and end tickets (service.py, desk_views.py);
the client follows the ticket at ``/<lang>/queue/t/<token>`` (views.py), a
screen in the waiting room shows the calls (display_views.py). Each
change advances the live topic ``queue:<location>``. See docs/queue.md.
"""

from portal import toolkit
from portal.toolkit import _l, hookimpl

# A ticket's state as the audit log names it, with the desk page's words for a called ticket and one in service.
TICKET_STATES = {
    # Translators: the state of a waiting number, in the staff audit log
    "waiting": _l("wartet"),
    "called": _l("aufgerufen"),
    "in_service": _l("in Bearbeitung"),
    # Translators: the state of a waiting number, in the staff audit log
    "done": _l("abgeschlossen"),
    # Translators: the state of a waiting number whose client did not come when called, in the staff audit log
    "missed": _l("nicht erschienen"),
    # Translators: the state of a waiting number sent on to another queue or desk, in the staff audit log
    "transferred": _l("weitergeleitet"),
    # Translators: the state of a waiting number whose appointment was cancelled while the client waited, in the
    # staff audit log
    "withdrawn": _l("Termin abgesagt"),
}


def _ticket_state(state: str) -> str:
    """Return a ticket state's name; KeyError for one the plugin no longer knows."""
    return str(TICKET_STATES[state])


def _queue_title(slug: str) -> str:
    """Return a configured queue's title in the reader's language; KeyError for one since removed."""
    from .service import find_queue

    queue = find_queue(slug)
    if queue is None:
        raise KeyError(slug)
    return queue.title


def _desk_name(slug: str) -> str:
    """Return a configured desk's name; KeyError for one since removed."""
    from .service import find_desk

    desk = find_desk(slug)
    if desk is None:
        raise KeyError(slug)
    return desk.name


# The audit log's words for the entries of service.py (issue, call, change) and mediation.py.
TICKET = toolkit.AuditTarget(
    "queue_ticket",
    actions={"create": _l("Wartenummer ausgegeben"), "call": _l("Nummer aufgerufen"),
             "recall": _l("Nummer erneut aufgerufen"), "missed": _l("Nummer als nicht erschienen markiert"),
             "start": _l("Bearbeitung der Nummer begonnen"), "finish": _l("Nummer erledigt"),
             "urgent": _l("Nummer als dringend markiert"), "not_urgent": _l("Nummer nicht mehr als dringend markiert"),
             "transfer": _l("Nummer weitergeleitet"), "mediator_help": _l("Sprachmittlung übernommen"),
             "mediator_stop": _l("Sprachmittlung beendet"),
             "appointment_moved": _l("Termin am selben Tag verschoben: Reihenfolge angepasst"),
             "withdraw": _l("Termin abgesagt: Nummer beendet")},
    fields={"number": _l("Nummer"), "queue": _l("Warteschlange"), "state": _l("Stand"), "urgent": _l("Dringend"),
            "desk": _l("Platz"), "recalls": _l("Erneut aufgerufen"), "interpreter_language": _l("Sprachmittlung")},
    values={"queue": _queue_title, "state": _ticket_state, "desk": _desk_name,
            "interpreter_language": toolkit.readable_languages},
)

plugin_info = toolkit.PluginInfo(
    name="queue",
    title=_l("Wartebereich"),
    description=_l("Wartenummern für eingecheckte und spontane Kundschaft, aufgerufen von den Plätzen."),
    version="0.1.0",
    requires_core=">=1.0,<2",
    roles=("caseworker",),
    audit_targets=(TICKET,),
)


@hookimpl
def portal_settings_model():
    from .settings import QueueSettings

    return QueueSettings


@hookimpl
def portal_blueprints():
    from . import display_views, open_data, stats_views  # noqa: F401 - they add their pages to the blueprints
    from .desk_views import staff
    from .entrance_views import entrance
    from .mediation import mediation
    from .views import bp

    return [bp, staff, mediation, entrance]


@hookimpl
def portal_models():
    from .models import Counter, DailyFigures, Ticket

    return [Ticket, Counter, DailyFigures]


@hookimpl
def portal_event_handlers():
    from .arrival_bridge import checked_in, revoked

    return {"arrival.checked_in": checked_in, "arrival.revoked": revoked}


def _door(kind, public_id):
    from .arrival_bridge import door_answer

    return door_answer(kind, public_id)


def _pass(state, public_id):
    from .arrival_bridge import pass_answer

    return pass_answer(state, public_id)


def _call_displays():
    from .display_views import dashboard_links

    return dashboard_links()


def _duty(languages, location, return_to):
    from .mediation import duty_answer

    return duty_answer(languages, location, return_to)


def _home():
    from .open_data import home_answer

    return home_answer()


@hookimpl
def portal_slot_answers():
    return {"arrival.door": _door, "arrival.pass": _pass, "staff_dashboard": _call_displays,
            "interpreters.duty": _duty, "home": _home}


@hookimpl
def portal_staff_menu():
    items = [toolkit.StaffMenuItem(title=_l("Wartebereich"), endpoint="queue_staff.index", role="caseworker",
                                   order=55)]
    if toolkit.plugin_settings("queue")["walk_ins"]:
        items.append(toolkit.StaffMenuItem(title=_l("Wartenummer für Laufkundschaft ausgeben"),
                                           endpoint="queue_staff_entrance.walk_in", role="door", order=65))
    return items


@hookimpl
def portal_demo_data(session):
    from .demo import add_demo_tickets

    add_demo_tickets(session)


@hookimpl
def portal_purge_expired(session, now):
    from .statistics import purge_keeping_figures

    return purge_keeping_figures(session, now)
