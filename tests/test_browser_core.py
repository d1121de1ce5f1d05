"""Core pages in a real browser: phone and desktop, German, English and Arabic, keyboard, axe-core."""

import pytest

from portal.testing import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_icons_drawn,
    assert_no_horizontal_scroll,
    browser_sign_in,
)

pytestmark = pytest.mark.browser

CORE_PAGES = ["/", "/accessibility", "/easy-language", "/sign-language", "/staff/login", "/no-such-page"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["de", "en", "ar"])
def test_core_pages_render_without_sideways_scroll_and_pass_axe(live_server, browser, viewport, lang):
    context = browser.new_context(**viewport)
    page = context.new_page()
    for path in CORE_PAGES:
        page.goto(f"{live_server.url}/{lang}{path}")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert page.locator("h1").count() == 1
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
    context.close()


@pytest.mark.parametrize("width", [320, 375, 414])
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_open_language_list_fits_a_phone_whatever_the_header_holds(live_server, browser, lang, width):
    context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 740}})
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/")
    page.locator(".languages summary").click()
    assert page.locator(".languages a[hreflang=ti]").is_visible()
    assert_no_horizontal_scroll(page)
    context.close()


def test_icons_are_drawn_from_the_core_sprite_and_a_missing_one_is_caught(live_server, browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in ("/de/easy-language", "/ar/"):
        page.goto(f"{live_server.url}{path}")
        assert_icons_drawn(page)
    globe = page.locator(".languages summary use")
    globe.evaluate("(use, sprite) => use.setAttribute('href', sprite + '#nothing')",
                   globe.get_attribute("href").partition("#")[0])
    with pytest.raises(AssertionError, match="draws nothing"):
        assert_icons_drawn(page, timeout_ms=1000)
    context.close()


def test_keyboard_reaches_skip_link_language_switcher_and_content(live_server, browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/de/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto(f"{live_server.url}/de/")
    summary = page.locator(".languages summary")
    summary.focus()
    page.keyboard.press("Enter")
    english = page.locator(".languages a[hreflang=en]")
    assert english.is_visible()
    english.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_switching_the_language_asks_first_when_something_was_typed(live_server, browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    login = f"{live_server.url}/de/staff/login"
    page.goto(login)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.fill("#email", "kollegin@amt.example")
    page.locator(".languages summary").click()
    page.locator(".languages a[hreflang=en]").click()
    # Dismissed: the page and what was typed stay.
    assert asked == ["Was Sie auf dieser Seite eingegeben haben, geht beim Wechsel der Sprache verloren. "
                     "Trotzdem wechseln?"]
    assert page.url == login and page.input_value("#email") == "kollegin@amt.example"
    context.close()
    # Nothing typed: the switch needs no question.
    quiet = browser.new_context(**PHONE).new_page()
    quiet.on("dialog", lambda dialog: asked.append(dialog.message))
    quiet.goto(login)
    quiet.locator(".languages summary").click()
    quiet.locator(".languages a[hreflang=en]").click()
    quiet.wait_for_url(f"{live_server.url}/en/staff/login")
    assert len(asked) == 1
    quiet.context.close()


def test_pages_work_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/")
    page.locator(".languages summary").click()
    page.locator(".languages a[hreflang=de]").click()
    page.wait_for_url(f"{live_server.url}/de/")
    context.close()


def test_staff_login_and_staff_pages_pass_axe(live_server, browser, make_staff):
    admin = make_staff("admin")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    browser_sign_in(page, live_server.url, admin)
    for path in ["/de/staff/", "/de/staff/accounts", "/de/staff/audit", "/ar/staff/accounts"]:
        page.goto(live_server.url + path)
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
    context.close()


def test_tigrinya_pages_bring_the_portals_own_ethiopic_font_and_other_pages_do_not_fetch_it(live_server, browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    fonts = []
    page.on("request", lambda request: fonts.append(request.url) if request.resource_type == "font" else None)
    page.goto(f"{live_server.url}/de/")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert fonts == [], "a German page never needs the Ethiopic font"
    page.goto(f"{live_server.url}/ti/")
    faces = page.evaluate("document.fonts.load('1rem \"Portal Ethiopic\"', 'ትግርኛ').then(f => f.length)")
    assert faces == 1 and page.evaluate("document.fonts.check('1rem \"Portal Ethiopic\"', 'ትግርኛ')")
    assert fonts and all(url.startswith(f"{live_server.url}/static/") for url in fonts)
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Portal Ethiopic" in family
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    context.close()
