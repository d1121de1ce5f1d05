"""Passes follow the appointments through the event appointments.changed, and show on the result page."""

from __future__ import annotations

import base64
import re
from datetime import datetime, time, timedelta

import pytest
from lxml import html
from portal_plugins.arrival.door import check_in
from portal_plugins.arrival.issuing import current_pass
from portal_plugins.arrival.keys import keys_verifying_today
from sqlalchemy import text

from portal import toolkit
from portal.testing import csrf_token

pytestmark = pytest.mark.portal_config({"plugins": ["appointments", "arrival"]})
HEADER = "reference;birth_date;service;status;date;time;building;room;persons"


def import_rows(app, tmp_path, *rows):
    export = tmp_path / "export.csv"
    export.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return app.test_cli_runner().invoke(args=["appointments", "import", str(export)])


def public_id(database, reference="M-100001"):
    with database() as session:
        return session.execute(text("SELECT public_id FROM appointments_appointment WHERE reference = :r"),
                               {"r": reference}).scalar_one()


def door_verdict(app, code, at):
    with app.app_context():
        verdict = check_in(code, keys_verifying_today(), datetime.combine(at, time(9, 20), toolkit.office_zone()),
                           "test", None)
        toolkit.session().rollback()
        return verdict.kind


def pass_of(app, database, reference="M-100001"):
    identifier = public_id(database, reference)
    with app.app_context():
        return current_pass(identifier)


@pytest.fixture
def day(app):
    with app.app_context():
        return toolkit.office_today() + timedelta(days=3)


def test_an_imported_appointment_gets_a_pass_the_door_accepts(app, database, tmp_path, day):
    result = import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2")
    assert result.exit_code == 0, result.output
    code = pass_of(app, database)
    assert code is not None
    assert door_verdict(app, code, day) == "valid_now"


def test_an_import_that_postpones_revokes_the_pass(app, database, tmp_path, day):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2")
    code = pass_of(app, database)
    result = import_rows(app, tmp_path, "M-100001;27.03.1985;eu-blue-card;postponed;;;A;1;2")
    assert result.exit_code == 0, result.output
    assert pass_of(app, database) is None
    assert door_verdict(app, code, day) == "changed"


def test_a_moved_appointment_gets_a_new_pass_and_the_old_one_gets_the_same_verdict(app, database, tmp_path, day):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2")
    old = pass_of(app, database)
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};11:00;A;1;2")
    new = pass_of(app, database)
    assert new != old
    # The old letter names the same appointment: the door judges it by the new time, as it does its short code.
    assert door_verdict(app, old, day) == "too_early"
    assert door_verdict(app, new, day) == "too_early"


def test_a_void_or_unknown_pass_leads_to_the_lookup(app, client, database, tmp_path, day):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2")
    valid = pass_of(app, database)
    lookup_link = 'href="/de/appointments/"'
    assert lookup_link not in client.get(f"/de/arrival/p/{valid}").get_data(as_text=True).split("<main")[1]
    import_rows(app, tmp_path, "M-100001;27.03.1985;eu-blue-card;postponed;;;A;1;2")
    void = client.get(f"/de/arrival/p/{valid}").get_data(as_text=True)
    assert "gilt nicht mehr" in void and lookup_link in void.split("<main")[1]
    unknown = client.get("/de/arrival/p/NOT-A-PASS")
    assert unknown.status_code == 404 and lookup_link in unknown.get_data(as_text=True).split("<main")[1]


def cancel_by_staff(client, database):
    """Cancel the only appointment through the staff edit page; return the response."""
    with database() as session:
        appointment_id = session.execute(text("SELECT id FROM appointments_appointment")).scalar_one()
    url = f"/de/staff/appointments/{appointment_id}"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": csrf_token(client, url), "status": "cancelled", "day": "",
                                  "clock": "", "building": "A", "room": "1", "persons_allowed": "2",
                                  "version": version.group(1)})


def cancel_by_client(client):
    """Give the only appointment's date back through the self-service, as its client does; return the response."""
    lookup = "/de/appointments/"
    result = client.post(lookup, data={"csrf_token": csrf_token(client, lookup), "reference": "M-100001",
                                       "day": "27", "month": "3", "year": "1985"}, follow_redirects=True)
    token = re.search(r'name="token" value="([^"]+)"', result.get_data(as_text=True)).group(1)
    return client.post("/de/appointments/self-service/cancel", data={
        "csrf_token": csrf_token(client, lookup), "token": token, "wants_new_date": "yes"})


def test_a_date_the_client_gives_back_admits_no_one_until_the_office_gives_a_new_one(app, client, database, tmp_path,
                                                                                      day):
    row = f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2"
    assert import_rows(app, tmp_path, row).exit_code == 0
    code = pass_of(app, database)
    assert cancel_by_client(client).status_code == 303
    assert pass_of(app, database) is None
    assert door_verdict(app, code, day) == "changed"
    # The office's export shows the date until staff have handled the request: it stays given back.
    import_rows(app, tmp_path, row.replace(";2", ";1"))
    assert pass_of(app, database) is None
    later = day + timedelta(days=1)
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{later:%d.%m.%Y};09:30;A;1;1")
    assert door_verdict(app, pass_of(app, database), later) == "valid_now"


def result_page(client, reference, day_of_birth):
    """Look an appointment up as its client does (day_of_birth as day, month, year); return the result page."""
    lookup = "/de/appointments/"
    day, month, year = day_of_birth
    return client.post(lookup, data={"csrf_token": csrf_token(client, lookup), "reference": reference, "day": day,
                                     "month": month, "year": year}, follow_redirects=True).get_data(as_text=True)


def test_an_accepted_earlier_slot_moves_the_pass_and_an_import_of_the_old_date_keeps_it(app, client, database,
                                                                                         tmp_path, day, staff_client):
    later = day + timedelta(days=30)
    waiting = f"M-100002;01.01.1980;eu-blue-card;scheduled;{later:%d.%m.%Y};09:30;A;1;1"
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};08:00;A;2;2", waiting)
    old = pass_of(app, database, "M-100002")
    # M-100002 waits for an earlier date; M-100001 gives theirs back; staff offer it; M-100002 takes it.
    waiter = app.test_client()
    token = re.search(r'name="token" value="([^"]+)"', result_page(waiter, "M-100002", ("1", "1", "1980"))).group(1)
    waiter.post("/de/appointments/self-service/short-notice", data={
        "csrf_token": csrf_token(waiter, "/de/appointments/"), "token": token, "email": ""})
    assert cancel_by_client(client).status_code == 303
    staff = staff_client("caseworker")
    inbox = staff.get("/de/staff/appointments/self-service/").get_data(as_text=True)
    offer_path = re.search(r'action="(/de/staff/appointments/self-service/slots/\d+/offer)"', inbox).group(1)
    staff.post(offer_path, data={"csrf_token": csrf_token(staff, "/de/staff/appointments/self-service/")})
    accept_path = re.search(r'action="(/de/appointments/offer/[^"]+)"',
                            result_page(waiter, "M-100002", ("1", "1", "1980"))).group(1)
    assert waiter.post(accept_path, data={"csrf_token": csrf_token(waiter, "/de/appointments/")}).status_code == 303
    new = pass_of(app, database, "M-100002")
    assert new != old and door_verdict(app, old, later) == "another_day"
    assert door_verdict(app, new, day) == "valid_now"
    # The specialist system has not moved it yet: its export of the old date leaves the new pass as it is.
    import_rows(app, tmp_path, waiting)
    assert pass_of(app, database, "M-100002") == new


@pytest.fixture
def failing_handler(app):
    """Add a handler of appointments.changed that fails, after the arrival plugin's, for the test's length."""
    def failing(payload):
        raise RuntimeError("handler down")

    handlers = app.extensions["portal.events"].handlers["appointments.changed"]
    handlers.append(("stand-in", failing))
    yield
    handlers.remove(("stand-in", failing))


def test_a_staff_edit_that_cancels_revokes_the_pass(app, database, tmp_path, day, staff_client):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2")
    code = pass_of(app, database)
    assert cancel_by_staff(staff_client("caseworker"), database).status_code == 302
    assert pass_of(app, database) is None
    assert door_verdict(app, code, day) == "changed"


def test_a_failing_handler_rolls_the_staff_edit_back(app, database, tmp_path, day, staff_client, request):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2")
    code = pass_of(app, database)
    request.getfixturevalue("failing_handler")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert cancel_by_staff(staff_client("caseworker"), database).status_code == 500
    with database() as session:
        assert session.execute(text("SELECT status FROM appointments_appointment")).scalar_one() == "scheduled"
    assert pass_of(app, database) == code
    assert door_verdict(app, code, day) == "valid_now"


def test_a_failing_handler_rolls_the_import_back(app, database, tmp_path, day, failing_handler):
    result = import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2")
    assert result.exit_code != 0
    with database() as session:
        assert session.execute(text("SELECT count(*) FROM appointments_appointment")).scalar_one() == 0
        assert session.execute(text("SELECT count(*) FROM arrival_pass")).scalar_one() == 0


def test_the_result_page_shows_the_pass_qr_and_short_code(app, client, database, tmp_path, day):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2",
                "M-100002;04.11.1990;eu-blue-card;cancelled;;;A;1;1")
    url = "/de/appointments/"
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "reference": "M-100001", "day": "27",
                                  "month": "3", "year": "1985"}, follow_redirects=True).get_data(as_text=True)
    code = pass_of(app, database)
    identifier = public_id(database)
    assert "Ihre Einlasskarte für den Eingang" in page
    assert "<svg" in page and 'class="arrival-code__qr"' in page
    assert f"{identifier[:4]}-{identifier[4:8]}-{identifier[8:12]}" in page
    assert f"/de/arrival/p/{code}" in page
    cancelled = client.post(url, data={"csrf_token": csrf_token(client, url), "reference": "M-100002", "day": "4",
                                       "month": "11", "year": "1990"}, follow_redirects=True).get_data(as_text=True)
    assert "Abgesagt" in cancelled and "Ihre Einlasskarte für den Eingang" not in cancelled


def test_once_checked_in_the_result_page_no_longer_asks_to_show_the_pass(app, client, staff_client, database,
                                                                          tmp_path):
    with app.app_context():
        today = toolkit.office_today()
    # At midnight: the arrival window opens with the day, so the door lets the client in at any hour of the run.
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{today:%d.%m.%Y};00:00;A;1;1")
    identifier = public_id(database)
    before = result_page(client, "M-100001", (27, 3, 1985))
    assert "Was Sie jetzt tun" in before and "Am Eingang wird Ihre Einladung kontrolliert" in before
    door = staff_client("door")
    door.post("/de/staff/arrival/", data={"csrf_token": csrf_token(door, "/de/staff/arrival/"),
                                          "code": identifier[:12], "device": "Eingang"})
    with database() as session:
        checked_in_at = session.execute(text("SELECT checked_in_at FROM arrival_pass")).scalar_one()
    assert checked_in_at is not None
    page = result_page(client, "M-100001", (27, 3, 1985))
    # Inside, the client no longer needs the steps before coming (nor the self-service, which the page leaves out).
    assert "Was Sie jetzt tun" not in page and "Am Eingang wird Ihre Einladung kontrolliert" not in page
    section = html.fromstring(page).get_element_by_id("arrival-result-title").getparent()
    assert "Sie sind eingecheckt (um " in section.text_content() and "Bitte warten Sie" in section.text_content()
    assert section.xpath(".//svg") == [] and "Zeigen Sie diesen QR-Code" not in page
    assert section.xpath(".//a/@href") == [f"/de/arrival/p/{pass_of(app, database)}"]


def test_a_client_in_the_building_is_not_offered_to_cancel_or_move_the_appointment(app, client, database, tmp_path):
    with app.app_context():
        tomorrow = toolkit.office_today() + timedelta(days=1)
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{tomorrow:%d.%m.%Y};10:00;A;1;1")
    assert "Ich kann nicht kommen" in result_page(client, "M-100001", (27, 3, 1985))
    with database() as session:  # as the door records a check-in
        session.execute(text("UPDATE arrival_pass SET checked_in_at = :now"), {"now": toolkit.utcnow()})
        session.commit()
    page = result_page(client, "M-100001", (27, 3, 1985))
    assert "Ich kann nicht kommen" not in page and "Sie sind eingecheckt" in page


@pytest.mark.portal_config({"plugin_settings": {"appointments": {"extra_services": {
    "Führerschein_Umtausch": "Führerschein umtauschen"}}}})
def test_a_municipalitys_own_service_slug_still_gets_a_pass_which_does_not_carry_it(app, database, tmp_path, day):
    result = import_rows(app, tmp_path,
                         f"M-100001;27.03.1985;Führerschein_Umtausch;scheduled;{day:%d.%m.%Y};09:30;A;1;1")
    assert result.exit_code == 0, result.output
    with database() as session:
        assert session.execute(text("SELECT service_group FROM arrival_pass")).scalar_one() == "f-hrerschein-umtausch"
    code = pass_of(app, database)
    assert door_verdict(app, code, day) == "valid_now"
    # The waiting room learns the service from the table; whoever decodes the QR code does not.
    signed_bytes = base64.b32decode(code + "=" * (-len(code) % 8))[:-64]
    assert len(signed_bytes) == 26 and b"hrerschein" not in signed_bytes
