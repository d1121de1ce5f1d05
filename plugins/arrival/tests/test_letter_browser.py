"""In a real browser: the pass on a demo appointment's letter, read back from a screenshot, opens and checks in.

The same screenshot, filmed by the door's fake camera, checks the pass in: the issue's end to end.

And the new staff pages in German and Arabic on a phone: the letter, a day's
letters, the CSV export's form, the day at the door and the door's rules.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta

import pytest
import zxingcpp
from playwright.sync_api import expect
from sqlalchemy import text

from portal import toolkit
from portal.testing import PHONE, assert_accessible, assert_no_horizontal_scroll, browser_sign_in

from .conftest import screenshot_picture

pytestmark = [pytest.mark.browser,
              pytest.mark.portal_config({"plugins": ["appointments", "arrival", "hygiene"]})]


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def demo_morning(app, monkeypatch):
    """Let the door judge at 09:25 on the day of the demo appointment M-100001 (tomorrow, 09:30)."""
    with app.app_context():
        moment = datetime.combine(toolkit.office_today() + timedelta(days=1), time(9, 25), toolkit.office_zone())
    monkeypatch.setattr(toolkit, "office_now", lambda moment_=None: moment)
    return moment


def appointment_id(database, reference):
    with database() as session:
        return session.execute(text("SELECT id FROM appointments_appointment WHERE reference = :r"),
                               {"r": reference}).scalar_one()


def test_the_letters_qr_code_opens_the_pass_and_checks_in_at_the_door(browser, live_server, make_staff, database,
                                                                     demo, demo_morning):
    image = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshot (test extras)")
    context = browser.new_context(**PHONE, device_scale_factor=3)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("caseworker"))
    page.goto(f"{live_server.url}/de/staff/appointments/{appointment_id(database, 'M-100001')}/letter")
    qr = page.locator(".arrival-letter__qr")
    assert page.locator(".appointments-letter__qr").count() == 0
    # Printed 3 cm wide: 30 mm are 113 CSS pixels.
    assert round(qr.bounding_box()["width"]) == 113
    shot = qr.screenshot()
    found = zxingcpp.read_barcodes(image.open(io.BytesIO(shot)))
    assert [barcode.format for barcode in found] == [zxingcpp.BarcodeFormat.QRCode]
    address = found[0].text
    assert re.fullmatch(r"HTTP://127\.0\.0\.1:\d+/P/[A-Z2-7]+", address)
    short_code = page.locator(".arrival-letter__code").inner_text()
    assert short_code in page.locator(".appointments-letter__part").first.inner_text()
    context.close()

    client = browser.new_context(**PHONE, locale="de").new_page()
    client.goto(address)
    client.wait_for_selector(".arrival-pass-state--valid")
    assert "/de/arrival/p/" in client.url

    door = browser.new_context(**PHONE).new_page()
    browser_sign_in(door, live_server.url, make_staff("door"))
    door.goto(f"{live_server.url}/de/staff/arrival/")
    door.fill("#code", address.rsplit("/", 1)[1])
    door.press("#code", "Enter")
    door.wait_for_selector(".arrival-verdict--valid_now")
    # The hygiene plugin's rules at the entrance stand beside the verdict.
    door.wait_for_selector(".hygiene-door")
    assert_no_horizontal_scroll(door)
    assert_accessible(door)
    client.reload()
    client.wait_for_selector(".arrival-pass-state--checked_in")


@pytest.mark.slow
def test_a_pass_printed_on_the_letter_is_read_by_the_door_camera_and_checked_in_once(browser, camera_browser,
                                                                                    live_server, make_staff,
                                                                                    database, demo, demo_morning):
    letter = browser.new_context(**PHONE, device_scale_factor=3).new_page()
    browser_sign_in(letter, live_server.url, make_staff("caseworker"))
    letter.goto(f"{live_server.url}/de/staff/appointments/{appointment_id(database, 'M-100001')}/letter")
    letter.emulate_media(media="print")
    picture = screenshot_picture(letter.locator(".arrival-letter__qr").screenshot())
    letter.context.close()

    context = camera_browser(picture).new_context(**PHONE)
    context.grant_permissions(["camera"], origin=live_server.url)
    door = context.new_page()
    browser_sign_in(door, live_server.url, make_staff("door"))
    door.goto(f"{live_server.url}/de/staff/arrival/")
    door.click("#arrival-camera-button")
    expect(door.locator("#arrival-camera-video")).to_be_visible()
    expect(door.locator(".arrival-verdict--valid_now")).to_contain_text("Gültig: bitte einlassen")
    with database() as session:
        assert session.execute(text("SELECT count(*) FROM arrival_pass WHERE checked_in_at IS NOT NULL")
                               ).scalar_one() == 1


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_new_staff_pages_are_accessible_on_a_phone(browser, live_server, make_staff, database, demo,
                                                       demo_morning, lang):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("caseworker"), lang=lang)
    day = demo_morning.date().isoformat()
    letter = appointment_id(database, "M-100001")
    for path in (f"/staff/appointments/{letter}/letter?language=ar", f"/staff/appointments/day/letters?day={day}",
                 "/staff/appointments/export", "/staff/appointments/export?first_day=x",
                 f"/staff/appointments/day?day={day}", f"/staff/arrival/day/?day={day}"):
        page.goto(f"{live_server.url}/{lang}{path}")
        page.wait_for_selector("h1")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
    context.close()
