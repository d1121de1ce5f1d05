"""In a real browser: an editor publishes in German and Arabic; visitors read it on phones, right to left."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from portal_plugins.notices.models import Notice, NoticeText
from sqlalchemy import select

from portal.testing import (
    DESKTOP,
    PHONE,
    TEST_PASSWORD,
    assert_accessible,
    assert_no_horizontal_scroll,
    browser_sign_in,
    end_staff_sessions,
)

pytestmark = pytest.mark.browser


def check_phone_and_desktop(page) -> None:
    """Run axe at 360 px and at desktop width, and make sure the phone view never scrolls sideways."""
    page.set_viewport_size(PHONE["viewport"])
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP["viewport"])
    assert_accessible(page)


def test_editor_publishes_in_german_and_arabic_and_visitors_read_both(browser, live_server, make_staff,
                                                                      make_notice):
    base = live_server.url
    make_notice({"de": ("Heute ab 10 Uhr geöffnet", "Wegen einer Störung.")}, priority="urgent",
                ends=timedelta(hours=3))
    staff = browser.new_context(**PHONE)
    page = staff.new_page()
    browser_sign_in(page, base, make_staff("editor"))

    page.goto(f"{base}/de/staff/notices/new")
    check_phone_and_desktop(page)
    page.select_option("#category", "payment")
    page.fill("#titles-de", "Bezahlen nur mit Karte")
    page.fill("#bodies-de", "Gebühren zahlen Sie **nur mit Karte**.")
    page.locator("summary", has_text="العربية").click()
    page.fill("#titles-ar", "الدفع بالبطاقة فقط")
    page.fill("#bodies-ar", "تُدفع الرسوم **بالبطاقة فقط**.")
    page.click("button[value=preview]")
    expect(page.locator(".notices-preview article[lang=ar] strong")).to_have_text("بالبطاقة فقط")
    check_phone_and_desktop(page)
    page.click("button[value=publish]")
    page.wait_for_url(re.compile(r"/de/staff/notices/\d+$"))
    expect(page.locator(".flash--success")).to_have_text("Die Mitteilung ist veröffentlicht.")
    check_phone_and_desktop(page)
    edit_url = page.url
    for url in (f"{base}/de/staff/notices/", f"{base}/de/staff/notices/languages", f"{edit_url}/delete"):
        page.goto(url)
        check_phone_and_desktop(page)
    staff.close()

    visitor = browser.new_context(**PHONE)
    page = visitor.new_page()
    page.goto(f"{base}/de/")
    expect(page.locator(".notices-home")).to_contain_text("Bezahlen nur mit Karte")
    expect(page.locator(".banner")).to_contain_text("Heute ab 10 Uhr geöffnet")
    check_phone_and_desktop(page)

    page.set_viewport_size(PHONE["viewport"])
    page.goto(f"{base}/ar/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    notice = page.locator(".notices-home article", has_text="الدفع بالبطاقة فقط")
    expect(notice.locator("strong")).to_have_text("بالبطاقة فقط")
    expect(notice.locator(".fallback-note")).to_have_count(0)
    assert notice.evaluate("element => getComputedStyle(element).direction") == "rtl"
    # The urgent notice has no Arabic text: the banner shows it in German, marked as such.
    expect(page.locator(".banner a")).to_have_attribute("lang", "de")
    check_phone_and_desktop(page)

    page.set_viewport_size(PHONE["viewport"])
    notice.get_by_role("link", name="الدفع بالبطاقة فقط").click()
    expect(page.locator("h1")).to_have_text("الدفع بالبطاقة فقط")
    check_phone_and_desktop(page)
    page.goto(f"{base}/ar/notices/")
    check_phone_and_desktop(page)
    page.goto(base + page.locator(".banner a").get_attribute("href"))
    expect(page.locator(".fallback-note")).to_be_visible()
    assert page.locator("h1").evaluate("element => getComputedStyle(element).direction") == "ltr"
    check_phone_and_desktop(page)
    visitor.close()


def test_a_notice_written_while_the_session_ended_is_published_after_signing_in_again(browser, live_server, app,
                                                                                       make_staff, load):
    """The sign-in page keeps what was typed, and one button sends it after signing in."""
    base = live_server.url
    editor = make_staff("editor")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    browser_sign_in(page, base, editor)
    page.goto(f"{base}/de/staff/notices/new")
    body = "Bitte bringen Sie Ihr Einladungsschreiben mit.\n\nMasken sind im Gebäude Pflicht."
    page.fill("#titles-de", "Neue Hausordnung")
    page.fill("#bodies-de", body)
    page.locator("summary", has_text="العربية").click()
    page.fill("#titles-ar", "قواعد جديدة للمبنى")
    page.fill("#bodies-ar", "الكمامة إلزامية داخل المبنى.")
    end_staff_sessions(app)
    page.click("button[value=publish]")

    expect(page.locator(".callout")).to_contain_text("Ihre Eingaben sind nicht verloren")
    assert load(select(Notice)) == []
    check_phone_and_desktop(page)
    page.fill("input[name=email]", editor.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator("h1")).to_have_text("Ihre Eingaben sind erhalten")
    check_phone_and_desktop(page)
    page.get_by_role("button", name="Eingaben senden").click()

    page.wait_for_url(re.compile(r"/de/staff/notices/\d+$"))
    expect(page.locator(".flash--success")).to_have_text("Die Mitteilung ist veröffentlicht.")
    assert [notice.state for notice in load(select(Notice))] == ["published"]
    assert {text.lang: (text.title, text.body.replace("\r\n", "\n")) for text in load(select(NoticeText))} == {
        "de": ("Neue Hausordnung", body), "ar": ("قواعد جديدة للمبنى", "الكمامة إلزامية داخل المبنى.")}
    context.close()
