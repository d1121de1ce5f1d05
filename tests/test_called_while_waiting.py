"""Three plugins agree when a desk calls a client who follows the visit on the pass's page or the appointment's
result page rather than the ticket's."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from portal.testing import NARROW_PHONE, assert_accessible, assert_no_horizontal_scroll, browser_sign_in
from tests.support import check_in_at_the_door, import_todays_appointment, todays_result_page


@pytest.mark.browser
@pytest.mark.portal_config({"plugins": ["appointments", "arrival", "queue"]})
def test_the_pass_page_of_a_called_client_says_where_to_go(app, browser, live_server, make_staff, client, staff_client,
                                                            tmp_path, today):
    import_todays_appointment(app, tmp_path, today)
    result = todays_result_page(client)
    pass_address = re.search(r'href="/de(/arrival/[^"]+)">Einlasskarte auf dem Telefon', result).group(1)
    with app.app_context():
        public_id = app.extensions["portal.db"].session.scalar(text("SELECT public_id FROM arrival_pass"))
    check_in_at_the_door(staff_client("door"), public_id)

    desk = browser.new_context().new_page()
    browser_sign_in(desk, live_server.url, make_staff("caseworker"))
    desk.goto(f"{live_server.url}/de/staff/queue/desk/raum-2-14")
    desk.click("text=Nächste Nummer aufrufen")
    expect(desk.locator(".queue-current__number")).to_have_text("A 001")

    for script in (True, False):
        phone = browser.new_context(**NARROW_PHONE, java_script_enabled=script).new_page()
        phone.goto(f"{live_server.url}/ar{pass_address}")
        call = phone.locator(".queue-call")
        expect(call).to_contain_text("2.14")
        expect(call.locator("a")).to_have_attribute("href", re.compile(r"^/ar/queue/t/"))
        assert phone.get_attribute("html", "dir") == "rtl"
        # The queue's stylesheet comes with the call, and its arrow points the way Arabic reads.
        assert phone.evaluate("getComputedStyle(document.querySelector('.queue-call')).borderTopStyle") == "solid"
        assert phone.evaluate("getComputedStyle(document.querySelector('.queue-call__arrow')).transform") == \
            "matrix(-1, 0, 0, 1, 0, 0)"
        assert_no_horizontal_scroll(phone)
        if script:  # axe-core runs in the page's script
            assert_accessible(phone)
        phone.context.close()
    # The appointment's result page says the same as the pass page, rather than to wait for the call.
    result = todays_result_page(client)
    assert "Sie sind an der Reihe!" in result and "Bitte gehen Sie jetzt in Raum 2.14." in result
    assert "Bitte warten Sie, bis Sie aufgerufen werden" not in result
