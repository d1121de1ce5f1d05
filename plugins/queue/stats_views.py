"""Staff statistics of the waiting room (role caseworker): waits, service times and missed clients, with CSV."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, render_template, request
from wtforms import SelectField

from portal import toolkit
from portal.toolkit import _, _l, ngettext

from . import service, statistics
from .desk_views import staff

# Days older than the tickets' retention count from the figures the purge keeps (queue_daily).
SPANS = (1, 7, 30, 90, 365)
CSV_HEADER = ("group", "key", "clients", "mean_wait_minutes", "longest_wait_minutes", "mean_service_minutes",
              "missed")


class SpanForm(toolkit.Form):
    """Choose the days to count: a GET form that changes nothing, so it has no CSRF token."""

    class Meta:
        csrf = False

    days = SelectField(_l("Zeitraum"), default="7", choices=[],
                       invalid_choice_message=_l("Bitte aus der Liste wählen."))


def _form() -> SpanForm:
    form = SpanForm(request.args)
    form.days.choices = [(str(days), _("heute") if days == 1 else ngettext("der letzte %(num)d Tag",
                                                                           "die letzten %(num)d Tage", days))
                         for days in SPANS]
    return form


def _span(form: SpanForm):
    today = toolkit.office_today()
    return today - timedelta(days=int(form.days.data) - 1), today


@staff.get("/statistics")
def statistics_page():
    """Show waiting and service times per hour, queue and desk, missed clients and check-ins against windows."""
    form = _form()
    if not form.validate():
        return render_template("queue/staff/statistics.html", form=form, figures=None), 422
    first, last = _span(form)
    return render_template("queue/staff/statistics.html", form=form, figures=statistics.staff_statistics(first, last),
                           first=first, last=last, queues={queue.slug: queue.title for queue in service.queues()},
                           desks={desk.slug: desk.name for desk in service.desks()})


@staff.get("/statistics.csv")
def statistics_csv():
    """Export the statistics of the chosen days as CSV (no tickets, only counts and minutes per group)."""
    form = _form()
    if not form.validate():
        return render_template("queue/staff/statistics.html", form=form, figures=None), 422
    figures = statistics.staff_statistics(*_span(form))
    rows = [(group, key, item.clients, item.mean_wait, item.longest_wait, item.mean_service, item.missed)
            for group, table in (("hour", figures.by_hour), ("queue", figures.by_queue), ("desk", figures.by_desk))
            for key, item in sorted(table.items())]
    rows += [("check_in", "early", figures.early, "", "", "", ""),
             ("check_in", "in_window", figures.in_window, "", "", "", ""),
             ("check_in", "without_window", figures.without_window, "", "", "", "")]
    response = Response(toolkit.write_csv(CSV_HEADER, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="queue-statistics.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
