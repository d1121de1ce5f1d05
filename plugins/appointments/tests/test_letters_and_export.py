"""A day's letters on one printable page, and the CSV export for the mail merge, without other plugins."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import text

from portal.testing import audit_log

from .conftest import BERLIN


def tomorrow():
    return datetime.now(BERLIN).date() + timedelta(days=1)


def test_a_days_letters_print_on_one_page_one_per_sheet(staff_client, add_appointment):
    add_appointment("M-100002", days=1, clock=time(10, 0))
    add_appointment("M-100001", days=1, clock=time(9, 0))
    add_appointment("M-100003", days=2, clock=time(9, 0))
    page = staff_client("caseworker").get("/de/staff/appointments/day/letters",
                                          query_string={"day": tomorrow().isoformat(), "language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('<div class="appointments-letters__sheet">') == 2
    assert re.findall(r'aria-label="Einladungsschreiben (M-\d+)"', html) == ["M-100001", "M-100002"]
    assert html.count('<section class="appointments-letter__part" lang="en" dir="ltr">') == 2
    # Without a plugin answering, each letter keeps the lookup's QR code.
    assert html.count('class="appointments-letter__qr"') == 2


def test_the_day_view_and_its_letters_say_when_a_day_is_unreadable(staff_client, today):
    desk = staff_client("caseworker")
    for path in ("/de/staff/appointments/day", "/de/staff/appointments/day/letters"):
        response = desk.get(path, query_string={"day": "31.02.2027", "language": "ar"})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "Dieses Datum gibt es nicht." in page, path
        assert 'value="31.02.2027"' in page and format_date(today, "long", locale="de") in page, path
        assert desk.get(path, query_string={"day": "15.01.2027"}).status_code == 200


def test_the_day_view_links_the_letters_and_the_export(staff_client):
    day = tomorrow().isoformat()
    html = staff_client("caseworker").get("/de/staff/appointments/day", query_string={"day": day}).get_data(
        as_text=True)
    assert f'href="/de/staff/appointments/day/letters?day={day}"' in html
    assert f'href="/de/staff/appointments/export?first_day={day}"' in html


def test_letters_and_export_are_for_caseworkers(staff_client):
    for role, status in (("editor", 403), ("door", 403), ("caseworker", 200), ("admin", 200)):
        client = staff_client(role)
        assert client.get("/de/staff/appointments/day/letters").status_code == status
        assert client.get("/de/staff/appointments/export").status_code == status


def read_csv(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_export_lists_the_references_of_a_range_in_order(staff_client, add_appointment, database):
    add_appointment("M-100002", days=2, clock=time(9, 0))
    add_appointment("M-100001", days=1, clock=time(11, 0))
    add_appointment("M-100004", days=4, clock=time(9, 0))
    client = staff_client("caseworker")
    first, last = tomorrow(), tomorrow() + timedelta(days=2)
    response = client.get("/de/staff/appointments/export",
                          query_string={"first_day": first.isoformat(), "last_day": last.isoformat()})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="appointments-{first.isoformat()}-{last.isoformat()}.csv"'
    assert read_csv(response) == [["reference"], ["M-100001"], ["M-100002"]]
    one_day = client.get("/de/staff/appointments/export", query_string={"first_day": first.isoformat()})
    assert read_csv(one_day) == [["reference"], ["M-100001"]]
    with database() as session:
        audited = session.execute(text("SELECT action, target_type, target_id FROM core_audit_entry")).all()
    assert [tuple(row) for row in audited] == [
        ("export", "appointments_export", f"{first.isoformat()}/{last.isoformat()}"),
        ("export", "appointments_export", f"{first.isoformat()}/{first.isoformat()}")]


def test_the_audit_log_names_the_exports_days_in_the_readers_words(staff_client):
    first, last = tomorrow(), tomorrow() + timedelta(days=2)
    staff_client("caseworker").get("/de/staff/appointments/export",
                                   query_string={"first_day": first.isoformat(), "last_day": last.isoformat()})
    [entry] = audit_log(staff_client("admin"), "en")
    assert entry.what == f"CSV export for the mail merge downloaded {first.isoformat()}/{last.isoformat()}"
    assert entry.changes == [f"From | After: {format_date(first, 'medium', locale='en')}",
                             f"Up to and including | After: {format_date(last, 'medium', locale='en')}"]


@pytest.mark.parametrize("query, message", [
    ({"first_day": "gestern"}, "Bitte ein Datum angeben, zum Beispiel 31.07.2026."),
    ({"first_day": "", "last_day": "2026-05-01"}, "Bitte geben Sie den ersten Tag an."),
    ({"first_day": "2026-05-02", "last_day": "2026-05-01"}, "Der letzte Tag liegt vor dem ersten."),
    ({"first_day": "2026-05-01", "last_day": "2026-06-01"}, "Bitte höchstens 31 Tage auf einmal."),
])
def test_a_bad_range_is_refused_with_the_reason(staff_client, query, message):
    response = staff_client("caseworker").get("/de/staff/appointments/export", query_string=query)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_a_reference_that_would_start_a_formula_is_exported_as_text(staff_client, add_appointment):
    add_appointment("-100001", days=1)
    response = staff_client("caseworker").get("/de/staff/appointments/export",
                                              query_string={"first_day": tomorrow().isoformat()})
    assert read_csv(response) == [["reference"], ["'-100001"]]


def test_the_day_views_letters_link_opens_without_an_error(staff_client, add_appointment):
    # The day view's link names the day only: the letters are in German alone, with nothing marked wrong.
    add_appointment("M-100001", days=1)
    page = staff_client("caseworker").get("/de/staff/appointments/day/letters",
                                          query_string={"day": tomorrow().isoformat()})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Bitte aus der Liste wählen" not in html and "Not a valid choice" not in html
    assert html.count('<div class="appointments-letters__sheet">') == 1


def test_a_date_given_back_is_marked_for_staff_and_gets_no_letter(staff_client, add_appointment, client, open_result,
                                                                 act):
    add_appointment("M-100001", days=1)
    add_appointment("M-100002", days=1, clock=time(10, 0))
    _html, token = open_result(client)
    act(client, "cancel", token, wants_new_date="no")
    desk = staff_client("caseworker")
    day = tomorrow().isoformat()
    view = desk.get("/de/staff/appointments/day", query_string={"day": day}).get_data(as_text=True)
    row = re.search(r"<tr>(?:(?!</tr>).)*M-100001(?:(?!</tr>).)*</tr>", view, re.S).group(0)
    assert "Über das Portal abgesagt" in row and "Termin steht fest" not in row
    letters = desk.get("/de/staff/appointments/day/letters", query_string={"day": day}).get_data(as_text=True)
    assert re.findall(r'aria-label="Einladungsschreiben (M-\d+)"', letters) == ["M-100002"]
    export = desk.get("/de/staff/appointments/export", query_string={"first_day": day, "last_day": day})
    assert "M-100001" not in export.get_data(as_text=True) and "M-100002" in export.get_data(as_text=True)


def test_an_invitation_letter_does_not_say_a_letter_was_sent(staff_client, add_appointment):
    add_appointment("M-100001", days=1, status="invited")
    letters = staff_client("caseworker").get("/de/staff/appointments/day/letters",
                                             query_string={"day": tomorrow().isoformat()}).get_data(as_text=True)
    assert "Kommen Sie pünktlich zu diesem Termin." in letters
    assert "Wir haben Ihnen einen Brief mit Ihrem Termin geschickt." not in letters
