"""Public page: the closures of the coming days; the home page's note on the next one."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from portal import toolkit

from .models import Closure

bp = toolkit.public_blueprint("closures", __name__)


def coming_closures() -> list[Closure]:
    """Return the closures that last into today or begin within the configured days ahead, earliest first."""
    today = toolkit.office_today()
    horizon = today + timedelta(days=toolkit.plugin_settings("closures")["days_ahead"])
    query = (select(Closure).where(Closure.ends_on >= today, Closure.starts_on <= horizon)
             .order_by(Closure.starts_on, Closure.id))
    return list(toolkit.session().scalars(query))


@bp.route("/")
def index():
    return render_template("closures/index.html", closures=coming_closures(), reason=toolkit.pick_translation,
                           days_ahead=toolkit.plugin_settings("closures")["days_ahead"])


def next_closure_on_home():
    """Answer the core's 'home' slot with the next closure, if the settings ask for it and there is one."""
    if not toolkit.plugin_settings("closures")["show_on_home"]:
        return None
    closures = coming_closures()
    if not closures:
        return None
    return Markup(render_template("closures/_next.html", closure=closures[0], reason=toolkit.pick_translation))
