"""Public pages: the appointment lookup, the result page to print, and the calendar file."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, g, jsonify, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from sqlalchemy import Row
from werkzeug.exceptions import NotFound, TooManyRequests

from portal import toolkit
from portal.toolkit import _

from .display import describe
from .forms import LookupForm
from .ics import calendar_file
from .matching import REFERENCE_LIMIT, appointment_for_token, find_appointment, normalize_reference, result_token
from .models import Appointment
from .selfservice import panel as selfservice_panel
from .statuses import STATUSES

bp = toolkit.public_blueprint("appointments", __name__)


def _settings() -> dict:
    return toolkit.plugin_settings("appointments")


def not_found_message() -> str:
    """Return the one answer for a lookup that found nothing, whatever did not match."""
    return _("Wir haben zu diesen Angaben keinen Termin gefunden. Bitte prüfen Sie die Vorgangsnummer und Ihr "
             "Geburtsdatum: Beides muss genau so sein wie in Ihrem Einladungsschreiben.")


def mark_lookup_failed() -> None:
    """Count this lookup against the rate limits (successful lookups do not use them up)."""
    g.appointments_lookup_failed = True


def _lookup_failed(_response) -> bool:
    return g.get("appointments_lookup_failed", False)


def lookup_limits(view):
    """Apply the per-address limit (an IPv6 /64 counts as one address), shared by the form and the JSON API."""
    return toolkit.limiter.shared_limit(toolkit.client_limit(lambda: _settings()["rate_limit_per_address"]),
                                        scope="appointments-lookup-address", methods=["POST"],
                                        deduct_when=_lookup_failed)(view)


def lookup_by_birth_date(reference: str, birth_date) -> Row | None:
    """Find the appointment's row unless the reference is locked by failed lookups (429); count a miss."""
    return REFERENCE_LIMIT.lookup(reference, lambda: find_appointment(reference, birth_date))


def arrived(facts: dict) -> bool:
    """Tell whether the client of a visit still to come is already in the building (another plugin knows)."""
    return facts["attendable"] and any(toolkit.slot_values("appointments.arrived", public_id=facts["public_id"]))


def result_links(appointment: Appointment | Row, facts: dict, external: bool = False,
                 token: str | None = None) -> dict:
    """Return the addresses of the printable result page and of the calendar file (None without a visit to come)."""
    token = token or result_token(appointment)
    return {
        "print_url": url_for("appointments.result", token=token, _external=external),
        "calendar_url": (url_for("appointments.calendar", token=token, _external=external)
                         if facts["attendable"] else None),
    }


@bp.route("/", methods=["GET", "POST"])
@toolkit.kept_form_page
@lookup_limits
def lookup():
    form = LookupForm()
    appointment, not_found = None, False
    if request.method == "GET":
        form.reference.data = normalize_reference(request.args.get("ref", ""))
    elif form.validate():
        appointment = lookup_by_birth_date(form.reference.data, form.birth_date.data)
        not_found = appointment is None
    if request.method == "POST" and appointment is None:
        mark_lookup_failed()
    if appointment is not None and not toolkit.is_htmx():
        # The whole page answers at its own address: Back, reloading and the language switch keep the result
        # rather than ask to send the form again.
        return redirect(url_for("appointments.result", token=result_token(appointment)), 303)
    if appointment is not None:
        announcement = _("Termin gefunden.")
    elif not_found:
        announcement = _("Kein Termin gefunden.")
    elif form.has_errors:
        announcement = _("Bitte korrigieren Sie Ihre Angaben.")
    else:
        announcement = ""
    context = {"form": form, "not_found": not_found, "not_found_message": not_found_message(),
               "announcement": announcement, "htmx": toolkit.is_htmx(), "rate_limited": False}
    if appointment is not None:
        facts = describe(appointment, appointment.given_back)
        links = result_links(appointment, facts)
        # The result page shows the same again without the date of birth (side by side in two languages, say).
        toolkit.set_result_address(links["print_url"])
        context |= {"facts": facts, **links, "selfservice": selfservice_panel(appointment),
                    "arrived": arrived(facts)}
    body = toolkit.render_page("appointments/lookup.html", block="lookup_region", **context)
    if appointment is not None:
        # The address bar shows the result's own address, as without JavaScript: Back from the print view or
        # the pass, and reloading, come back to the result instead of an empty form.
        return body, 200, {"HX-Push-Url": links["print_url"]}
    # htmx swaps only successful answers; the page without JavaScript gets the telling status code.
    if toolkit.is_htmx() or request.method == "GET":
        return body
    return body, 404 if not_found else 422


@bp.route("/leicht")
def easy():
    """Explain in Leichte Sprache how to check an appointment and what each answer means."""
    # The status names and the button as the German lookup and result pages show them.
    with force_locale(toolkit.EASY_LANGUAGE):
        labels = {code: str(status.label) for code, status in STATUSES.items()}
        button = _("Termin anzeigen")
    return render_template("appointments/easy.html", easy=toolkit.easy_text("appointments", "termin"),
                           labels=labels, button=button)


def _appointment_or_404(token: str) -> Row:
    appointment = appointment_for_token(token)
    if appointment is None:
        raise NotFound()
    return appointment


@bp.route("/result/<token>")
def result(token: str):
    appointment = _appointment_or_404(token)
    facts = describe(appointment, appointment.given_back)
    # The page's own token serves its calendar link: one signature less, and both links expire together.
    return toolkit.render_page("appointments/result.html", facts=facts,
                               **result_links(appointment, facts, token=token),
                               selfservice=selfservice_panel(appointment), arrived=arrived(facts))


@bp.route("/result/<token>/appointment.ics")
def calendar(token: str):
    appointment = _appointment_or_404(token)
    facts = describe(appointment, appointment.given_back)
    if not facts["attendable"]:
        raise NotFound()
    filename = appointment.reference.replace("/", "-")
    return Response(calendar_file(facts), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.ics"'})


@bp.errorhandler(NotFound)
def _expired_link(_exc):
    # The heading says what happened: many stop reading at "page not found", and the link was the portal's own.
    return toolkit.render_error(404, _("Dieser Link ist abgelaufen oder ungültig. Bitte fragen Sie Ihren Termin "
                                       "noch einmal ab."), next_step=(url_for(".lookup"), _("Termin prüfen")),
                                title=_("Link abgelaufen oder ungültig"))


@bp.errorhandler(TooManyRequests)
def _too_many_lookups(exc):
    response = make_response(_rate_limited_answer(toolkit.too_many_requests_message(exc),
                                                  toolkit.too_many_requests_title(exc)))
    # A reference locked by failed lookups says until when; the address limits set the header themselves.
    for name, value in exc.get_headers():
        if name == "Retry-After":
            response.headers.setdefault(name, value)
    return response


# Pages answering a lookup limit with their own form and what was typed, by endpoint; the others answer with an
# error page.
RATE_LIMITED_FORMS: dict[str, Callable[[str], ResponseReturnValue]] = {}


def _rate_limited_answer(message: str, title: str):
    if request.endpoint == "appointments.api_lookup":
        # The core answers JSON only under /api/; the lookup API lives under the plugin's own address.
        return jsonify(error="rate_limited", message=message, status=429), 429
    if request.endpoint == "appointments.lookup" and toolkit.is_htmx():
        # htmx swaps only successful answers; the form comes back with what was typed and the reason.
        return toolkit.render_page("appointments/lookup.html", block="lookup_region", form=LookupForm(),
                                   not_found=False, rate_limited=True, rate_limited_message=message,
                                   announcement=message, htmx=True)
    if request.endpoint in RATE_LIMITED_FORMS:
        return RATE_LIMITED_FORMS[request.endpoint](message)
    return toolkit.render_error(429, message, title=title)


@bp.after_request
def _keep_out_of_caches(response):
    # Answers may show an appointment; shared computers and proxies must not keep them.
    if request.endpoint != "appointments.openapi":
        response.headers["Cache-Control"] = "no-store"
    return response
