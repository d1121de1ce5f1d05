"""The emergency form in a real browser on a phone: clear errors, a confirmation, no axe-core violation."""

import re
import time

import pytest
from playwright.sync_api import expect

from portal.testing import PHONE, assert_accessible, assert_no_horizontal_scroll, browser_sign_in


@pytest.mark.browser
def test_emergency_form_on_a_phone(live_server, browser, make_staff):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/de/emergency/")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.fill("#matter", "Zu kurz")
    page.click("main form button[type=submit]")
    assert page.locator("#category-error").is_visible() and page.locator("#email-error").is_visible()
    assert page.locator("#matter").input_value() == "Zu kurz"
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.check("input[name=category][value=lost]")
    page.fill("#matter", "Mein Pass wurde gestern gestohlen, ich brauche eine Bescheinigung für die Polizei.")
    page.fill("#phone", "0211 1234567")
    page.select_option("#language", "en")
    page.click("main form button[type=submit]")
    number = page.locator(".emergency-confirmation-number").inner_text()
    assert re.fullmatch(r"NF-[2-9A-Z]{4}-[2-9A-Z]{4}", number)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/ar/emergency/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    browser_sign_in(page, live_server.url, make_staff("caseworker"))
    page.goto(f"{live_server.url}/de/staff/emergency/")
    assert_accessible(page)
    page.click(f"text={number}")
    assert "Mein Pass wurde gestern gestohlen" in page.locator(".emergency-matter").inner_text()
    assert_accessible(page)
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_switching_the_language_after_an_error_keeps_what_was_typed(live_server, browser, script):
    context = browser.new_context(**PHONE, java_script_enabled=script)
    page = context.new_page()
    page.goto(f"{live_server.url}/de/emergency/")
    page.fill("#matter", "Zu kurz")
    page.fill("#phone", "0211 1234567")
    page.click("main form button[type=submit]")
    assert page.locator("#category-error").is_visible()
    page.locator(".languages summary").click()
    if script:
        assert_accessible(page)  # with the list open: its languages are buttons now
    page.locator(".languages button[lang=ar]").click()
    page.wait_for_url(f"{live_server.url}/ar/emergency/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#matter").input_value() == "Zu kurz" and page.locator("#phone").input_value() == "0211 1234567"
    assert page.locator("#category-error").is_visible() and "Bitte" not in page.locator("#category-error").inner_text()
    assert_no_horizontal_scroll(page)
    if script:
        assert_accessible(page)
        # What is typed after the error goes with the switch too, without a question.
        asked = []
        page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.fill("#matter", "Zu kurz, und noch mehr")
        page.check("input[name=category][value=lost]")
        page.locator(".languages summary").click()
        page.locator(".languages button[lang=en]").click()
        page.wait_for_url(f"{live_server.url}/en/emergency/")
        assert asked == [] and page.locator("#matter").input_value() == "Zu kurz, und noch mehr"
        assert page.locator("input[name=category][value=lost]").is_checked()
        assert page.locator("#phone").input_value() == "0211 1234567"
    context.close()


@pytest.mark.browser
def test_a_second_tap_while_the_answer_is_on_its_way_sends_nothing_twice(live_server, browser, database, monkeypatch):
    from portal_plugins.emergency import views
    from portal_plugins.emergency.models import EmergencyRequest
    from sqlalchemy import func, select

    queued = views.queue

    def slow_network(entry):
        time.sleep(1.5)  # the answer takes a while to reach the phone, as on a weak signal
        return queued(entry)

    monkeypatch.setattr(views, "queue", slow_network)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/de/emergency/")
    page.check("input[name=category][value=lost]")
    page.fill("#matter", "Mein Pass wurde gestern gestohlen, ich brauche eine Bescheinigung für die Polizei.")
    page.fill("#phone", "0211 1234567")
    # Tapped, and tapped again a moment later while the page still waits for the answer.
    page.evaluate("""() => {
      const send = document.querySelector("main form button[type=submit]");
      send.click();
      setTimeout(() => send.click(), 300);
    }""")
    expect(page.locator(".emergency-confirmation-number")).to_be_visible()
    with database() as session:
        assert session.scalar(select(func.count()).select_from(EmergencyRequest)) == 1
    context.close()
