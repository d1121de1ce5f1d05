"""The public side of the waiting times: the home page's current wait per queue and the open data feed.

The feed (CSV and JSON) gives, per day, hour of arrival and queue, how many
clients were called and their mean wait in minutes; hours with fewer than
three clients are left out (statistics.py). It covers the finished days of
the last year: from the tickets while they are kept, then from the day's
figures the purge keeps.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, jsonify, render_template
from markupsafe import Markup

from portal import toolkit

from . import service, statistics
from .views import bp

# Published data changes once a day: browsers and proxies may keep it an hour.
OPEN_DATA_CACHE = "public, max-age=3600"
# How many finished days the feed covers.
OPEN_DATA_DAYS = 365


def home_answer() -> Markup:
    """Answer the core's home slot: the wait a client arriving now may expect, per queue open today.

    Outside the opening hours there is none: numbers left waiting after closing (or from the morning of a day
    open only then) would promise a wait to someone who finds the door shut.
    """
    appointments_only = not any(service.takes_walk_ins(queue) for queue in service.queues())
    now = toolkit.office_now()
    is_open = toolkit.office_open_at(now.date(), now.time())
    return Markup(render_template("queue/_home.html", waits=statistics.current_waits(now) if is_open else [],
                                  is_open=is_open, appointments_only=appointments_only))


def _days():
    today = toolkit.office_today()
    return today - timedelta(days=OPEN_DATA_DAYS), today - timedelta(days=1)


@bp.get("/waiting-times")
def waiting_times():
    """Explain the open data of waiting times and link its files."""
    first, last = _days()
    return render_template("queue/waiting_times.html", first=first, last=last,
                           minimum=statistics.OPEN_DATA_MIN_CLIENTS)


@bp.get("/waiting-times.csv")
def waiting_times_csv():
    """Serve the anonymised waiting times per hour and queue as CSV."""
    response = Response(toolkit.write_csv(statistics.OPEN_DATA_HEADER, statistics.open_data_rows(*_days())),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="waiting-times.csv"'
    response.headers["Cache-Control"] = OPEN_DATA_CACHE
    return response


@bp.get("/waiting-times.json")
def waiting_times_json():
    """Serve the anonymised waiting times per hour and queue as JSON."""
    first, last = _days()
    response = jsonify({"first_day": first.isoformat(), "last_day": last.isoformat(),
                        "minimum_clients": statistics.OPEN_DATA_MIN_CLIENTS,
                        "hours": [dict(zip(statistics.OPEN_DATA_HEADER, row, strict=True))
                                  for row in statistics.open_data_rows(first, last)]})
    response.headers["Cache-Control"] = OPEN_DATA_CACHE
    return response
