import pytest
from playwright.sync_api import expect

from portal.testing import NARROW_PHONE, PHONE, assert_accessible, assert_no_horizontal_scroll, browser_sign_in

SLUG = "residence-permit-extension"
PASSPORT = f"#item-{SLUG}-02"
FEE = f"#item-{SLUG}-12"


def check_page(page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


@pytest.mark.browser
def test_client_answers_ticks_reloads_and_prints_bilingual(browser, live_server, defaults):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/checklists/{SLUG}")
    check_page(page)
    employed = page.locator("[data-condition='employed']")
    student = page.locator("[data-condition='student']")
    expect(employed).to_be_visible()

    # Answering filters at once, without a new page, and the address keeps the answers for sharing.
    page.check("#q-employed-no")
    page.check("#q-student-yes")
    expect(employed).to_be_hidden()
    expect(student).to_be_visible()
    assert page.url.endswith("?employed=no&student=yes")
    expect(page.locator("[data-checklist-share]")).to_have_text(f"{live_server.url}/ar/checklists/{SLUG}"
                                                               "?employed=no&student=yes")

    page.check(PASSPORT)
    page.check(FEE)
    expect(page.locator("[data-checklist-status]")).to_contain_text("2")
    page.reload()
    expect(page.locator(PASSPORT)).to_be_checked()
    expect(page.locator(FEE)).to_be_checked()
    expect(page.locator(f"#item-{SLUG}-03")).not_to_be_checked()
    expect(employed).to_be_hidden()
    check_page(page)

    page.locator("a[data-checklist-keep-query][href*='/print']").first.click()
    page.wait_for_url(f"**/ar/checklists/{SLUG}/print?employed=no&student=yes")
    expect(page.locator("thead th[lang='de']")).to_be_visible()
    expect(page.locator("thead th[lang='ar'][dir='rtl']")).to_be_visible()
    ticked = "checklists-print__box checklists-print__box--ticked"
    expect(page.locator(f"[data-tick='{SLUG}-02']")).to_have_class(ticked)
    expect(page.locator(f"[data-tick='{SLUG}-03']")).to_have_class("checklists-print__box")
    expect(page.locator("td[lang='ar'][dir='rtl'] strong").first).to_be_visible()
    check_page(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    context.close()


@pytest.mark.browser
def test_switching_language_after_answering_keeps_the_answers(browser, live_server, defaults):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    # The core asks before a language switch would lose typed input; these answers are not lost.
    warnings = []
    page.on("dialog", lambda dialog: (warnings.append(dialog.message), dialog.dismiss()))
    address = "/checklists/family-reunification"
    page.goto(f"{live_server.url}/de{address}")
    page.check("#q-employed-no")
    page.check("#q-has_children-yes")
    expect(page).to_have_url(f"{live_server.url}/de{address}?employed=no&has_children=yes")
    arabic = page.locator("#language-list a[hreflang='ar']")
    expect(arabic).to_have_attribute("href", f"/ar{address}?employed=no&has_children=yes")
    expect(page.locator("link[rel=alternate][hreflang='en']")).to_have_attribute(
        "href", f"{live_server.url}/en{address}?employed=no&has_children=yes")

    page.click(".languages summary")
    arabic.click()
    expect(page).to_have_url(f"{live_server.url}/ar{address}?employed=no&has_children=yes")
    assert warnings == []
    expect(page.locator("#q-employed-no")).to_be_checked()
    expect(page.locator("#q-has_children-yes")).to_be_checked()
    expect(page.locator("[data-condition='employed']")).to_be_hidden()
    expect(page.locator("[data-condition='has_children']")).to_be_visible()

    # "Weiß nicht" takes the answer out of the address, and out of the way back to German.
    page.check("#q-employed-open")
    expect(page.locator("#language-list a[hreflang='de']")).to_have_attribute("href", f"/de{address}?has_children=yes")
    expect(page.locator("[data-condition='employed']")).to_be_visible()
    check_page(page)
    context.close()


@pytest.mark.browser
def test_every_checklist_page_passes_axe(browser, live_server, defaults, make_staff):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in ("/de/checklists/", f"/de/checklists/{SLUG}", f"/de/checklists/{SLUG}/print"):
        page.goto(live_server.url + path)
        check_page(page)

    browser_sign_in(page, live_server.url, make_staff("editor"))
    staff = f"{live_server.url}/de/staff/checklists"
    # The same checklist open twice: the second save meets the first and shows the conflict.
    other = context.new_page()
    page.goto(f"{staff}/services/{SLUG}/edit")
    other.goto(f"{staff}/services/{SLUG}/edit")
    page.fill("#title", "Aufenthaltserlaubnis verlängern")
    page.click("form.checklists-edit button[type=submit]")
    expect(page.locator(".flash--success")).to_be_visible()
    other.fill("#summary", "Zweite Fassung")
    other.click("form.checklists-edit button[type=submit]")
    expect(other.locator("[role=alert]")).to_contain_text("Version 2")
    expect(other.locator("#summary")).to_have_value("Zweite Fassung")
    check_page(other)
    for path in ("/", "/services/new", f"/services/{SLUG}/translations/ar", f"/services/{SLUG}/versions",
                 f"/services/{SLUG}/compare?a=1&b=2", "/questions/new"):
        page.goto(staff + path)
        check_page(page)
    context.close()




def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, f"{locator} is not shown"
    return found


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ar", "ti"])
def test_the_print_view_stacks_the_languages_on_a_narrow_screen_and_prints_them_side_by_side(browser, live_server,
                                                                                            defaults, lang):
    context = browser.new_context(**NARROW_PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/checklists/{SLUG}/print")
    check_page(page)
    # The table's own box scrolls sideways where it must (assert_no_horizontal_scroll leaves it out): here it need not.
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("wrap => wrap.scrollWidth <= wrap.clientWidth"), "the checklist scrolls sideways in its box"
    passport = page.locator("tr", has=page.locator(f"[data-tick='{SLUG}-02']"))
    visitor, source = box(passport.locator(f"td[lang='{lang}']")), box(passport.locator("td[lang='de']"))
    # The visitor's language on top, the source language below it, each the whole width beside the tick box.
    assert visitor["y"] + visitor["height"] <= source["y"] + 1
    assert abs(visitor["width"] - source["width"]) <= 1
    heading = page.locator(".checklists-print__group").first
    assert box(heading.locator(f"[lang='{lang}']"))["y"] < box(heading.locator("[lang='de']"))["y"]

    page.emulate_media(media="print")
    visitor, source = box(passport.locator(f"td[lang='{lang}']")), box(passport.locator("td[lang='de']"))
    assert abs(visitor["y"] - source["y"]) <= 1, "printed, the two languages stand side by side"
    assert visitor["x"] + visitor["width"] <= source["x"] + 1 or source["x"] + source["width"] <= visitor["x"] + 1
    expect(page.locator("thead th[lang='de']")).to_be_visible()
    context.close()
