"""The lookup's lean paths: the JSON API keeps no session, the form page is kept with each visitor's own token."""

from __future__ import annotations

import gzip
import re

import pytest
from flask import template_rendered

from portal.testing import csrf_token, forget_content

FORM = "/de/appointments/"
API = "/de/appointments/api/v1/lookup"
BODY = {"reference": "M-100001", "birth_date": "1985-03-27"}


def lookup_data(client, token: str | None = None) -> dict:
    return {"csrf_token": token or csrf_token(client, FORM), "reference": "M-100001", "day": "27", "month": "3",
            "year": "1985"}


@pytest.fixture
def renders(app):
    """Return the list of templates rendered while the test runs."""
    rendered = []

    def note(_sender, template, **_context):
        rendered.append(template.name)

    template_rendered.connect(note, app)
    yield rendered
    template_rendered.disconnect(note, app)


def test_the_api_sets_no_cookie_for_a_found_or_a_missed_lookup(app, add_appointment):
    add_appointment()
    client = app.test_client()
    found = client.post(API, json=BODY)
    missed = client.post(API, json=BODY | {"birth_date": "1985-03-28"})
    assert (found.status_code, missed.status_code) == (200, 404)
    for answer in (found, missed):
        assert "Set-Cookie" not in answer.headers
    assert client.get_cookie("portal") is None and client.get_cookie("portal_lang") is None


def test_the_api_leaves_a_visitors_session_as_it_is(app, add_appointment):
    add_appointment()
    client = app.test_client()
    token = csrf_token(client, FORM)
    session_cookie = client.get_cookie("portal").value
    answer = client.post(API, json=BODY)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert client.get_cookie("portal").value == session_cookie
    # The session still holds the token its form was given.
    assert client.post(FORM, data=lookup_data(client, token)).status_code == 303


@pytest.mark.portal_config({"page_cache_seconds": 300})
def test_a_kept_form_page_carries_each_visitors_own_token(app, add_appointment, renders):
    add_appointment()
    first, second = app.test_client(), app.test_client()
    first_token = csrf_token(first, FORM)
    assert "appointments/lookup.html" in renders
    renders.clear()
    second_page = second.get(FORM)
    second_token = token_in(second_page.get_data(as_text=True))
    assert renders == [], "the second visitor got the kept page"
    assert second_token != first_token
    assert "portal-form-token-" not in second_page.get_data(as_text=True)
    assert second_page.headers["Cache-Control"] == "no-store"
    # Each token belongs to its own visitor's session, and only there.
    assert second.post(FORM, data=lookup_data(second, first_token)).status_code == 400
    assert first.post(FORM, data=lookup_data(first, first_token)).status_code == 303
    assert second.post(FORM, data=lookup_data(second, second_token)).status_code == 303


@pytest.mark.portal_config({"page_cache_seconds": 300})
def test_a_kept_form_page_is_rendered_anew_for_a_change_a_query_or_a_session_with_more(app, add_appointment,
                                                                                      renders):
    visitor = app.test_client()
    visitor.get(FORM)
    visitor.get(FORM)
    assert renders.count("appointments/lookup.html") == 1
    add_appointment()  # a committed change to what visitors read moves the content version
    visitor.get(FORM)
    assert renders.count("appointments/lookup.html") == 2
    assert 'value="M-123"' in visitor.get(FORM + "?ref=M-123").get_data(as_text=True)
    assert renders.count("appointments/lookup.html") == 3
    with visitor.session_transaction() as session:
        session["_flashes"] = [("message", "Gespeichert.")]
    visitor.get(FORM)
    assert renders.count("appointments/lookup.html") == 4


@pytest.mark.portal_config({"page_cache_seconds": 300})
def test_a_kept_form_page_is_compressed_whole_with_the_visitors_token(app, renders):
    plain = app.test_client().get(FORM).get_data(as_text=True)
    visitor = app.test_client()
    answer = visitor.get(FORM, headers={"Accept-Encoding": "gzip"})
    assert renders.count("appointments/lookup.html") == 1
    assert answer.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in answer.headers["Vary"]
    page = gzip.decompress(answer.get_data()).decode()
    assert page.replace(token_in(page), "") == plain.replace(token_in(plain), "")
    assert visitor.post(FORM, data=lookup_data(visitor, token_in(page))).status_code == 404  # accepted, not found


def token_in(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_kept_page_frame_carries_each_result_pages_own_address(app, add_appointment):
    """The header is kept for every visitor of a page kind; its language links hold this visitor's token alone."""
    add_appointment("M-100001")
    add_appointment("M-100002")
    client = app.test_client()
    visits = []
    for reference in ("M-100001", "M-100002", "M-100001"):
        if not visits:
            forget_content()  # the first visit renders the frame anew
        found = client.post(API, json=BODY | {"reference": reference}).get_json()
        address = found["print_url"].removeprefix("http://localhost")
        page = client.get(address).get_data(as_text=True)
        links = re.findall(r'<li><a href="([^"]+)" hreflang="([^"]+)" lang=', page)
        assert len(links) > 1 and all(href == address.replace("/de/", f"/{tag}/", 1) for href, tag in links)
        alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="http://localhost([^"]+)">', page)
        assert [(href, tag) for tag, href in alternates] == links
        assert f'href="{address}/appointment.ics"' in page
        visits.append((address.rsplit("/", 1)[-1], page))
    (first_token, first), (second_token, second), (third_token, third) = visits
    assert first_token not in second and second_token not in first and second_token not in third
    # The kept frame answers the page exactly as rendering it anew did, up to the signatures' timestamps.
    assert without_signed_values(third) == without_signed_values(first)


def without_signed_values(page: str) -> str:
    """Return the page with each signed value (payload.timestamp.signature) blanked, since each second signs anew."""
    return re.sub(r"[\w-]+\.[\w-]{6}\.[\w-]{27}", "SIGNED", page)
