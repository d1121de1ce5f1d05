"""Localized error pages, each with the emergency contact; database outages answer 503.

A form that failed only for the moment (a database outage, a rate limit, a public page's
expired form token) is not lost: the error page offers to send it again (portal/keptforms.py).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from flask import Flask, abort, current_app, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError, ServiceUnavailable

from .blueprints import PortalBlueprint
from .content import mark_source_names
from .db import session as db_session
from .db import utcnow
from .extensions import limiter
from .i18n import current_language, language_from_tag, preferred_language
from .keptforms import KeptForm
from .lookups import ReferenceLocked
from .pages import is_public_page
from .staff.auth import current_staff, sign_in_again
from .submissions import SENDING_KEY_FIELD, new_sending_key

log = logging.getLogger(__name__)


def _texts(code: int) -> tuple[str, str]:
    texts = {
        400: (_("Die Anfrage war fehlerhaft"),
              _("Die Seite konnte Ihre Angaben nicht verarbeiten. Bitte gehen Sie zurück und versuchen Sie es noch "
                "einmal.")),
        403: (_("Kein Zugriff"), _("Für diese Seite fehlt Ihnen die Berechtigung.")),
        404: (_("Seite nicht gefunden"),
              _("Diese Seite gibt es nicht. Vielleicht ist der Link veraltet oder falsch abgeschrieben.")),
        405: (_("Nicht erlaubt"), _("Diese Seite kann so nicht aufgerufen werden.")),
        413: (_("Zu viele Daten"), _("Die gesendete Datei oder der Text ist zu groß.")),
        429: (_("Zu viele Anfragen"),
              _("Sie haben in kurzer Zeit zu viele Anfragen gestellt. Bitte warten Sie einige Minuten und versuchen "
                "Sie es dann noch einmal.")),
        500: (_("Ein Fehler ist aufgetreten"),
              _("Auf unserer Seite ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal.")),
        503: (_("Vorübergehend nicht verfügbar"),
              _("Dieser Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten noch einmal.")),
    }
    return texts.get(code, texts[500] if code >= 500 else texts[400])


def seconds_to_wait(exc: HTTPException) -> float | None:
    """Return in how many seconds a refused request may be sent again, when the limit that refused it says."""
    until = getattr(exc, "retry_after", None)
    if isinstance(until, datetime):
        return (until - utcnow()).total_seconds()
    if isinstance(until, int):
        return until
    refused_by = limiter.current_limit
    return refused_by.reset_at - time.time() if refused_by is not None and refused_by.breached else None


def too_many_requests_message(exc: HTTPException) -> str:
    """Return what a refused visitor reads: how long to wait, in minutes, when the limit that refused them says."""
    return _wait_message(exc, seconds_to_wait(exc))


def too_many_requests_title(exc: HTTPException) -> str:
    """Return the refusal page's title: a locked reference is no visitor's fault, so it is not "too many requests"."""
    return _("Abfrage vorübergehend gesperrt") if isinstance(exc, ReferenceLocked) else _texts(429)[0]


def _wait_message(exc: HTTPException, seconds: float | None) -> str:
    if seconds is None:
        return _texts(429)[1]
    minutes = max(1, math.ceil(seconds / 60))
    if isinstance(exc, ReferenceLocked):
        # Anyone may have tried the number printed on a letter: the visitor is not told they sent too much.
        return ngettext("Zu dieser Nummer wurde zu oft ein falsches Geburtsdatum eingegeben, vielleicht nicht von "
                        "Ihnen. Zum Schutz Ihrer Daten ist die Abfrage vorübergehend gesperrt. Bitte warten Sie "
                        "%(num)d Minute und versuchen Sie es dann noch einmal.",
                        "Zu dieser Nummer wurde zu oft ein falsches Geburtsdatum eingegeben, vielleicht nicht von "
                        "Ihnen. Zum Schutz Ihrer Daten ist die Abfrage vorübergehend gesperrt. Bitte warten Sie "
                        "%(num)d Minuten und versuchen Sie es dann noch einmal.", minutes)
    return ngettext("Sie haben in kurzer Zeit zu viele Anfragen gestellt. Bitte warten Sie %(num)d Minute und "
                    "versuchen Sie es dann noch einmal.",
                    "Sie haben in kurzer Zeit zu viele Anfragen gestellt. Bitte warten Sie %(num)d Minuten und "
                    "versuchen Sie es dann noch einmal.", minutes)


def wants_json() -> bool:
    """Tell whether the caller is an API client rather than a browser."""
    # Plugins serve their APIs under /<lang>/<plugin>/api/.
    return "/api/" in request.path or request.accept_mimetypes.best == "application/json"


def render_error(code: int, detail: str | None = None, next_step: tuple[str, str] | None = None,
                 title: str | None = None):
    """Answer with the localized error page (or JSON for API clients) for a status code.

    ``next_step``: the address and label of what to do instead (look the appointment up again, say), offered
    before the way home. ``title``: instead of the status code's own.
    """
    return _error_response(code, detail, next_step=next_step, title=title)


def deleted_meanwhile(save_as_new: str, name: str | None = None):
    """Answer a request for a record that is gone: 404, or for an edit form sent after the record was deleted, 410
    offering what was typed to the form at save_as_new, which makes a new record of it, and naming the record as the
    sent form names it (name: its title, its term), for someone with several forms open."""
    if request.method != "POST":
        abort(404)
    kept = KeptForm.of_request() if g.get("csrf_valid") else None
    if kept is not None:
        # The deleted record's version means nothing to a new one, and the button pressed on the old form (publish,
        # say) is not pressed again: the new record is saved as its form's plain save does, for another look. The
        # copy is a page of its own: the key of the page that made the deleted record would only answer with it.
        kept = replace(kept, action=save_as_new, fields=tuple(
            (name, new_sending_key() if name == SENDING_KEY_FIELD else value)
            for name, value in kept.fields if name not in ("version", "action")))
    if name:
        what_happened = mark_source_names(_("Jemand hat den Eintrag „%(name)s“ gelöscht, seit Sie das Formular "
                                            "geöffnet haben.", name=name), current_language(), name)
    else:
        what_happened = _("Jemand hat diesen Eintrag gelöscht, seit Sie das Formular geöffnet haben.")
    return _error_response(
        410, what_happened, kept,
        _("Ihre Eingaben sind nicht verloren: Sie können sie als neuen Eintrag speichern."),
        title=_("Inzwischen gelöscht"), kept_label=_("Als neuen Eintrag speichern"))


def answer_with_stored(model, record_id: int, answer: Callable, save_as_new: str, name: str | None = None):
    """Answer with the record as stored now, answer(record) (a form sent again, a colleague's save first); or, with
    the record deleted meanwhile, as deleted_meanwhile(save_as_new, name) does."""
    record = db_session().get(model, record_id, populate_existing=True)
    if record is None:
        return deleted_meanwhile(save_as_new, name)
    return answer(record)


def _error_response(code: int, detail: str | None = None, kept: KeptForm | None = None, kept_note: str = "",
                    next_step: tuple[str, str] | None = None, title: str | None = None, kept_label: str = ""):
    if "lang" not in g:
        # An unknown page under a language prefix still answers in that language.
        prefix = request.path.strip("/").split("/", 1)[0]
        g.lang = language_from_tag(prefix) or preferred_language()
    default_title, message = _texts(code)
    title = title or default_title
    if detail:
        message = detail
    if wants_json():
        return make_response(jsonify(error=title, message=message, status=code), code)
    if kept is None and code in (429, 503):
        # Sent again in a few minutes, the same form can go through. A staff form may be offered after an outage
        # only: after its rate limit it is a sign-in, whose password is never kept.
        kept = _form_to_send_again(staff_forms=code == 503)
        if not kept:
            kept_note = ""
        elif code == 429:
            kept_note = _("Ihre Eingaben sind nicht verloren: Senden Sie sie nach der Wartezeit mit der Schaltfläche "
                          "unten noch einmal.")
        else:
            kept_note = _("Ihre Eingaben sind nicht verloren: Senden Sie sie in einigen Minuten mit der Schaltfläche "
                          "unten noch einmal.")
    response = make_response(_error_page(code, title, message, kept, kept_note, next_step, kept_label), code)
    if kept:
        # The page holds what the person typed: no cache keeps it.
        response.headers["Cache-Control"] = "no-store"
    return response


def _form_to_send_again(*, staff_forms: bool) -> KeptForm | None:
    """Return the sent form an error page may offer again: one that passed its CSRF check, or a public page's."""
    # A staff form that failed its check may be another site's: offering it would turn a forged request into a
    # click (unless the browser proves otherwise: _form_proven_from_this_site). A public page's forms act for
    # nobody in particular, so their fields are safe to offer back, but only to a form sent from this site: the
    # offer's new form token starts a session, whose cookie would replace the one of whoever another site made
    # send it (and sign a staff member out).
    if not ((staff_forms and g.get("csrf_valid")) or (is_public_page() and _sent_from_this_site())):
        return None
    return KeptForm.of_request()


def _sent_from_this_site(*, when_unsaid: bool = True) -> bool:
    """Tell whether the browser says one of the portal's pages sent this request (when_unsaid: if it says nothing)."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from == "same-origin"
    origin = request.headers.get("Origin")
    # Browsers too old to send either header get when_unsaid; the session cookie's SameSite=Lax still holds.
    return when_unsaid if origin is None else origin == request.host_url.rstrip("/")


def _form_proven_from_this_site() -> KeptForm | None:
    """Return a form whose token failed when the browser proves that one of the portal's pages sent it."""
    # A staff form's token goes with a session since replaced, as when the person signed in again in another
    # window. No other site can make a browser send Sec-Fetch-Site: same-origin or this site's Origin, so the form
    # is the person's own; from a browser that sends neither it might be another site's, and gets no offer.
    return KeptForm.of_request() if _sent_from_this_site(when_unsaid=False) else None


def _staff_page_signed_in() -> bool:
    """Tell whether the error answers a staff page for someone signed in, who keeps the staff menu and way back."""
    rule = request.url_rule
    blueprint = current_app.blueprints.get(rule.endpoint.rpartition(".")[0]) if rule else None
    return isinstance(blueprint, PortalBlueprint) and blueprint.kind == "staff" and current_staff() is not None


def _error_page(code: int, title: str, message: str, kept: KeptForm | None = None, kept_note: str = "",
                next_step: tuple[str, str] | None = None, kept_label: str = "") -> str:
    """Render the full error page; when that fails too, a bare one that still names the emergency contact."""
    # Without a trusted host there are no addresses to build, so only the bare page can be made.
    if not isinstance(request.routing_exception, SecurityError):
        try:
            return render_template("errors/error.html", code=code, title=title, message=message, kept=kept,
                                   kept_note=kept_note, kept_label=kept_label, next_step=next_step,
                                   staff=code < 500 and _staff_page_signed_in())
        except Exception:  # the page's navigation, slots or links may be what failed; the visitor still needs help
            log.exception("error page for %s failed; answering with the minimal one", code)
        try:
            return render_template("errors/minimal.html", code=code, title=title, message=message)
        except Exception:
            log.exception("minimal error page for %s failed", code)
    office = current_app.config["PORTAL"]["office"]
    email = escape(office["emergency_email"])
    return (f'<!doctype html><meta charset="utf-8"><title>{escape(title)}</title><h1>{escape(title)}</h1>'
            f'<p>{escape(message)}</p><p><a href="mailto:{email}">{email}</a></p>')


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        # Asked once: for a Flask-Limiter limit the answer comes from its storage.
        seconds = seconds_to_wait(exc) if exc.code == 429 else None
        if exc.code == 429:
            response = render_error(429, _wait_message(exc, seconds), title=too_many_requests_title(exc))
        else:
            response = render_error(exc.code or 500)
        if exc.code in (429, 503):
            response.headers["Retry-After"] = str(math.ceil(seconds)) if seconds and seconds > 0 else "120"
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(_exc):
        if request.endpoint == "staff.login" and _sent_from_this_site(when_unsaid=False):
            # Offering a sign-in back would ask for the password anyway: the sign-in page asks at once.
            return sign_in_again()
        kept = _form_to_send_again(staff_forms=False) or _form_proven_from_this_site()
        if kept is None:
            return render_error(400, _("Das Formular ist abgelaufen oder wurde nicht vollständig gesendet. Bitte "
                                       "laden Sie die Seite neu und senden Sie es noch einmal."))
        if KeptForm.is_copy():
            # The copy came without a valid token too: the browser keeps no cookie for the portal.
            return _error_response(400, _(
                "Auch dieses Mal kam das Formular ohne sein Cookie an. Diese Seite braucht ein Cookie, damit "
                "niemand anderes Formulare in Ihrem Namen senden kann; es speichert nichts über Sie."), kept, _(
                "Bitte erlauben Sie Cookies für diese Seite und senden Sie Ihre Eingaben dann noch einmal."))
        if is_public_page():
            cause = _("Das Formular war zu lange geöffnet, oder Ihr Browser hat sein Cookie gelöscht.")
        else:
            cause = _("Seit Sie dieses Formular geöffnet haben, hat sich Ihre Anmeldung geändert, zum Beispiel durch "
                      "eine neue Anmeldung in einem anderen Fenster.")
        return _error_response(400, cause, kept, _(
            "Ihre Eingaben sind nicht verloren: Senden Sie sie mit der Schaltfläche unten noch einmal."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeoutError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(exc):
        log.error("database unavailable: %s", exc)
        try:
            db_session().rollback()
        except Exception:  # the connection itself may be gone; the pool replaces it later
            log.debug("rollback after database error failed", exc_info=True)
        return _http_error(ServiceUnavailable())

    @app.errorhandler(InternalServerError)
    def _internal_error(exc):
        return _http_error(exc)
