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

plugin_info = toolkit.PluginInfo(
    name="queue",
    title=_l("Wartebereich"),
    description=_l("Wartenummern für eingecheckte und spontane Kundschaft, aufgerufen von den Plätzen."),
    version="0.1.0",
    requires_core=">=1.0,<2",
    roles=("caseworker",),
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
    from .arrival_bridge import checked_in

    return {"arrival.checked_in": checked_in}


def _door(kind, service_group, public_id):
    from .arrival_bridge import door_answer

    return door_answer(kind, service_group, public_id)


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
