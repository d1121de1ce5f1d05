"""The staff area in a real browser: the warning before the idle timeout, and extending the session."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from portal.testing import (
    DESKTOP,
    NARROW_PHONE,
    PHONE,
    TEST_PASSWORD,
    assert_accessible,
    assert_no_horizontal_scroll,
    browser_sign_in,
    end_staff_sessions,
)

pytestmark = pytest.mark.browser


def test_a_warning_comes_before_the_idle_timeout_and_the_session_can_be_extended(browser, live_server, make_staff):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.clock.install()
    browser_sign_in(page, live_server.url, make_staff("admin"))
    warning = page.locator(".session-status__warning")
    expect(warning).to_be_hidden()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    # 26 of the 30 idle minutes pass in the page: the warning (5 minutes before) shows in the live region.
    page.clock.fast_forward("26:00")
    expect(warning).to_be_visible()
    expect(page.locator("#session-status [role=status]")).to_contain_text("endet bald")
    assert_accessible(page)

    page.get_by_role("button", name="Sitzung verlängern").click()
    expect(page.locator(".session-status__warning")).to_be_hidden()
    # The answer replaced the form in place, so the page was not reloaded.
    assert page.url.endswith("/de/staff/")
    context.close()


def check_phone_and_desktop(page) -> None:
    assert_accessible(page)
    page.set_viewport_size(PHONE["viewport"])
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP["viewport"])


def test_staff_pages_pass_axe_on_phones_and_desktops(browser, live_server, make_staff):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/de/staff/login")
    check_phone_and_desktop(page)
    browser_sign_in(page, live_server.url, make_staff("admin"))
    colleague = make_staff("editor")
    for path in ("/de/staff/accounts", "/de/staff/audit", "/ar/staff/audit?area=x", "/ar/staff/", "/ar/staff/password",
                 f"/ar/staff/accounts/{colleague.id}/password"):
        page.goto(live_server.url + path)
        check_phone_and_desktop(page)
    context.close()


def test_extending_an_ended_session_leads_to_the_login_and_back(browser, live_server, app, make_staff):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    admin = make_staff("admin")
    browser_sign_in(page, live_server.url, admin)
    page.goto(f"{live_server.url}/de/staff/audit")
    end_staff_sessions(app)
    # The button asks through htmx; the answer sends the whole window to the login, not into the staff bar.
    page.get_by_role("button", name="Sitzung verlängern").click()
    page.wait_for_url("**/de/staff/login?next=/de/staff/audit")
    expect(page.locator("#session-status")).to_have_count(0)
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/de/staff/audit")
    context.close()


def test_a_kept_form_in_arabic_on_a_320_px_phone(browser, live_server, app, make_staff):
    """The kept sign-in page and the offer to send again, right to left, pass axe and fit a small phone."""
    context = browser.new_context(**NARROW_PHONE)
    page = context.new_page()
    admin = make_staff("admin")
    browser_sign_in(page, live_server.url, admin, lang="ar")
    page.goto(f"{live_server.url}/ar/staff/accounts")
    page.fill("input[name=email]", "neu@amt.example")
    page.fill("input[name=display_name]", "زينب كايا")
    page.fill("input[name=password]", "ein-langes-Passwort-2026")
    end_staff_sessions(app)
    page.locator("main form.form button[type=submit]").click()

    expect(page.locator(".callout")).to_be_visible()
    assert page.get_attribute("html", "dir") == "rtl"
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    expect(page.locator("#send-again")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.locator("#send-again button").click()
    # The password was not kept: the form asks for it and shows the rest.
    expect(page.locator("input[name=display_name]")).to_have_value("زينب كايا")
    expect(page.locator("input[name=password]")).to_have_value("")
    context.close()


def test_a_wide_table_on_a_320_px_phone_scrolls_in_its_box_and_keeps_its_words_whole(browser, live_server,
                                                                                     make_staff, tmp_path):
    context = browser.new_context(**NARROW_PHONE)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("editor"), lang="ar")
    page.goto(f"{live_server.url}/ar/staff/translations/")
    assert_no_horizontal_scroll(page)
    # The lines a cell's text takes: each header is one word, and "interface" one more below them.
    lines = page.evaluate("""() => [...document.querySelector('.table-wrap').querySelectorAll('th, td')].slice(0, 7)
      .map(cell => { const range = document.createRange(); range.selectNodeContents(cell);
        return [cell.textContent.trim(), new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size];
      })""")
    assert [cell for cell, count in lines if count != 1] == [], lines
    box = page.locator(".table-wrap").first
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")
    # A shadow at the edge says that the table goes on (the covers that hide it at an end move with the content).
    style = box.evaluate("box => [getComputedStyle(box).backgroundImage, getComputedStyle(box).backgroundAttachment]")
    assert style[0].count("linear-gradient") == 4 and style[1] == "local, local, scroll, scroll", style
    # Seen on an empty wide table of the page's kind: the edge beyond which it goes on is dark from its top (the left
    # one in Arabic), the other is not; scrolled to the end, the other way round.
    page.evaluate("""() => {
      document.querySelector('main').insertAdjacentHTML('afterbegin',
        '<div class="table-wrap" id="probe"><table><tr><td></td></tr></table></div>');
      // Sized through the CSSOM: the page's Content-Security-Policy refuses style attributes.
      Object.assign(document.querySelector('#probe table').style, {inlineSize: '60rem', blockSize: '10rem'});
    }""")
    probe = page.locator("#probe")

    def edges() -> tuple[int, int]:
        probe.screenshot(path=str(tmp_path / "probe.png"))
        shot = Image.open(tmp_path / "probe.png").convert("L")
        return shot.getpixel((1, 5)), shot.getpixel((shot.width - 2, 5))

    left, right = edges()
    assert left < 230 and right > 250, (left, right)
    probe.evaluate("box => { box.scrollLeft = -box.scrollWidth; }")
    left, right = edges()
    assert left > 250 and right < 230, (left, right)
    context.close()


def test_the_staff_menu_folds_away_on_a_phone_and_lies_open_on_a_desktop(browser, live_server, make_staff):
    context = browser.new_context(**NARROW_PHONE)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("admin"))
    menu = page.locator(".staff-menu > summary")
    audit_link = page.locator(".staff-nav").get_by_role("link", name="Protokoll")
    # Folded, the page's own content starts on the first screen, above the dozen links an administrator has.
    expect(menu).to_be_visible()
    expect(audit_link).to_be_hidden()
    assert page.locator("main h1").bounding_box()["y"] < 640
    assert_accessible(page)

    menu.focus()
    page.keyboard.press("Enter")
    expect(audit_link).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    audit_link.click()
    page.wait_for_url("**/de/staff/audit")
    expect(page.locator(".staff-nav a[aria-current=page]")).to_have_text("Protokoll")
    expect(audit_link).to_be_hidden()  # folded again on the new page

    page.set_viewport_size(DESKTOP["viewport"])
    expect(menu).to_be_hidden()
    expect(audit_link).to_be_visible()
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the language switch
    page.keyboard.press("Tab")
    expect(page.locator(".staff-nav a").first).to_be_focused()
    assert_accessible(page)
    context.close()


def test_an_error_summary_link_shows_the_field_with_its_label(browser, live_server, make_staff):
    page = browser.new_context(**PHONE).new_page()
    browser_sign_in(page, live_server.url, make_staff("admin"))
    page.goto(f"{live_server.url}/de/staff/accounts")
    page.click("form.form.narrow button[type=submit]")
    page.locator("#error-summary a[href='#role']").click()
    expect(page.locator("#role")).to_be_focused()
    # Followed as a plain link, the box would sit at the top of the screen with its label cut off above.
    label = page.locator("label[for=role]").bounding_box()
    assert label is not None and label["y"] >= 0
