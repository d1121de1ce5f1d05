"""The JSON lookup for kiosks and the municipality's app, and its OpenAPI description.

It sits under the public blueprint, so the language in the address chooses
the language of the texts. It reads no cookies and keeps no session, so it
needs no CSRF token.
"""

from __future__ import annotations

from datetime import date

from flask import jsonify, request

from portal import toolkit
from portal.toolkit import _

from .display import describe
from .forms import reference_problem
from .matching import normalize_reference
from .statuses import ANSWER_CODES
from .views import bp, lookup_by_birth_date, lookup_limits, mark_lookup_failed, not_found_message, result_links

API_VERSION = "1.0.0"


def _error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": code, "message": message, "status": status}
    if fields:
        body["fields"] = fields
    return jsonify(body), status


def _read_lookup(body: dict) -> tuple[str, date | None, dict]:
    """Return the normalized reference, the date of birth and a problem per field."""
    problems = {}
    raw_reference = body.get("reference")
    reference = normalize_reference(raw_reference) if isinstance(raw_reference, str) else ""
    problem = reference_problem(reference)
    if problem:
        problems["reference"] = problem
    raw_date = body.get("birth_date")
    raw_date = toolkit.ascii_digits(raw_date) if isinstance(raw_date, str) else None
    try:
        # Only the extended form 1985-03-27; fromisoformat would also take 19850327.
        birth_date = date.fromisoformat(raw_date) if raw_date and len(raw_date) == 10 else None
    except ValueError:
        birth_date = None
    if birth_date is None:
        problems["birth_date"] = _("Bitte geben Sie das Geburtsdatum im Format JJJJ-MM-TT an.")
    else:
        problem = toolkit.birth_date_problem(birth_date)
        if problem:
            problems["birth_date"] = problem
    return reference, birth_date, problems


@bp.route("/api/v1/lookup", methods=["POST"])
@toolkit.csrf.exempt
@toolkit.stateless
@lookup_limits
def api_lookup():
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        mark_lookup_failed()
        return _error(400, "bad_request", _("Bitte senden Sie ein JSON-Objekt mit reference und birth_date."))
    reference, birth_date, problems = _read_lookup(body)
    if problems:
        mark_lookup_failed()
        return _error(422, "invalid", _("Bitte korrigieren Sie Ihre Angaben."), problems)
    appointment = lookup_by_birth_date(reference, birth_date)
    if appointment is None:
        mark_lookup_failed()
        return _error(404, "not_found", not_found_message())
    facts = describe(appointment, appointment.given_back)
    links = result_links(appointment, facts, external=True)
    return jsonify({
        "reference": facts["reference"],
        "language": toolkit.current_language(),
        "service": {"id": facts["service"], "name": facts["service_name"]},
        "status": {"code": facts["status"], "label": facts["status_label"], "explanation": facts["explanation"],
                   "next_step": facts["next_step"]},
        "starts_at": facts["start"].isoformat() if facts["start"] else None,
        "date_text": facts["date_text"] or None,
        "time_text": facts["time_text"] or None,
        "place": {"building": facts["building"], "room": facts["room"], "text": facts["place"]},
        "persons_allowed": facts["persons_allowed"],
        "print_url": links["print_url"],
        "calendar_url": links["calendar_url"],
    })


@bp.route("/api/v1/openapi.json")
def openapi():
    return jsonify(openapi_document())


PROBLEM = {
    "type": "object",
    "required": ["error", "message", "status"],
    "properties": {
        "error": {"type": "string", "description": "A code such as not_found, or the title of the error page."},
        "message": {"type": "string", "description": "A sentence for the client, in the chosen language."},
        "status": {"type": "integer"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "For 422: what is wrong with each field."},
    },
}


def _json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document() -> dict:
    """Return the OpenAPI 3 description of the lookup API."""
    office = toolkit.portal_settings()["office"]
    nullable_string = {"type": ["string", "null"]}
    appointment = {
        "type": "object",
        "required": ["reference", "language", "service", "status", "starts_at", "place", "persons_allowed",
                     "print_url", "calendar_url"],
        "properties": {
            "reference": {"type": "string"},
            "language": {"type": "string"},
            "service": {"type": "object", "required": ["id", "name"],
                        "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
            "status": {"type": "object", "required": ["code", "label", "explanation", "next_step"],
                       "properties": {"code": {"type": "string", "enum": list(ANSWER_CODES)},
                                      "label": {"type": "string"}, "explanation": {"type": "string"},
                                      "next_step": {"type": "string"}}},
            "starts_at": {**nullable_string, "format": "date-time",
                          "description": "Start on the office's clock, with its UTC offset; null without a date. A "
                                         "date the client gave back keeps it, with the status code cancelled."},
            "date_text": nullable_string,
            "time_text": nullable_string,
            "place": {"type": "object", "required": ["building", "room", "text"],
                      "properties": {"building": {"type": "string"}, "room": {"type": "string"},
                                     "text": {"type": "string"}}},
            "persons_allowed": {"type": "integer", "minimum": 1, "maximum": 2},
            "print_url": {"type": "string", "format": "uri",
                          "description": "A page to show or print the appointment; valid for a limited time."},
            "calendar_url": {**nullable_string, "format": "uri",
                             "description": "The appointment as an .ics file; null without a visit to come."},
        },
    }
    language = {"name": "lang", "in": "path", "required": True,
                "description": "Language of the texts in the answer.",
                "schema": {"type": "string", "enum": toolkit.enabled_languages()}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{office['name']}: appointment lookup",
            "version": API_VERSION,
            "description": "Look up an appointment with the reference on the invitation letter and the client's "
                           "date of birth. Both must match; every mismatch gets the same 404 answer. Failed "
                           "lookups are limited per address and per reference (429 when exceeded). Send "
                           "`Accept: application/json`, so that errors the portal answers before the lookup "
                           "(400, 413, 503) come as JSON too.",
        },
        "paths": {
            "/{lang}/appointments/api/v1/lookup": {
                "post": {
                    "operationId": "lookupAppointment",
                    "parameters": [language],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["reference", "birth_date"],
                        "properties": {"reference": {"type": "string", "examples": ["M-100001"]},
                                       "birth_date": {"type": "string", "format": "date",
                                                      "examples": ["1985-03-27"]}},
                    }}}},
                    "responses": {
                        "200": _json_response("The appointment.", appointment),
                        "400": _json_response("The body is not a JSON object, or holds a NUL character.", PROBLEM),
                        "404": _json_response("No appointment matches reference and date of birth.", PROBLEM),
                        "413": _json_response("The body is too large.", PROBLEM),
                        "422": _json_response("A field is missing or malformed; `fields` says which.", PROBLEM),
                        "429": _json_response("Too many failed lookups; try again after Retry-After seconds.",
                                              PROBLEM),
                        "503": _json_response("The service is unavailable for a moment.", PROBLEM),
                    },
                },
            },
        },
    }
