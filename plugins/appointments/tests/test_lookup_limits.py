"""Failed lookups per reference (shared through the database), per /64, and references as clients type them."""

from __future__ import annotations

from datetime import date

import pytest
from portal_plugins.appointments.matching import REFERENCE_LIMIT
from sqlalchemy import text

from portal import toolkit
from portal.testing import PHONE, assert_accessible, audit_log, browser_sign_in, csrf_token
from portal.toolkit import limiter

from .test_lookup import post_lookup

URL = "/de/appointments/"


@pytest.fixture
def reference_limit(app):
    """Set the per-reference limit to three failed lookups an hour for one test."""
    settings = app.config["PORTAL"]["plugin_settings"]["appointments"]
    settings["rate_limit_per_reference"] = "3 per hour"
    yield
    settings["rate_limit_per_reference"] = "10 per hour"


@pytest.mark.parametrize("typed", ["M-100001", "M 100001", "M100001", "m100001", " m - 100001 ", "M–100001",
                                   "M-١٠٠٠٠١", "M۱۰۰۰۰۱", "Ｍ１００００１"])
def test_spaces_missing_separators_case_and_other_digits_find_the_reference(client, add_appointment, typed):
    add_appointment("M-100001")
    response = post_lookup(client, reference=typed)
    assert response.status_code == 200, typed
    assert "M-100001" in response.get_data(as_text=True)


def test_arabic_indic_and_persian_digits_in_the_date_of_birth(client, add_appointment):
    add_appointment("M-100001", date(1985, 3, 27))
    url = URL
    data = {"csrf_token": csrf_token(client, url), "reference": "M-100001", "day": "٢٧", "month": "۳", "year": "١٩٨٥"}
    assert client.post(url, data=data).status_code == 303


@pytest.mark.parametrize(("year", "message"), [("99999999999999999999", "Dieses Datum gibt es nicht."),
                                               ("19a5", "Dieses Datum gibt es nicht."),
                                               ("85", "Bitte geben Sie das Jahr mit vier Ziffern ein")])
def test_impossible_years_get_a_message_and_keep_the_input(client, year, message):
    url = URL
    data = {"csrf_token": csrf_token(client, url), "reference": "M-100001", "day": "1", "month": "1", "year": year}
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and f'value="{year}"' in page


def test_a_locked_reference_refuses_even_the_right_date_until_staff_unlock_it(app, client, add_appointment,
                                                                              reference_limit):
    add_appointment("M-100001", date(1985, 3, 27))
    codes = [post_lookup(client, birth_date=date(1985, 3, 1 + i), address=f"10.9.0.{i}").status_code
             for i in range(3)]
    assert codes == [404, 404, 404]
    blocked = post_lookup(client, address="10.9.0.9")
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    # The client reads how long the lock lasts, not "a few minutes": here the hour since the first miss.
    assert "Bitte warten Sie 60 Minuten" in blocked.get_data(as_text=True)
    # Typed differently, it is the same reference and the same lock.
    assert post_lookup(client, reference="m100001", address="10.9.0.10").status_code == 429
    with app.test_request_context():
        assert [locked.reference for locked in REFERENCE_LIMIT.locked()] == ["M100001"]
        assert REFERENCE_LIMIT.unlock("M-100001")
        toolkit.session().commit()
    assert post_lookup(client, address="10.9.0.11").status_code == 200


def test_failed_lookups_are_counted_across_app_instances_on_one_database(make_app, app, add_appointment,
                                                                         reference_limit):
    other = make_app(plugins=["appointments"], secret_key="test-secret-key")
    assert other is not app
    other.config["PORTAL"]["plugin_settings"]["appointments"]["rate_limit_per_reference"] = "3 per hour"
    add_appointment("M-100001")
    first, second = app.test_client(), other.test_client()
    assert post_lookup(first, birth_date=date(1990, 1, 1), address="10.8.0.1").status_code == 404
    assert post_lookup(second, birth_date=date(1990, 1, 2), address="10.8.0.2").status_code == 404
    # The rate-limit storage forgets everything; the counts in the database stay.
    for application in (app, other):
        with application.app_context():
            limiter.reset()
    assert post_lookup(first, birth_date=date(1990, 1, 3), address="10.8.0.3").status_code == 404
    assert post_lookup(second, address="10.8.0.4").status_code == 429


def test_ipv6_addresses_of_one_64_share_the_address_limit(app, client):
    settings = app.config["PORTAL"]["plugin_settings"]["appointments"]
    settings["rate_limit_per_address"] = "3 per 10 minutes"
    try:
        codes = [post_lookup(client, reference=f"M-40000{i}", address=f"2001:db8:1:2::{i + 1:x}").status_code
                 for i in range(4)]
        assert codes == [404, 404, 404, 429]
        # The next /64 is someone else.
        assert post_lookup(client, reference="M-500000", address="2001:db8:1:3::1").status_code == 404
    finally:
        settings["rate_limit_per_address"] = "30 per 10 minutes"


def test_caseworkers_see_locked_references_and_unlock_them_with_an_audit_entry(app, client, staff_client, database,
                                                                                 add_appointment, reference_limit):
    add_appointment("M-100001")
    for i in range(3):
        post_lookup(client, reference="m 100001", birth_date=date(1990, 1, 1 + i), address=f"10.6.0.{i}")
        post_lookup(client, reference="X-999", birth_date=date(1990, 1, 1 + i), address=f"10.6.1.{i}")
    caseworker = staff_client("caseworker")
    url = "/de/staff/appointments/locked"
    page = caseworker.get(url).get_data(as_text=True)
    assert ">M-100001</a>" in page and "X999" in page and "unbekannt" in page
    assert staff_client("editor").get(url).status_code == 403
    response = caseworker.post(url, data={"csrf_token": csrf_token(caseworker, url), "reference": "M100001"},
                               follow_redirects=True)
    # Named as the letter writes it, not as the lock keeps it.
    assert "Die Vorgangsnummer M-100001 kann wieder abgefragt werden." in response.get_data(as_text=True)
    assert ">M-100001</a>" not in response.get_data(as_text=True)
    with database() as session:
        entry = session.execute(text("SELECT target_type, target_id FROM core_audit_entry WHERE action = 'unlock'"))
        assert entry.one() == ("appointments_lookup", "M-100001")
    assert post_lookup(client, address="10.6.2.1").status_code == 200


def test_the_audit_log_tells_an_unlock_in_the_readers_words(client, staff_client, add_appointment, reference_limit):
    add_appointment("M-100001")
    for i in range(3):
        post_lookup(client, birth_date=date(1990, 1, 1 + i), address=f"10.7.0.{i}")
    caseworker = staff_client("caseworker")
    url = "/de/staff/appointments/locked"
    caseworker.post(url, data={"csrf_token": csrf_token(caseworker, url), "reference": "M100001"})
    # No summary: one in the writer's language would repeat the action.
    [entry] = audit_log(staff_client("admin"), "en")
    assert (entry.what, entry.changes) == ("Lookup allowed again M-100001", [])


@pytest.mark.browser
def test_locked_references_page_on_a_phone_and_unlocking_by_keyboard(browser, live_server, make_staff, client,
                                                                      add_appointment, reference_limit):
    add_appointment("M-100001")
    for i in range(3):
        post_lookup(client, birth_date=date(1990, 1, 1 + i), address=f"10.5.0.{i}")
    page = browser.new_context(**PHONE).new_page()
    browser_sign_in(page, live_server.url, make_staff("caseworker"))
    page.goto(f"{live_server.url}/ar/staff/appointments/locked")
    assert page.locator("table a[dir=ltr]").inner_text() == "M-100001"
    assert_accessible(page)
    page.locator("table button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("table").count() == 0
    assert_accessible(page)
    page.context.close()
