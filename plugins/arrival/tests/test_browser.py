"""In a real browser on a 360 px phone: the door in German and Arabic, a scanner typing the pass and Enter."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from portal_plugins.arrival import views
from portal_plugins.arrival.passes import short_code

from portal.testing import PHONE, assert_accessible, assert_no_horizontal_scroll, browser_sign_in


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_door_on_a_phone_checks_a_scanned_pass_in_once(browser, live_server, make_staff, make_pass, lang):
    code, facts = make_pass()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("door"), lang=lang)
    page.goto(f"{live_server.url}/{lang}/staff/arrival/")
    expect(page.locator("#code")).to_be_focused()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    page.fill("#device", "Eingang A")
    # Enter after the label leads on to the pass's field, without a verdict or an error.
    page.press("#device", "Enter")
    expect(page.locator("#code")).to_be_focused()
    assert page.locator("#arrival-verdict-area *, .error-summary").count() == 0
    # A scanner in keyboard mode types the pass and presses Enter.
    page.focus("#code")
    page.keyboard.insert_text(code)
    page.keyboard.press("Enter")
    page.wait_for_selector(".arrival-verdict--valid_now")
    expect(page.locator("#code")).to_be_focused()
    assert page.input_value("#code") == ""
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    expect(page.locator("#code")).to_be_focused()
    page.keyboard.insert_text(short_code(facts.public_id))
    page.keyboard.press("Enter")
    page.wait_for_selector(".arrival-verdict--already_checked_in")
    assert_accessible(page)

    expect(page.locator("#code")).to_be_focused()
    page.keyboard.insert_text(code[:-6])
    page.keyboard.press("Enter")
    page.wait_for_selector(".arrival-verdict--not_genuine")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_pass_address_on_a_phone_shows_the_pass_then_checked_in(browser, live_server, make_staff, make_pass,
                                                                     lang, monkeypatch):
    monkeypatch.setattr(views, "FOLLOW_SECONDS", 1)
    code, _ = make_pass()
    context = browser.new_context(**PHONE, locale=lang)
    page = context.new_page()
    page.goto(f"{live_server.url}/P/{code}")
    page.wait_for_selector(".arrival-pass-state--valid")
    assert f"/{lang}/arrival/p/" in page.url
    # The page follows itself: the reload button gives way to the hint to keep it open.
    expect(page.locator("[data-arrival-follow-hint]")).to_be_visible()
    expect(page.locator(".arrival-pass-reload")).to_be_hidden()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    door = context.browser.new_context(**PHONE).new_page()
    browser_sign_in(door, live_server.url, make_staff("door"))
    door.goto(f"{live_server.url}/de/staff/arrival/")
    door.fill("#code", code)
    door.press("#code", "Enter")
    door.wait_for_selector(".arrival-verdict--valid_now")

    # Without a tap: the client's phone shows the check-in by itself.
    expect(page.locator(".arrival-pass-state--checked_in")).to_be_visible(timeout=15000)
    assert_accessible(page)
    page.goto(f"{live_server.url}/P/{code[:-4]}")
    page.wait_for_selector("h1")
    assert page.locator(".arrival-pass-facts").count() == 0
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    context.close()


@pytest.mark.browser
@pytest.mark.portal_config({"plugins": ["appointments", "arrival"]})
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_result_page_on_a_phone_shows_the_pass(app, browser, live_server, tmp_path, lang):
    from portal import toolkit

    with app.app_context():
        day = toolkit.office_today() + timedelta(days=2)
    export = tmp_path / "export.csv"
    export.write_text("reference;birth_date;service;status;date;time;building;room;persons\n"
                      f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;Wacker Hof;1.07;2\n")
    assert app.test_cli_runner().invoke(args=["appointments", "import", str(export)]).exit_code == 0
    # The narrowest phone: the result and the pass page with their QR codes fit 320 px.
    context = browser.new_context(**{**PHONE, "viewport": {"width": 320, "height": 640}})
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/appointments/?ref=M-100001")
    page.fill("#day", "27")
    page.fill("#month", "3")
    page.fill("#year", "1985")
    page.click("#lookup-region button[type=submit]")
    page.wait_for_selector(".arrival-result svg")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    short = page.text_content(".arrival-code__short")
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", short)
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.click(".arrival-result a")
    page.wait_for_selector(".arrival-pass-state--valid")
    # Opened on the phone, the pass page is what the client shows at the door.
    assert page.locator("svg.arrival-code__qr").is_visible() and page.text_content(".arrival-code__short") == short
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_page_explaining_the_pass_reads_on_a_small_phone(browser, live_server, lang):
    context = browser.new_context(**{**PHONE, "viewport": {"width": 320, "height": 640}})
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/arrival/")
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("main p").count() == 4
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    context.close()
