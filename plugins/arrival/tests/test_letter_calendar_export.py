"""The pass where the appointments plugin asks for it: letters, the calendar file and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import event, text

from portal import toolkit
from portal.testing import csrf_token, read_qr_svg

from .test_from_appointments import door_verdict, import_rows, pass_of, public_id

pytestmark = pytest.mark.portal_config({"plugins": ["appointments", "arrival"]})


@pytest.fixture
def day(app):
    with app.app_context():
        return toolkit.office_today() + timedelta(days=3)


def appointment_id(database, reference="M-100001"):
    with database() as session:
        return session.execute(text("SELECT id FROM appointments_appointment WHERE reference = :r"),
                               {"r": reference}).scalar_one()


def short_code_of(identifier):
    return f"{identifier[:4]}-{identifier[4:8]}-{identifier[8:12]}"


def test_the_letter_prints_the_pass_instead_of_the_lookups_code(app, database, tmp_path, day, staff_client):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2")
    code, identifier = pass_of(app, database), public_id(database)
    statements = []
    engine = app.extensions["portal.db"].engine
    record = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = staff_client("caseworker").get(f"/de/staff/appointments/{appointment_id(database)}/letter",
                                              query_string={"language": "ar"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    html = page.get_data(as_text=True)
    # The code at the head and the line in each language's part come from one reading of the pass.
    assert sum("FROM arrival_pass" in statement for statement in statements) == 1
    assert page.status_code == 200
    address = f"HTTP://LOCALHOST/P/{code}"
    svg = re.search(r'<svg[^>]*class="arrival-letter__qr".*?</svg>', html, re.S).group(0)
    assert read_qr_svg(svg).text == address
    assert re.search(r"<title>[^<]+</title>", svg), "screen readers name the code"
    assert 'class="appointments-letter__qr"' not in html
    assert f'<span class="arrival-letter__code" dir="ltr">{short_code_of(identifier)}</span>' in html
    assert "/arrival/static/letter.css" in html or "letter.css" in html
    # One line in each language's part, with the short code in text.
    assert html.count(f'<bdi dir="ltr">{short_code_of(identifier)}</bdi>') == 2
    assert "Zeigen Sie den QR-Code oben am Eingang vor" in html


def test_a_letter_without_a_pass_keeps_the_lookups_code(app, database, tmp_path, staff_client):
    import_rows(app, tmp_path, "M-100002;04.11.1990;eu-blue-card;cancelled;;;A;1;1")
    html = staff_client("caseworker").get(
        f"/de/staff/appointments/{appointment_id(database, 'M-100002')}/letter").get_data(as_text=True)
    assert 'class="appointments-letter__qr"' in html and "arrival-letter" not in html
    assert "geben Sie Ihr Geburtsdatum ein" in html


def test_a_days_letters_carry_each_appointments_pass(app, database, tmp_path, day, staff_client):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2",
                f"M-100002;04.11.1990;eu-blue-card;scheduled;{day:%d.%m.%Y};10:30;A;1;1")
    html = staff_client("caseworker").get("/de/staff/appointments/day/letters",
                                          query_string={"day": day.isoformat()}).get_data(as_text=True)
    for reference in ("M-100001", "M-100002"):
        assert f"HTTP://LOCALHOST/P/{pass_of(app, database, reference)}" in html
    assert html.count('class="arrival-letter__qr"') == 2


def test_the_calendar_file_links_the_pass(app, client, database, tmp_path, day):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2")
    url = "/en/appointments/"
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "reference": "M-100001", "day": "27",
                                  "month": "3", "year": "1985"}, follow_redirects=True).get_data(as_text=True)
    calendar = client.get(re.search(r'href="([^"]+\.ics)" download', page).group(1))
    event = next(iter(Calendar.from_ical(calendar.get_data()).walk("VEVENT")))
    # The pass's page in the language the file was made in, not the short address that follows the phone's.
    address = f"http://localhost/en/arrival/p/{pass_of(app, database)}"
    assert str(event["url"]) == address
    assert f"Your appointment online: {address}" in str(event["description"])
    assert client.get(address.replace("http://localhost", "")).status_code == 200


def test_the_export_adds_the_pass_address_and_short_code(app, database, tmp_path, day, staff_client):
    import_rows(app, tmp_path, f"M-100001;27.03.1985;eu-blue-card;scheduled;{day:%d.%m.%Y};09:30;A;1;2",
                f"M-100002;04.11.1990;eu-blue-card;scheduled;{day:%d.%m.%Y};08:30;A;1;1")
    with database() as session:
        # A revoked pass gives empty cells.
        session.execute(text("UPDATE arrival_pass SET revoked_at = issued_at WHERE public_id = :p"),
                        {"p": public_id(database, "M-100002")})
        session.commit()
    response = staff_client("caseworker").get("/de/staff/appointments/export",
                                              query_string={"first_day": day.isoformat()})
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    identifier = public_id(database)
    assert rows == [["reference", "pass_address", "short_code"], ["M-100002", "", ""],
                    ["M-100001", f"HTTP://LOCALHOST/P/{pass_of(app, database)}", short_code_of(identifier)]]
    assert door_verdict(app, rows[2][1].rsplit("/", 1)[1], day) == "valid_now"
