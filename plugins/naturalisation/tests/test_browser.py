"""The handover lookup in a real browser on a phone: readable, keyboard-usable, no axe-core violation."""

from datetime import date, time, timedelta

import pytest
from portal_plugins.naturalisation.models import HandoverAppointment, HandoverCase, HandoverPerson, birth_key

from portal.testing import PHONE, assert_accessible, assert_no_horizontal_scroll, browser_sign_in


def fill_birth_date(page, day: str, month: str, year: str) -> None:
    """Type a date of birth into the three boxes."""
    for box, value in (("#day", day), ("#month", month), ("#year", year)):
        page.fill(box, value)


@pytest.mark.browser
def test_handover_lookup_on_a_phone(live_server, browser, database, make_staff, today):
    day = today + timedelta(days=3)
    with database() as db:
        case = HandoverCase(reference="54/12-2026", ready_on=today, letter_language="ar",
                    persons=[HandoverPerson(position=1, birth_key=birth_key("54/12-2026", date(1985, 7, 31)),
                                            state="planned")])
        db.add(case)
        db.add(HandoverAppointment(day=day, starts_at=time(9, 20), office="Raum 2", persons=case.persons))
        db.commit()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/de/naturalisation/")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.click("main form button[type=submit]")
    assert page.locator("#reference-error").is_visible()
    assert page.locator("#birth_date-error").is_visible()
    assert page.locator("#year").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.fill("#reference", "54 12 2026")
    fill_birth_date(page, "31", "7", "1985")
    page.press("#year", "Enter")
    page.wait_for_selector("#lookup-result")
    assert page.locator("#lookup-result h1").inner_text() == "Ihr Termin"
    assert "Raum 2" in page.locator("#lookup-result").inner_text()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/ar/naturalisation/")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert page.locator("#reference").get_attribute("dir") == "ltr"
    page.fill("#reference", "54/12-2026")
    # Digits as an Arabic phone keyboard types them.
    fill_birth_date(page, "٣١", "٧", "١٩٨٥")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#lookup-result")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    # Without JavaScript the plain form works the same way.
    plain = browser.new_context(java_script_enabled=False, **PHONE).new_page()
    plain.goto(f"{live_server.url}/de/naturalisation/")
    plain.fill("#reference", "54/12-2026")
    fill_birth_date(plain, "31", "07", "1985")
    plain.click("main form button[type=submit]")
    assert "Raum 2" in plain.locator("#lookup-result").inner_text()
    result_address = plain.url
    assert "/de/naturalisation/result/" in result_address
    # Back from another page and the language switch keep the answer; nothing asks to send the form again.
    plain.goto(f"{live_server.url}/de/")
    plain.go_back()
    assert plain.url == result_address and "Raum 2" in plain.locator("#lookup-result").inner_text()
    plain.reload()
    assert "Raum 2" in plain.locator("#lookup-result").inner_text()
    plain.locator(".languages summary").click()
    plain.locator(".languages a[hreflang=ar]").click()
    assert plain.url == result_address.replace("/de/", "/ar/")
    assert plain.locator("html").get_attribute("dir") == "rtl"
    assert "Raum 2" in plain.locator("#lookup-result").inner_text()
    # Nothing found is said above the form, where a phone's screen shows it, and focused.
    plain.goto(f"{live_server.url}/de/naturalisation/")
    plain.fill("#reference", "54/12-2026")
    fill_birth_date(plain, "01", "01", "1990")
    plain.click("main form button[type=submit]")
    assert plain.evaluate("document.activeElement.id") == "lookup-result"
    assert plain.locator("#lookup-result").bounding_box()["y"] < plain.locator("main form").bounding_box()["y"]
    plain.context.close()

    # The staff's pages for the same day pass too: day plan and letters.
    browser_sign_in(page, live_server.url, make_staff("caseworker"))
    for path in ("", f"days/{day.isoformat()}", f"days/{day.isoformat()}/letters", f"cases/{case.id}"):
        page.goto(f"{live_server.url}/de/staff/naturalisation/{path}")
        assert_accessible(page)
    context.close()
