"""In a real browser on a phone: a client walks through every self-service action, in German and Arabic,
with and without JavaScript; the staff inbox shows what came in."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from playwright.sync_api import expect
from portal_plugins.appointments.selfservice_models import Offer
from sqlalchemy import select

from portal.testing import PHONE, assert_accessible, assert_no_horizontal_scroll, browser_sign_in, csrf_token


def check(page, javascript: bool) -> None:
    assert_no_horizontal_scroll(page)
    if javascript:  # axe runs as a script; the pages are the same without it
        assert_accessible(page)


def look_up(page, base: str, lang: str) -> None:
    page.goto(f"{base}/{lang}/appointments/?ref=M-100001")
    page.fill("#day", "27")
    page.fill("#month", "3")
    page.fill("#year", "1985")
    page.click("#lookup-region button[type=submit]")
    page.wait_for_selector(".appointments-selfservice")


def open_action(page, action: str) -> None:
    page.click(f"a[href*='self-service/{action}?']")
    page.wait_for_url(f"**/self-service/{action}?*")
    page.wait_for_selector("main form button[type=submit]")


def answered(page) -> None:
    """Wait for the appointment's own page that an answer leads back to, the answer's sentence on top."""
    expect(page.locator("main .flashes")).to_be_visible()
    assert "/appointments/result/" in page.url
    page.wait_for_selector(".appointments-selfservice")


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_a_client_answers_every_way_on_a_phone(browser, live_server, add_appointment, make_staff, lang, javascript):
    add_appointment("M-100001", days=10)
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    page = context.new_page()
    look_up(page, live_server.url, lang)
    assert page.locator("html").get_attribute("lang") == lang
    if lang == "ar":
        assert page.locator("html").get_attribute("dir") == "rtl"
    check(page, javascript)

    page.click(".appointments-selfservice__actions button")
    answered(page)
    check(page, javascript)
    # Back and forward again never send the answer a second time: every page on the way has its own address.
    page.go_back()
    page.wait_for_selector("#appointment-title")
    page.go_forward()
    page.wait_for_selector(".appointments-selfservice")

    open_action(page, "new-date")
    page.click("main form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()
    check(page, javascript)
    page.check("#reason-3")
    page.check("#weekdays-1")
    page.check("#day_times-0")
    page.fill("#note", "ab 10 Uhr")
    page.click("main form button[type=submit]")
    answered(page)

    open_action(page, "remind")
    check(page, javascript)
    page.fill("#email", "kunde@example.org")
    # The consent is a checkbox: ticked by mistake, it can be unticked.
    assert page.get_attribute("#consent-0", "type") == "checkbox"
    page.check("#consent-0")
    page.uncheck("#consent-0")
    page.check("#consent-0")
    page.click("main form button[type=submit]")
    answered(page)
    expect(page.locator("a[href*='self-service/stop-reminders']")).to_be_visible()

    open_action(page, "short-notice")
    check(page, javascript)
    for box, value in (("#day", "15"), ("#month", "1"), ("#year", "2027")):
        page.fill(box, value)
    page.click("main form button[type=submit]")
    answered(page)

    open_action(page, "cancel")
    check(page, javascript)
    page.check("#wants_new_date-0")
    page.click("main form button[type=submit]")
    answered(page)
    check(page, javascript)
    context.close()

    if lang == "de" and javascript:
        staff = browser.new_context(**PHONE).new_page()
        browser_sign_in(staff, live_server.url, make_staff("caseworker"))
        staff.goto(f"{live_server.url}/de/staff/appointments/self-service/")
        expect(staff.locator("main")).to_contain_text("M-100001")
        assert_accessible(staff)


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_a_client_takes_a_short_notice_offer_on_a_phone(browser, live_server, client, add_appointment, open_result,
                                                        act, staff_client, database, lang, javascript):
    add_appointment("M-100001", days=1, clock=time(8, 0))
    add_appointment("M-200003", date(1982, 3, 3), days=60)
    _html, token = open_result(client)
    assert act(client, "cancel", token, wants_new_date="no").status_code == 200
    _html, token = open_result(client, reference="M-200003", birth_date=date(1982, 3, 3))
    assert act(client, "short-notice", token, email="", day="30", month="12", year="2026").status_code == 200
    staff = staff_client("caseworker")
    inbox = "/de/staff/appointments/self-service/"
    offer = re.search(r'action="(/de/staff/appointments/self-service/slots/\d+/offer)"',
                      staff.get(inbox).get_data(as_text=True)).group(1)
    assert staff.post(offer, data={"csrf_token": csrf_token(staff, inbox)}).status_code == 302

    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/appointments/?ref=M-200003")
    page.fill("#day", "3")
    page.fill("#month", "3")
    page.fill("#year", "1982")
    page.click("#lookup-region button[type=submit]")
    page.wait_for_selector(".appointments-selfservice__offer")
    check(page, javascript)
    page.click(".appointments-selfservice__offer button[type=submit]")
    answered(page)
    check(page, javascript)
    context.close()
    with database() as session:
        assert session.scalars(select(Offer.state)).all() == ["accepted"]
