"""The call display in Chromium: a call appears, blinks, chimes and is announced; offline it keeps its board and says
since when, back online it catches up once; without a script it loads itself anew; German and Arabic pass axe at
1080p and at 320 px."""

import re

import pytest
from playwright.sync_api import expect
from portal_plugins.queue import display_views, service

from portal import toolkit
from portal.testing import assert_accessible, assert_no_horizontal_scroll

FULL_HD = {"viewport": {"width": 1920, "height": 1080}}
NARROW = {"viewport": {"width": 320, "height": 640}}
# Long enough for the first poll (at the page's default interval) and a back-off step.
WAIT = 20_000


@pytest.fixture(scope="module")
def kiosk(browser_type, browser_type_launch_args):
    """Chromium started as the documentation tells a municipality to start it: sound without a touch first."""
    arguments = [*browser_type_launch_args.get("args", []), "--autoplay-policy=no-user-gesture-required"]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": arguments})
    yield browser
    browser.close()


def open_display(browser, base_url, lang="de", poll_seconds=1, stale_seconds=None, **context_options):
    page = browser.new_context(**{**FULL_HD, **context_options}).new_page()
    page.goto(f"{base_url}/{lang}/queue/display/office")
    settings = {"queueDisplayPollSeconds": poll_seconds}
    if stale_seconds:
        settings["queueDisplayStaleSeconds"] = stale_seconds
    # The page reads its delays at each use: shorter ones here instead of waiting in the test.
    page.evaluate("(settings) => Object.assign(document.getElementById('queue-display').dataset, settings)", settings)
    return page


def shown_numbers(page) -> list[str]:
    return page.locator("[data-queue-display-board] .queue-display-call__number").all_text_contents()


def finish(data, desk_slug):
    def run(session):
        service.finish(service.active_ticket(service.find_desk(desk_slug)), toolkit.utcnow())
        session.commit()

    data(run)


@pytest.mark.browser
def test_a_call_appears_blinks_chimes_and_is_announced(kiosk, live_server, issue, call_next):
    issue(), issue()
    page = open_display(kiosk, live_server.url)
    expect(page.locator(".queue-display-empty")).to_be_visible()
    root = page.locator("#queue-display")
    expect(root).to_have_attribute("data-queue-display-chimes", "0")

    call_next()
    current = page.locator(".queue-display-call--current")
    expect(current.locator(".queue-display-call__number")).to_have_text("A 001", timeout=WAIT)
    expect(current).to_contain_text("Raum 2.14")
    expect(current).to_have_class(re.compile(r"queue-display-call--new"))
    expect(page.locator("[data-queue-display-signal]")).to_be_visible()
    expect(root).to_have_attribute("data-queue-display-chimes", "1")
    expect(page.locator("[data-queue-display-announcer]")).to_have_text("A 001: Bitte gehen Sie jetzt in Raum 2.14.")
    assert page.locator("[data-queue-display-chime]").evaluate("audio => audio.error === null")

    # Readable from five metres: numbers and rooms at least 48 px on a 1080p screen.
    sizes = page.locator(".queue-display-call__number, .queue-display-call__room").evaluate_all(
        "(elements) => elements.map((element) => parseFloat(getComputedStyle(element).fontSize))")
    assert sizes and min(sizes) >= 48, sizes

    call_next("raum-2-15")
    expect(current.locator(".queue-display-call__number")).to_have_text("A 002", timeout=WAIT)
    expect(root).to_have_attribute("data-queue-display-chimes", "2")
    assert shown_numbers(page) == ["A 002", "A 001"]
    # Nothing new: the polls get 304 and the board, the chime and the announcement stay as they are.
    page.wait_for_timeout(2500)
    expect(root).to_have_attribute("data-queue-display-chimes", "2")
    assert shown_numbers(page) == ["A 002", "A 001"]
    page.context.close()


@pytest.mark.browser
def test_offline_it_keeps_its_board_says_since_when_and_catches_up_with_one_chime(kiosk, live_server, issue,
                                                                                   call_next, data):
    for _ in range(4):
        issue()
    page = open_display(kiosk, live_server.url, stale_seconds=3)
    call_next()
    current = page.locator(".queue-display-call--current .queue-display-call__number")
    expect(current).to_have_text("A 001", timeout=WAIT)
    root = page.locator("#queue-display")
    expect(root).to_have_attribute("data-queue-display-chimes", "1")
    banner = page.locator("[data-queue-display-stale]")
    expect(banner).to_be_hidden()

    page.context.set_offline(True)
    expect(banner).to_be_visible(timeout=WAIT)
    expect(banner).to_contain_text(re.compile(r"Nicht aktuell seit \d\d:\d\d"))
    expect(current).to_have_text("A 001")
    assert shown_numbers(page) == ["A 001"]

    # Meanwhile two desks call.
    finish(data, "raum-2-14")
    call_next("raum-2-15")
    call_next("raum-2-14")
    page.context.set_offline(False)
    expect(current).to_have_text("A 003", timeout=WAIT)
    expect(banner).to_be_hidden()
    assert shown_numbers(page) == ["A 003", "A 002", "A 001"]
    expect(page.locator(".queue-display-call--new")).to_have_count(2)
    expect(root).to_have_attribute("data-queue-display-chimes", "2")
    announced = page.locator("[data-queue-display-announcer]").text_content()
    assert announced.index("A 002") < announced.index("A 003") and "A 001" not in announced
    page.context.close()


# A browser started without the autoplay flag: sound only once someone has clicked (or touched) the page.
BLOCK_SOUND_UNTIL_A_CLICK = """(() => {
  let clicked = false;
  addEventListener("click", (event) => { clicked = clicked || event.isTrusted; }, true);
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    return clicked ? play.call(this) : Promise.reject(new DOMException("no click yet", "NotAllowedError"));
  };
})()"""


@pytest.mark.browser
def test_a_browser_that_blocks_the_chime_offers_a_button_that_allows_it(browser, live_server, issue, call_next):
    issue(), issue()
    context = browser.new_context(**FULL_HD)
    context.add_init_script(BLOCK_SOUND_UNTIL_A_CLICK)
    page = context.new_page()
    page.goto(f"{live_server.url}/de/queue/display/office")
    page.evaluate("document.getElementById('queue-display').dataset.queueDisplayPollSeconds = '1'")
    call_next()
    expect(page.locator(".queue-display-call--current")).to_contain_text("A 001", timeout=WAIT)
    button = page.get_by_role("button", name="Ton einschalten")
    expect(button).to_be_visible()
    root = page.locator("#queue-display")
    expect(root).to_have_attribute("data-queue-display-chimes", "0")
    assert_accessible(page)
    button.click()
    expect(root).to_have_attribute("data-queue-display-chimes", "1")
    expect(button).to_be_hidden()
    call_next("raum-2-15")
    expect(root).to_have_attribute("data-queue-display-chimes", "2", timeout=WAIT)
    expect(button).to_be_hidden()
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_display_is_accessible_at_1080p_and_at_320_px(browser, live_server, issue, call_next, lang):
    for _ in range(3):
        issue()
    issue("service-point")
    call_next("raum-2-14"), call_next("raum-2-15"), call_next("service-point-1")
    for viewport in (FULL_HD, NARROW):
        page = browser.new_context(**viewport).new_page()
        page.goto(f"{live_server.url}/{lang}/queue/display/office")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert shown_numbers(page) == ["S 001", "A 002", "A 001"]
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        if viewport is FULL_HD:
            # One screen: nothing below the fold on a 1080p television.
            assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
        page.context.close()


@pytest.mark.browser
def test_the_instruction_rotates_through_the_languages(browser, live_server):
    page = browser.new_context(**FULL_HD).new_page()
    page.goto(f"{live_server.url}/ar/queue/display/office")
    tip = page.locator("[data-queue-display-tip]:not([hidden])")
    expect(tip).to_have_attribute("lang", "ar")
    page.evaluate("document.getElementById('queue-display').dataset.queueDisplayTipSeconds = '1'")
    expect(tip).to_have_attribute("lang", "de", timeout=WAIT)
    expect(tip).to_have_attribute("dir", "ltr")
    expect(tip).to_have_count(1)
    expect(tip).to_have_attribute("lang", "en", timeout=WAIT)
    page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("script", ["none", "without fetch"])
def test_without_javascript_it_loads_itself_anew_and_fits_a_television(browser, live_server, issue, call_next, data,
                                                                        monkeypatch, script):
    monkeypatch.setattr(display_views, "RELOAD_SECONDS", 1)
    for _ in range(7):
        issue()
    for _number in range(6):
        call_next()
        finish(data, "raum-2-14")
    page = browser.new_context(viewport={"width": 1280, "height": 720}, java_script_enabled=script != "none").new_page()
    if script == "without fetch":  # an old browser: the script cannot follow the board
        page.add_init_script("delete window.fetch")
    page.goto(f"{live_server.url}/de/queue/display/office")
    current = page.locator(".queue-display-call--current .queue-display-call__number")
    expect(current).to_have_text("A 006")
    assert page.evaluate("document.documentElement.scrollHeight") <= 720
    assert "JavaScript" not in page.locator("body").inner_text()
    call_next()
    expect(current).to_have_text("A 007", timeout=WAIT)
    # Loaded anew, not followed: no chime was counted.
    expect(page.locator("#queue-display")).to_have_attribute("data-queue-display-chimes", "0")
    expect(page.locator("[data-queue-display-stale]")).to_be_hidden()
    page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_seven_calls_fit_television_screens_and_desk_names_keep_to_one_line(browser, live_server, issue, call_next,
                                                                            data, lang):
    for _ in range(6):
        issue()
    for _ in range(2):
        issue("service-point")
    for _number in range(6):
        call_next("raum-2-14")
        finish(data, "raum-2-14")
    call_next("service-point-2")
    for width, height in ((1280, 720), (1366, 768), (1920, 1080)):
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        page.goto(f"{live_server.url}/{lang}/queue/display/office")
        expect(page.locator(".queue-display-call--current")).to_contain_text("S 001")
        # A kiosk cannot scroll: the page fits the screen, the older calls left out where it is short.
        assert page.evaluate("document.documentElement.scrollHeight") <= height, (width, height)
        shown = page.locator(".queue-display-list .queue-display-call:visible .queue-display-call__number")
        assert shown.count() >= 2 and shown.first.text_content() == "A 006"
        # The desk's name, the office's own in German, on one line and isolated from an Arabic sentence around it.
        place = page.locator(".queue-display-call--current .queue-display-call__room span[lang=de]")
        expect(place).to_have_text("Service Point, Schalter 2")
        expect(place).to_have_attribute("dir", "ltr")
        assert place.evaluate("node => node.getClientRects().length") == 1, (width, height)
        assert_no_horizontal_scroll(page)
        page.context.close()
