"""The JSON lookup API: answers, one not-found answer, no CSRF or session, rate limits, and its OpenAPI document."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from portal.testing import csrf_token

API = "/{lang}/appointments/api/v1/lookup"


def lookup(client, lang="de", address="10.1.0.1", **body):
    return client.post(f"/{lang}/appointments/api/v1/lookup", json=body, environ_base={"REMOTE_ADDR": address})


def test_lookup_answers_in_the_chosen_language_without_csrf_or_session(client, add_appointment):
    add_appointment("M-100001", date(1985, 3, 27), room="2.14")
    response = lookup(client, lang="de", reference="m-100001", birth_date="1985-03-27")
    assert response.status_code == 200
    body = response.get_json()
    assert body["reference"] == "M-100001"
    assert body["status"]["code"] == "scheduled" and body["status"]["label"] == "Termin steht fest"
    assert body["service"] == {"id": "residence-permit-extension", "name": "Verlängerung der Aufenthaltserlaubnis"}
    assert body["place"]["room"] == "2.14" and body["persons_allowed"] == 1
    assert body["starts_at"].endswith(("+01:00", "+02:00"))
    assert body["calendar_url"].startswith("http://localhost/de/appointments/result/")
    assert "birth_date" not in body and "1985" not in response.get_data(as_text=True)
    # No cookie other than the remembered language, and nothing signed into a session.
    cookies = [header.split("=")[0] for header in response.headers.getlist("Set-Cookie")]
    assert cookies in ([], ["portal_lang"])
    assert response.headers["Cache-Control"] == "no-store"


def test_a_date_the_client_gave_back_is_cancelled_with_its_date_and_no_calendar(client, add_appointment, open_result,
                                                                                act):
    add_appointment("M-100001", date(1985, 3, 27))
    _html, token = open_result(client)
    act(client, "cancel", token, wants_new_date="no")
    body = lookup(client, lang="de", reference="M-100001", birth_date="1985-03-27").get_json()
    assert body["status"]["code"] == "cancelled" and body["status"]["label"] == "Abgesagt"
    assert body["status"]["next_step"] == "Bitte kommen Sie nicht zu diesem Termin."
    assert body["starts_at"] and body["calendar_url"] is None


def test_every_mismatch_gets_the_same_json_answer(client, add_appointment):
    add_appointment("M-100001", date(1985, 3, 27))
    wrong_reference = lookup(client, reference="M-100002", birth_date="1985-03-27")
    wrong_date = lookup(client, reference="M-100001", birth_date="1985-03-28")
    assert wrong_reference.status_code == wrong_date.status_code == 404
    assert wrong_reference.get_json() == wrong_date.get_json()
    assert wrong_reference.get_json()["error"] == "not_found"


def test_a_reference_typed_in_cyrillic_is_read_as_latin_and_another_script_is_named(client, add_appointment):
    add_appointment("M-100001", date(1985, 3, 27))
    found = lookup(client, lang="ru", reference="М-100001", birth_date="1985-03-27")
    assert found.status_code == 200 and found.get_json()["reference"] == "M-100001"
    refused = lookup(client, lang="de", reference="Д-100001", birth_date="1985-03-27")
    assert refused.status_code == 422
    assert "lateinischen Buchstaben" in refused.get_json()["fields"]["reference"]


def test_malformed_requests_are_told_what_is_wrong(client):
    response = lookup(client, reference="", birth_date="27.03.1985")
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"reference", "birth_date"}
    response = client.post("/de/appointments/api/v1/lookup", data="reference=M-1", content_type="text/plain")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_rate_limit_answers_json_and_is_shared_with_the_form(app, client):
    settings_ = app.config["PORTAL"]["plugin_settings"]["appointments"]
    settings_["rate_limit_per_reference"] = "2 per hour"
    try:
        assert lookup(client, reference="M-555555", birth_date="1980-01-01", address="10.2.0.1").status_code == 404
        assert lookup(client, reference="M-555555", birth_date="1980-01-02", address="10.2.0.2").status_code == 404
        blocked = lookup(client, lang="en", reference="m-555555", birth_date="1980-01-03", address="10.2.0.3")
        assert blocked.status_code == 429
        assert blocked.get_json()["error"] == "rate_limited"
        assert "Retry-After" in blocked.headers
        form = client.post("/de/appointments/", environ_base={"REMOTE_ADDR": "10.2.0.4"},
                           data={"reference": "M 555555", "day": "4", "month": "1", "year": "1980",
                                 "csrf_token": csrf_token(client, "/de/appointments/")})
        assert form.status_code == 429 and form.mimetype == "text/html"
    finally:
        settings_["rate_limit_per_reference"] = "10 per hour"


def test_openapi_document_is_served_and_valid(client):
    response = client.get("/en/appointments/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    schema = schemathesis.openapi.from_dict(document)
    assert [operation.ok().label for operation in schema.get_all_operations()] == [f"POST {API}"]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_finds_no_server_error_and_no_nonconformance(app, add_appointment, mode):
    add_appointment("M-100001", date(1985, 3, 27))
    settings_ = app.config["PORTAL"]["plugin_settings"]["appointments"]
    limits = dict(settings_)
    settings_.update(rate_limit_per_address="10000 per minute", rate_limit_per_reference="10000 per minute")
    schema = schemathesis.openapi.from_wsgi("/de/appointments/api/v1/openapi.json", app)
    operation = schema[API]["POST"]
    # API clients send Accept: application/json, so the portal's own errors (a NUL character: 400) are JSON too.
    # Only the path's own languages: other codes are pages of no plugin and answer the portal's 404 page.
    strategy = operation.as_strategy(generation_mode=mode, path_parameters={"lang": "tr"})

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.function_scoped_fixture])
    @given(case=strategy)
    def check(case):
        # Random but well-formed references and dates match no appointment: 404 is the right answer there.
        case.call_and_validate(headers={"Accept": "application/json"}, excluded_checks=[positive_data_acceptance])

    try:
        check()
    finally:
        settings_.update(limits)
