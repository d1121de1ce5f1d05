"""The door's scanner in a real browser: the camera reading a QR code, a keyboard scanner, and going offline."""

import re
from datetime import time
from time import monotonic

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import request
from playwright.sync_api import expect
from portal_plugins.arrival import door_views
from portal_plugins.arrival.door import revoke
from portal_plugins.arrival.models import ArrivalPass
from portal_plugins.arrival.passes import public_id_text, short_code, sign
from sqlalchemy import select

from portal import toolkit
from portal.testing import PHONE, assert_accessible, assert_icons_drawn, assert_no_horizontal_scroll, browser_sign_in

from .conftest import CAMERA_SIZE, format_1_bytes, qr_code_picture, signed

SMALL_PHONE = {**PHONE, "viewport": {"width": 320, "height": 640}}


def _check_ins(data):
    return data(lambda session: sorted(row.public_id for row in session.scalars(select(ArrivalPass))
                                       if row.checked_in_at))


def _set_offline(context, page, offline: bool) -> None:
    """Take the door's phone off the network, or bring it back.

    Its check-ins are also held back by a route: on a busy machine, the page that a reload brought through the
    service worker once sent them while the context was offline (Chromium's emulation had not reached it yet).
    """
    check_ins = re.compile(r"/staff/arrival/check")
    if offline:
        context.set_offline(True)
        page.route(check_ins, lambda route: route.abort("internetdisconnected"))
        # Scanning before the page knows would try the network first, through the service worker, which the
        # emulation and the route may not reach on a busy machine.
        deadline = monotonic() + 10
        while page.evaluate("navigator.onLine") and monotonic() < deadline:
            page.wait_for_timeout(50)
    else:
        page.unroute(check_ins)
        context.set_offline(False)


def _door(page, live_server, make_staff, lang="de"):
    browser_sign_in(page, live_server.url, make_staff("door"), lang=lang)
    page.goto(f"{live_server.url}/{lang}/staff/arrival/")
    expect(page.locator("#arrival-door-form")).to_have_attribute("data-offline-day", re.compile(r"\d{4}-\d\d-\d\d"))


def _let_in_offline(browser, live_server, make_staff, code):
    """Open the door on a phone, take it off the network and let a pass in there; return the context and the page."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _door(page, live_server, make_staff)
    _set_offline(context, page, True)
    page.fill("#code", code)
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--valid_now")).to_be_visible()
    return context, page


@pytest.mark.browser
def test_the_camera_reads_the_letters_qr_code_and_checks_the_pass_in_once(camera_browser, live_server, make_staff,
                                                                          make_pass, data):
    code, facts = make_pass()
    host = live_server.url.removeprefix("http://")
    context = camera_browser(qr_code_picture(f"HTTP://{host}/P/{code}")).new_context(**PHONE)
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    _door(page, live_server, make_staff)
    page.click("#arrival-camera-button")
    expect(page.locator("#arrival-camera-video")).to_be_visible()
    expect(page.locator(".arrival-verdict--valid_now")).to_contain_text("Gültig: bitte einlassen")
    expect(page.locator(".arrival-verdict__detail")).to_have_text("2 Personen dürfen eintreten.")
    # The code stays in view: it is read once, and the verdict stays.
    page.wait_for_timeout(2500)
    expect(page.locator(".arrival-verdict--valid_now")).to_be_visible()
    assert _check_ins(data) == [public_id_text(facts.public_id)]
    page.click("#arrival-camera-button")
    expect(page.locator("#arrival-camera-video")).to_be_hidden()


@pytest.mark.browser
def test_a_keyboard_scanner_gets_its_verdict_without_reloading_and_without_script(browser, live_server, make_staff,
                                                                                 make_pass, data):
    code, facts = make_pass()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _door(page, live_server, make_staff)
    page.evaluate("window.stillTheSamePage = true")
    page.focus("#code")
    page.keyboard.insert_text(code)
    page.keyboard.press("Enter")
    expect(page.locator(".arrival-verdict--valid_now")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator("#code")).to_be_focused()
    page.keyboard.insert_text(short_code(facts.public_id))
    page.keyboard.press("Enter")
    expect(page.locator(".arrival-verdict--already_checked_in")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    # No script refused by the page's policy, no script error; the service worker took the page.
    assert errors == []
    assert page.evaluate("navigator.serviceWorker.ready.then(registration => registration.scope)") == \
        f"{live_server.url}/de/staff/arrival/"
    context.close()

    other, _ = make_pass(public_id=bytes(range(1, 17)))
    without_script = browser.new_context(**PHONE, java_script_enabled=False).new_page()
    _sign_in_without_script(without_script, live_server, make_staff)
    expect(without_script.locator("#arrival-camera")).to_be_hidden()
    without_script.fill("#code", other)
    without_script.press("#code", "Enter")
    expect(without_script.locator(".arrival-verdict--valid_now")).to_be_visible()
    assert len(_check_ins(data)) == 2
    # The field for the next pass, and the verdict's title below it, are in view without scrolling.
    assert _within_viewport(without_script, "#code") and _within_viewport(without_script, ".arrival-verdict__title")
    # Reloading shows the page anew and checks nothing in a second time.
    without_script.reload()
    expect(without_script.locator(".arrival-verdict")).to_have_count(0)
    assert len(_check_ins(data)) == 2


@pytest.mark.browser
@pytest.mark.portal_config({"plugins": ["arrival", "queue"]})
def test_after_each_verdict_the_field_is_in_view_on_a_phone_with_the_verdict_below(browser, live_server,
                                                                                   make_staff, make_pass):
    codes = [make_pass(public_id=bytes(range(n, n + 16)))[0] for n in range(2)]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _door(page, live_server, make_staff)
    # The second number differs from the first and the third is the first again: each wait is for a new verdict.
    for code, number in ((codes[0], "A 001"), (codes[1], "A 002"), (codes[0], "A 001")):
        page.fill("#code", code)
        page.press("#code", "Enter")
        expect(page.locator(".queue-door__number")).to_have_text(number)
        expect(page.locator("#code")).to_be_focused()
        expect(page.locator("#code")).to_be_in_viewport(ratio=1)
        expect(page.locator(".arrival-verdict__title")).to_be_in_viewport(ratio=1)
    context.close()


def _within_viewport(page, selector):
    """Tell whether the element's box lies wholly inside the viewport as it is scrolled now."""
    box = page.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]


def _sign_in_without_script(page, live_server, make_staff):
    browser_sign_in(page, live_server.url, make_staff("door"))
    page.goto(f"{live_server.url}/de/staff/arrival/")


@pytest.mark.browser
@pytest.mark.portal_config({"plugins": ["arrival", "queue"]})
def test_offline_the_door_judges_passes_itself_and_sends_them_when_back(browser, live_server, make_staff,
                                                                         make_pass, data):
    passes = [make_pass(public_id=bytes(range(n, n + 16))) for n in range(3)]
    codes = [code for code, _ in passes]
    _, facts = make_pass(public_id=bytes(range(5, 21)))
    forged = sign(facts, Ed25519PrivateKey.generate())
    cancelled, cancelled_facts = make_pass(public_id=bytes(range(6, 22)))
    data(lambda session: revoke(cancelled_facts.public_id, toolkit.utcnow()))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _door(page, live_server, make_staff)
    banner = page.locator("#arrival-offline")
    # Offline only once the service worker has kept the page, so that the reload below finds it.
    expect(page.locator("#arrival-door-form")).to_have_attribute("data-offline-ready", "true")
    page.fill("#device", "Eingang B")
    _set_offline(context, page, True)
    # The third is typed as its short code, which the device finds in today's list.
    for number, code in enumerate([*codes[:2], short_code(passes[2][1].public_id)], start=1):
        page.fill("#code", code)
        page.press("#code", "Enter")
        expect(page.locator(".arrival-verdict--valid_now")).to_be_visible()
        expect(page.locator(".arrival-verdict__note")).to_contain_text("wird übertragen")
        expect(page.locator(".arrival-verdict__note")).to_contain_text("Die Wartenummer erscheint dann hier")
        expect(banner).to_contain_text(f"Noch nicht übertragen: {number}")
        page.evaluate("document.getElementById('arrival-verdict-area').replaceChildren()")
    expect(banner).to_have_text(re.compile(r"Ohne Verbindung seit \d\d:\d\d\. Noch nicht übertragen: 3"))
    page.fill("#code", codes[0])
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--already_checked_in")).to_be_visible()
    for other, kind in ((forged, "not_genuine"), (codes[1][:40] + codes[1][41:], "not_genuine"),
                        (cancelled, "changed")):
        page.fill("#code", other)
        page.press("#code", "Enter")
        expect(page.locator(f".arrival-verdict--{kind}")).to_be_visible()
        # Nothing of it waits to be sent.
        expect(page.locator(".arrival-verdict__note")).to_have_text("Ohne Verbindung geprüft.")
        page.evaluate("document.getElementById('arrival-verdict-area').replaceChildren()")
    expect(banner).to_contain_text("Noch nicht übertragen: 3")
    assert _check_ins(data) == []
    # The service worker keeps the page, its files, the keys and today's list: it reloads and still judges.
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    # The label typed during the outage outlives the reload from the copy kept before it was typed.
    expect(page.locator("#device")).to_have_value("Eingang B")
    assert_icons_drawn(page)  # the sprite files too
    expect(banner).to_contain_text("Noch nicht übertragen: 3")
    page.fill("#code", codes[2])
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--already_checked_in")).to_be_visible()
    assert _check_ins(data) == []

    _set_offline(context, page, False)
    expect(banner).to_be_empty()
    assert len(_check_ins(data)) == 3
    # Each client let in offline gets the waiting number now: the door shows it by the letter's short code.
    sent = page.locator("#arrival-sent-list > li")
    expect(sent).to_have_count(3)
    for _, facts in passes:
        item = sent.filter(has_text=short_code(facts.public_id))
        expect(item).to_contain_text("2 Personen dürfen eintreten.")
        expect(item.locator(".queue-door__number")).to_have_text(re.compile(r"^A 00[123]$"))
    assert_accessible(page)
    page.click("#arrival-sent-clear")
    expect(page.locator("#arrival-sent")).to_be_hidden()
    # Each check-in keeps the label the device had when it was made, though the page reloaded from its cache since.
    assert data(lambda session: {row.checked_in_device for row in session.scalars(select(ArrivalPass))
                                 if row.checked_in_at}) == {"Eingang B"}
    page.fill("#code", codes[1])
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--already_checked_in")).to_be_visible()
    assert len(_check_ins(data)) == 3
    context.close()


@pytest.mark.browser
def test_a_server_that_cannot_answer_leaves_the_door_judging_as_offline(browser, live_server, make_staff, make_pass,
                                                                        data):
    (first, _), (second, _) = make_pass(public_id=bytes(range(16))), make_pass(public_id=bytes(range(1, 17)))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _door(page, live_server, make_staff)
    # The proxy in front answers 502 while the app servers restart (or 503 while the database is away).
    unavailable = re.compile(r"/staff/arrival/check")
    page.route(unavailable, lambda route: route.fulfill(status=502, content_type="text/html", body="Bad Gateway"))
    page.fill("#code", first)
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--valid_now")).to_be_visible()
    expect(page.locator(".arrival-verdict__note")).to_contain_text("wird übertragen")
    banner = page.locator("#arrival-offline")
    expect(banner).to_contain_text("Noch nicht übertragen: 1")
    expect(banner).not_to_contain_text("Abgemeldet")
    assert _check_ins(data) == []
    # Reloaded meanwhile, the page comes from the service worker's copy instead of the proxy's error page.
    expect(page.locator("#arrival-door-form")).to_have_attribute("data-offline-ready", "true")
    door_page = re.compile(r"/staff/arrival/$")
    context.route(door_page, lambda route: route.fulfill(status=502, content_type="text/html", body="Bad Gateway"))
    page.reload()
    expect(page.locator("#arrival-door-form")).to_be_visible()
    expect(banner).to_contain_text("Noch nicht übertragen: 1")
    context.unroute(door_page)
    # Answering again, the server takes the next pass and the one judged on the device.
    page.unroute(unavailable)
    page.fill("#code", second)
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--valid_now")).to_be_visible()
    expect(banner).to_be_empty()
    assert len(_check_ins(data)) == 2
    context.close()


@pytest.mark.browser
def test_a_pass_let_in_offline_but_cancelled_before_the_upload_is_named_as_not_checked_in(browser, live_server,
                                                                                          make_staff, make_pass, data):
    code, facts = make_pass()
    context, page = _let_in_offline(browser, live_server, make_staff, code)
    # The office cancels the appointment while the door is still without a connection.
    data(lambda session: revoke(facts.public_id, toolkit.utcnow()))
    _set_offline(context, page, False)
    refused = page.locator("#arrival-sent-list > li.arrival-sent__item--refused")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(short_code(facts.public_id))
    expect(refused).to_contain_text("Geändert oder abgesagt")
    assert _check_ins(data) == []
    assert_accessible(page)
    context.close()


@pytest.mark.browser
def test_offline_a_pass_of_format_1_printed_before_is_let_in_and_checked_in_when_back(browser, live_server,
                                                                                     make_staff, make_pass,
                                                                                     signing_key, data):
    _, facts = make_pass()
    printed_before = signed(format_1_bytes(facts, "naturalisation-certificate-handover", "ar"), signing_key()[1])
    context, page = _let_in_offline(browser, live_server, make_staff, printed_before)
    expect(page.locator(".arrival-verdict__detail")).to_have_text("2 Personen dürfen eintreten.")
    assert _check_ins(data) == []
    _set_offline(context, page, False)
    expect(page.locator("#arrival-offline")).to_be_empty()
    assert _check_ins(data) == [public_id_text(facts.public_id)]
    context.close()


@pytest.mark.browser
def test_a_pass_let_in_offline_and_shown_again_once_back_is_already_checked_in(browser, live_server, make_staff,
                                                                               make_pass, data):
    code, _ = make_pass()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _door(page, live_server, make_staff)
    # The network fails for the door's requests while the phone still believes itself online (a weak signal).
    check_ins = re.compile(r"/staff/arrival/check")
    page.route(check_ins, lambda route: route.abort("connectionreset"))
    page.fill("#code", code)
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--valid_now")).to_be_visible()
    expect(page.locator("#arrival-offline")).to_contain_text("Noch nicht übertragen: 1")
    page.evaluate("document.getElementById('arrival-verdict-area').replaceChildren()")
    page.unroute(check_ins)
    # Shown again (a screenshot passed back) before the device sent its check-ins by itself: they go first.
    page.fill("#code", code)
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--already_checked_in")).to_be_visible()
    expect(page.locator(".arrival-verdict--valid_now")).to_have_count(0)
    assert len(_check_ins(data)) == 1
    context.close()


@pytest.mark.browser
def test_a_door_signed_out_with_check_ins_waiting_says_so_and_keeps_them(browser, live_server, make_staff, make_pass,
                                                                          data):
    code, _ = make_pass()
    context, page = _let_in_offline(browser, live_server, make_staff, code)
    context.clear_cookies()
    _set_offline(context, page, False)
    banner = page.locator("#arrival-offline.arrival-offline--signed-out")
    expect(banner).to_contain_text("Abgemeldet")
    expect(banner).to_contain_text("1 Eincheckvorgänge bleiben auf diesem Gerät gespeichert")
    expect(banner).not_to_contain_text("Ohne Verbindung seit")
    assert _check_ins(data) == []
    # Signed in again, the page sends what it kept.
    _door(page, live_server, make_staff)
    expect(page.locator("#arrival-offline")).to_be_empty()
    assert len(_check_ins(data)) == 1
    context.close()


@pytest.mark.browser
def test_the_servers_word_on_an_empty_field_gives_way_to_the_next_verdict(browser, live_server, make_staff,
                                                                          make_pass):
    code, _ = make_pass()
    page = browser.new_context(**PHONE).new_page()
    _door(page, live_server, make_staff)
    # Enter on the empty field: the page without script answers, with the field's error.
    with page.expect_navigation():
        page.press("#code", "Enter")
    expect(page.locator("#code-error")).to_have_text("Bitte scannen Sie die Einlasskarte oder tippen Sie den "
                                                     "Kurzcode ein.")
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    page.fill("#code", code)
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--valid_now")).to_be_visible()
    expect(page.locator("#code-error")).to_have_count(0)
    assert page.evaluate("document.getElementById('code').getAttribute('aria-invalid')") is None
    assert "code-error" not in (page.get_attribute("#code", "aria-describedby") or "")
    expect(page.locator(".field--error")).to_have_count(0)


@pytest.mark.browser
def test_a_door_page_left_open_takes_a_new_release_after_a_quiet_minute_with_its_camera_on(camera_browser,
                                                                                          live_server, make_staff,
                                                                                          monkeypatch):
    width, height = CAMERA_SIZE
    context = camera_browser(b"\x80" * (width * height)).new_context(**PHONE)
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.clock.install()
    _door(page, live_server, make_staff)
    page.click("#arrival-camera-button")
    expect(page.locator("#arrival-camera-video")).to_be_visible()
    page.evaluate("window.openedBeforeTheRelease = true")
    monkeypatch.setattr(door_views, "door_version", lambda: "a-new-release")

    def after_the_next_list(minutes_seconds):
        """Let the clock jump (the list is asked for every 30 s) and give the page time to answer."""
        page.clock.fast_forward(minutes_seconds)
        page.wait_for_timeout(1000)

    # A code half typed in the field keeps the page, however long it stays there.
    page.fill("#code", "AAAQ")
    after_the_next_list("02:00")
    assert page.evaluate("window.openedBeforeTheRelease") is True
    # Emptied just now: not quiet for a minute yet.
    page.fill("#code", "")
    after_the_next_list("00:35")
    assert page.evaluate("window.openedBeforeTheRelease") is True
    # A quiet minute: the page of the new release, with the camera on again.
    with page.expect_navigation():
        page.clock.fast_forward("00:30")
    assert page.evaluate("JSON.parse(document.getElementById('arrival-door-data').textContent).version") == \
        "a-new-release"
    assert page.evaluate("window.openedBeforeTheRelease") is None
    expect(page.locator("#arrival-camera-video")).to_be_visible()
    expect(page.locator("#arrival-camera-button")).to_have_text("Kamera anhalten")
    # Once on the new release, the page stays.
    page.evaluate("window.openedOnTheRelease = true")
    after_the_next_list("03:00")
    assert page.evaluate("window.openedOnTheRelease") is True
    # A reload that brings an older page than the list's (an offline copy, a server behind) is tried again only
    # after ten minutes.
    monkeypatch.setattr(door_views, "door_version", lambda: "a-new-release" if request.endpoint.endswith(".door")
                        else "a-later-release")
    with page.expect_navigation():
        page.clock.fast_forward("01:05")
    page.evaluate("window.openedAgain = true")
    after_the_next_list("03:00")
    after_the_next_list("03:00")
    assert page.evaluate("window.openedAgain") is True
    with page.expect_navigation():
        page.clock.fast_forward("04:30")
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_door_with_its_scanner_is_accessible_on_a_small_phone(browser, live_server, make_staff, make_pass, lang):
    code, _ = make_pass()
    early, _ = make_pass(public_id=bytes(range(40, 56)), window_start=time(23, 58))
    context = browser.new_context(**SMALL_PHONE)
    page = context.new_page()
    _door(page, live_server, make_staff, lang=lang)
    expect(page.locator("#arrival-camera-button")).to_be_visible()
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    _set_offline(context, page, True)
    page.fill("#code", code)
    page.press("#code", "Enter")
    expect(page.locator(".arrival-verdict--valid_now")).to_be_visible()
    expect(page.locator("#arrival-offline")).not_to_be_empty()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    # The time to come back is written as the page's language writes times, not as stored (Arabic: 11:58 p.m.).
    page.fill("#code", early)
    page.press("#code", "Enter")
    detail = page.locator(".arrival-verdict--too_early .arrival-verdict__detail")
    expect(detail).to_be_visible()
    if lang == "de":
        expect(detail).to_contain_text("23:58")
    else:
        expect(detail).not_to_contain_text("23:58")
    _set_offline(context, page, False)
    expect(page.locator("#arrival-offline")).to_be_empty()
    context.close()
