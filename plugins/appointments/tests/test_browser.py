"""In a real browser: a client on a 360 px phone follows the letter's QR link; staff upload an export."""

from __future__ import annotations

import re
from datetime import date

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from portal.testing import DESKTOP, PHONE, assert_accessible, assert_no_horizontal_scroll, browser_sign_in


@pytest.mark.browser
def test_client_follows_the_qr_link_and_takes_the_appointment_home(browser, live_server, add_appointment):
    add_appointment("M-100001", date(1985, 3, 27), days=4, room="2.14")
    context = browser.new_context(**PHONE, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/tr/appointments/?ref=M-100001")
    assert page.input_value("#reference") == "M-100001"
    expect(page.locator("#day")).to_be_focused()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    page.fill("#day", "28")
    page.fill("#month", "3")
    page.fill("#year", "1985")
    page.click("#lookup-region button[type=submit]")
    page.wait_for_selector(".appointments-not-found")
    expect(page.locator(".appointments-not-found")).to_be_focused()
    assert page.input_value("#year") == "1985"
    assert_accessible(page)

    lookup_title = page.title()
    page.fill("#day", "27")
    page.click("#lookup-region button[type=submit]")
    page.wait_for_selector("#appointment-title")
    # htmx swapped the result in place, announced it and moved focus to it; the address bar holds its address.
    assert re.search(r"/tr/appointments/result/[^/?]+$", page.url)
    expect(page.locator("#appointment-title")).to_be_focused()
    # The tab and the heading name the result, as the result's own page does (compared after Forward below).
    expect(page).not_to_have_title(lookup_title)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_id("appointment-title")
    swapped_title, swapped_heading = page.title(), page.locator("h1").inner_text()
    assert page.text_content("#lookup-announcement").strip() != ""
    assert page.locator("html").get_attribute("lang") == "tr"
    assert "Ertelendi" not in page.text_content("main")
    assert "2.14" in page.text_content(".appointments-result__facts")
    # The swapped result is the result's page: it prints itself (no link to the page already shown).
    expect(page.locator("button[data-print]")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    # Back leads to the form as a whole page (htmx asks the server for it), forward to the result again.
    page.go_back()
    page.wait_for_url(re.compile(r"/tr/appointments/\?ref=M-100001$"))
    expect(page.locator("#reference")).to_have_value("M-100001")
    assert page.locator(".site-header").count() == 1 and not page.locator("#appointment-title").count()
    expect(page).to_have_title(lookup_title)
    page.go_forward()
    # The result's own address is its printable page.
    page.wait_for_selector("h1#appointment-title")
    assert page.locator(".site-header").count() == 1 and page.is_visible("button[data-print]")
    expect(page).to_have_title(swapped_title)
    expect(page.locator("h1")).to_have_text(swapped_heading)

    with page.expect_download() as download_info:
        page.click("a[download]")
    download = download_info.value
    assert download.suggested_filename == "M-100001.ics"
    with open(download.path(), "rb") as handle:
        event = next(iter(Calendar.from_ical(handle.read()).walk("VEVENT")))
    assert "M-100001" in str(event["description"])

    assert_accessible(page)
    # Away and back again, the result is still there.
    page.goto(f"{live_server.url}/tr/")
    page.go_back()
    page.wait_for_selector("#appointment-title")
    assert "2.14" in page.text_content(".appointments-result__facts")
    context.close()


@pytest.mark.browser
def test_with_script_the_language_switch_after_an_error_carries_what_was_typed(browser, live_server, add_appointment):
    add_appointment()
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/en/appointments/?ref=M-100001")
    page.fill("#day", "31")
    page.fill("#month", "2")
    page.fill("#year", "1985")
    page.click("#lookup-region button[type=submit]")
    expect(page.locator("#birth_date-error")).to_be_visible()
    # Corrected in part after the answer, then the client, not reading English, turns to Arabic.
    page.fill("#month", "3")
    page.locator(".languages summary").click()
    with page.expect_navigation():
        page.locator(".languages button[lang=ar]").click()
    assert page.url.startswith(f"{live_server.url}/ar/appointments/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert [page.input_value(f"#{name}") for name in ("reference", "day", "month", "year")] == [
        "M-100001", "31", "3", "1985"]
    assert_accessible(page)


@pytest.mark.browser
def test_lookup_without_javascript_and_in_arabic(browser, live_server, add_appointment):
    """The same form posts and answers whole pages; axe needs script, so the page above runs it."""
    add_appointment("M-100001", date(1985, 3, 27))
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/appointments/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("#reference", "M-100001")
    page.fill("#day", "28")
    page.fill("#month", "3")
    page.fill("#year", "1985")
    page.click("#lookup-region button[type=submit]")
    assert page.is_visible(".appointments-not-found")
    assert page.input_value("#reference") == "M-100001"
    assert_no_horizontal_scroll(page)
    page.fill("#day", "27")
    page.click("#lookup-region button[type=submit]")
    page.wait_for_selector("#appointment-title")
    # The answer is the result's own page: Back and the language switch keep it, nothing is sent again.
    assert re.search(r"/ar/appointments/result/[^/?]+$", page.url)
    assert page.is_visible("a[download]")
    # The print button needs a script: without one it stays hidden, not a button that does nothing.
    assert page.locator("button[data-print]").count() == 1 and not page.is_visible("button[data-print]")
    assert_no_horizontal_scroll(page)
    page.goto(f"{live_server.url}/ar/")
    page.go_back()
    assert page.is_visible("#appointment-title")
    page.locator(".languages summary").click()
    page.locator(".languages a[hreflang=en]").click()
    assert re.search(r"/en/appointments/result/[^/?]+$", page.url)
    assert page.locator("#appointment-title").inner_text() == "Your appointment"
    context.close()


@pytest.mark.browser
def test_with_script_a_dropped_connection_or_an_error_page_is_never_silent(browser, live_server, add_appointment):
    """htmx swaps no error answer and reports no network failure by itself; portal.js shows both."""
    add_appointment("M-100001", date(1985, 3, 27))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/appointments/")
    page.fill("#reference", "M-100001")
    page.fill("#day", "27")
    page.fill("#month", "3")
    page.fill("#year", "1985")

    # The phone loses its network as the client sends the form: the form stays, with a note that says so.
    page.route("**/appointments/", lambda route: route.abort("internetdisconnected")
               if route.request.method == "POST" else route.continue_())
    page.click("#lookup-region button[type=submit]")
    note = page.locator("[data-connection-lost]")
    expect(note).to_be_focused()
    assert note.get_attribute("role") == "alert" and "الاتصال" in note.inner_text()
    assert page.input_value("#reference") == "M-100001" and page.input_value("#year") == "1985"
    assert_accessible(page)
    page.unroute("**/appointments/")

    # Back online, but the browser has lost its cookie: the server's error page takes the place of the page and
    # offers the input again; one click sends it.
    context.clear_cookies()
    page.click("#lookup-region button[type=submit]")
    page.wait_for_selector("#send-again")
    assert page.locator("h1").inner_text() == "الطلب غير صحيح"
    expect(page.locator("#main")).to_be_focused()
    assert not page.locator("[data-connection-lost]").count()
    assert_accessible(page)
    page.click("#send-again button")
    page.wait_for_selector("#appointment-title")
    assert re.search(r"/ar/appointments/result/[^/?]+$", page.url)
    context.close()


@pytest.mark.browser
def test_staff_upload_shows_progress_and_counts(browser, live_server, make_staff, tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("reference;birth_date;service;status;date;time;building;room\n"
                      "M-100001;27.03.1985;eu-blue-card;scheduled;2026-07-01;09:30;Wacker Hof;2.14\n"
                      "M-100002;04.11.1990;settlement-permit;postponed;;;;\n", encoding="utf-8")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("caseworker"))
    page.goto(f"{live_server.url}/de/staff/appointments/import")
    page.evaluate("window.notReloaded = true")
    page.evaluate("""document.addEventListener('htmx:xhr:progress', () => {
        window.progressShown = !document.getElementById('import-progress').hidden; })""")
    page.set_input_files("#file", str(export))
    page.click("#import-region button[type=submit]")
    page.wait_for_selector(".appointments-import-counts")
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("window.progressShown") is True
    assert page.locator(".appointments-import-counts dd").all_text_contents() == ["2", "0", "0"]
    expect(page.locator("#import-result-title")).to_be_focused()
    assert_accessible(page)

    # The other staff pages, as a caseworker sees them after the import.
    page.goto(f"{live_server.url}/de/staff/appointments/?status=scheduled")
    assert_accessible(page)
    page.click("text=M-100001")
    page.wait_for_selector("form.form select#status")
    assert_accessible(page)
    page.select_option("#language", "ar")
    page.click("text=Brief anzeigen")
    page.wait_for_selector("svg.appointments-letter__qr")
    assert page.is_visible("button[data-print]")
    assert_accessible(page)
    # The letter on a 320 px phone: the address and the Arabic part wrap, nothing is cut off.
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP["viewport"])
    page.goto(f"{live_server.url}/de/staff/appointments/day?day=2026-07-01")
    assert page.text_content("h2") == "Wacker Hof, Raum 2.14"
    assert_accessible(page)
    context.close()
