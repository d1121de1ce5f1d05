import re

import pytest

from portal.testing import DESKTOP, PHONE, assert_accessible, assert_no_horizontal_scroll, browser_sign_in

FIRST_PAIR = ".interpreters-bilingual-pair >> nth=0"


def side_boxes(page, pair_selector: str = FIRST_PAIR):
    sides = page.locator(pair_selector).locator(":scope > .interpreters-bilingual-side")
    return sides.nth(0).bounding_box(), sides.nth(1).bounding_box()


def direction(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("element => getComputedStyle(element).direction")


@pytest.mark.browser
def test_german_and_arabic_on_a_phone_are_paired_blocks(live_server, browser, glossary):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in ("/de/?bilingual=ar", "/de/interpreters/glossary?q=Aufenthalt&bilingual=ar",
                 "/de/interpreters/?bilingual=ar"):
        page.goto(live_server.url + path)
        german, arabic = side_boxes(page)
        # On a phone the Arabic block stands below its German partner, at full width.
        assert arabic["y"] >= german["y"] + german["height"] - 1
        assert abs(arabic["width"] - german["width"]) < 24
        assert direction(page, ".interpreters-bilingual-side[lang=ar]") == "rtl"
        assert direction(page, ".interpreters-bilingual-side[lang=de]") == "ltr"
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
    context.close()


@pytest.mark.browser
def test_german_and_arabic_on_a_desktop_stand_in_two_columns(live_server, browser, glossary):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + "/de/interpreters/glossary?q=Fiktionsbescheinigung&bilingual=ar")
    term_pair = ".interpreters-bilingual-pair:has(article)"
    german, arabic = side_boxes(page, term_pair)
    assert abs(german["y"] - arabic["y"]) < 2 and arabic["x"] >= german["x"] + german["width"]
    arabic_heading = page.locator(f"{term_pair} .interpreters-bilingual-side[lang=ar] h2").inner_text()
    assert arabic_heading == "شهادة الإقامة المؤقتة بانتظار القرار"
    assert_accessible(page)

    # The Arabic page with German beside it: Arabic reads from the right, so German stands left.
    page.goto(live_server.url + "/ar/interpreters/glossary?q=Fiktionsbescheinigung&bilingual=de")
    arabic, german = side_boxes(page, term_pair)
    assert german["x"] + german["width"] <= arabic["x"]
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    context.close()


@pytest.mark.browser
def test_the_switch_in_the_footer_works_without_script(live_server, browser):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/de/interpreters/guide")
    page.select_option("#bilingual-toggle-language", "ar")
    page.click(".interpreters-bilingual-toggle__form button")
    page.wait_for_url(re.compile(r"/de/interpreters/guide\?bilingual=ar$"))
    assert page.locator(".interpreters-bilingual-side[lang=ar] h1").count() == 1
    page.click("a[data-bilingual=off] >> nth=0")
    page.wait_for_url(re.compile(r"/de/interpreters/guide$"))
    assert page.locator(".interpreters-bilingual-view").count() == 0
    context.close()


@pytest.mark.browser
def test_staff_forms_show_their_errors_accessibly(live_server, browser, make_staff):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("editor"))
    page.goto(live_server.url + "/de/staff/interpreters/glossary/new")
    page.fill("#term", "Zuzug")
    page.click("form[novalidate] button[type=submit]")
    assert page.locator("#explanation-error").is_visible()
    assert page.locator("#term").input_value() == "Zuzug"
    assert_accessible(page)
    page.goto(live_server.url + "/de/staff/interpreters/help-times/new")
    page.fill("#place", "Empfang")
    page.click("form[novalidate] button[type=submit]")
    assert page.locator("#languages-error").is_visible()
    assert_accessible(page)
    context.close()
