import re

import pytest
from playwright.sync_api import expect
from portal_plugins.hygiene.defaults import load_defaults

from portal.testing import (
    NARROW_PHONE,
    PHONE,
    assert_accessible,
    assert_icons_drawn,
    assert_no_horizontal_scroll,
    browser_sign_in,
)


def check_page(page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


@pytest.mark.browser
def test_every_hygiene_page_passes_axe_on_a_phone(browser, live_server, data, today, add_rule, make_staff):
    data(lambda session: load_defaults(session, today))
    add_rule("mask", {"de": "Im Wacker Hof: FFP2-Maske"}, location="Wacker Hof")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in ("/de/", "/de/hygiene/", "/ar/hygiene/", "/fa/hygiene/poster"):
        page.goto(live_server.url + path)
        check_page(page)
        assert_icons_drawn(page)
        if path == "/de/":
            # The summary on another plugin's page brings its styles: compact icons beside the texts.
            expect(page.locator(".hygiene-summary li").first).to_have_css("display", "flex")
            expect(page.locator(".hygiene-summary .hygiene-icon").first).to_have_css("width", "32px")

    # The poster form: pick languages and a location, then the poster shows them.
    page.check("input[value='ar']")
    page.check("input[value='uk']")
    page.select_option("#location", "Wacker Hof")
    page.click("form.form button[type=submit]")
    expect(page.locator("article h2 span[lang='uk']")).to_be_visible()
    expect(page.locator("article")).to_contain_text("Im Wacker Hof: FFP2-Maske")
    check_page(page)
    page.emulate_media(media="print")
    expect(page.locator("form.form")).to_be_hidden()
    expect(page.locator("article")).to_be_visible()
    page.emulate_media(media="screen")

    browser_sign_in(page, live_server.url, make_staff("editor"))
    page.goto(f"{live_server.url}/de/staff/hygiene/")
    check_page(page)
    page.click("a[href$='/rules/new']")
    page.select_option("#kind", "persons_per_room")
    page.fill("#text-de", "Höchstens {persons} Personen im Wartebereich")
    page.click("form.form button[type=submit]")
    expect(page.locator("#persons-error")).to_be_visible()
    check_page(page)
    page.fill("#persons", "4")
    page.click("form.form button[type=submit]")
    # The office's rules already limit the persons per room: a second such rule is refused, at the kind.
    expect(page.locator("#kind-error")).to_be_visible()
    check_page(page)
    page.select_option("#kind", "other")
    page.fill("#text-de", "Bitte warten Sie im Wartebereich, bis Sie aufgerufen werden")
    page.click("form.form button[type=submit]")
    expect(page.locator(".flash--success")).to_be_visible()
    page.goto(live_server.url + page.locator("a[href$='/edit']").first.get_attribute("href"))
    check_page(page)
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("locations", [["Wacker Hof"]], indirect=True)
def test_rules_are_saved_in_an_office_with_one_location(browser, live_server, make_staff, client):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("editor"))
    page.goto(f"{live_server.url}/de/staff/hygiene/rules/new")
    expect(page.locator("#location")).to_have_count(0)
    page.select_option("#kind", "payment")
    page.fill("#text-de", "Bitte nur mit Karte zahlen")
    page.click("form.form button[type=submit]")
    expect(page.locator(".flash--success")).to_be_visible()

    page.goto(live_server.url + page.locator("a[href$='/edit']").first.get_attribute("href"))
    page.fill("#text-de", "Bitte mit Karte oder Smartphone zahlen")
    page.click("form.form button[type=submit]")
    expect(page.locator(".flash--success")).to_be_visible()
    check_page(page)
    context.close()
    assert "Bitte mit Karte oder Smartphone zahlen" in client.get("/de/hygiene/").get_data(as_text=True)


def printed_pages(pdf: bytes) -> int:
    """Count the pages of a PDF printed by Chromium (one uncompressed /Type /Page dictionary each)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


@pytest.mark.browser
@pytest.mark.parametrize("languages", [("ar", "tr", "uk"), ("fa", "ru", "pl")])
def test_the_poster_with_german_and_three_languages_prints_on_one_a4_page(browser, live_server, data, today,
                                                                           languages):
    data(lambda session: load_defaults(session, today))
    page = browser.new_page()
    query = "&".join(f"languages={code}" for code in languages)
    page.goto(f"{live_server.url}/de/hygiene/poster?{query}")
    expect(page.locator("article h2 span[lang]")).to_have_count(4)
    assert printed_pages(page.pdf(prefer_css_page_size=True)) == 1
    page.close()


# Each word of the lines, as wide as the line's font draws it, that is wider than its line: the browser could only
# break it inside. Broken only where a line may break (not at the no-break space of "EC‑Karte / girocard").
WORDS_WIDER_THAN_THEIR_LINE = """(lines) => {
  const pen = document.createElement("canvas").getContext("2d");
  return lines.flatMap((line) => {
    const style = getComputedStyle(line);
    pen.font = style.font;
    const room = line.clientWidth - parseFloat(style.paddingInlineStart) - parseFloat(style.paddingInlineEnd);
    return line.textContent.split(/[ \\n\\t]+/).filter((word) => pen.measureText(word).width > room)
      .map((word) => `${word} (${Math.round(pen.measureText(word).width)} px in ${Math.round(room)} px)`);
  });
}"""


@pytest.mark.browser
def test_the_poster_s_words_fit_a_narrow_phone_whole_and_german_may_be_hyphenated(browser, live_server, data, today):
    data(lambda session: load_defaults(session, today))
    context = browser.new_context(**NARROW_PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/hygiene/poster?languages=ar&languages=ti")
    check_page(page)
    german = page.locator(".hygiene-poster__source")
    expect(german.first).to_contain_text("Maske")
    # Marked as German, a browser that knows German hyphenation breaks "Einladungs-schreiben" where it may.
    for line in german.all():
        expect(line).to_have_attribute("lang", "de")
        expect(line).to_have_css("hyphens", "auto")
    expect(page.locator(".hygiene-poster__other[lang='ar'][dir='rtl']")).to_have_count(german.count())
    # A browser that cannot (Chromium without its dictionaries, as here) breaks a word only if it is too wide.
    lines = page.locator(".hygiene-poster :is(.hygiene-poster__title-part, .hygiene-poster__source, "
                        ".hygiene-poster__other)")
    assert lines.evaluate_all(WORDS_WIDER_THAN_THEIR_LINE) == []
    context.close()
