"""The .ics file (parsed back), the printable result page and its expiring link, and deleting on schedule."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar
from portal_plugins.appointments.models import Appointment
from sqlalchemy import select, text

from portal import toolkit
from portal.testing import csrf_token


def result_links(client, birth_date=date(1985, 3, 27), lang="de"):
    url = f"/{lang}/appointments/"
    found = client.post(url, data={"csrf_token": csrf_token(client, url), "reference": "M-100001",
                                   "day": birth_date.day, "month": birth_date.month, "year": birth_date.year})
    # The lookup answers with the printable result page's own address.
    assert found.status_code == 303
    printable = found.headers["Location"]
    calendar = re.search(r'href="([^"]+\.ics)" download', client.get(printable).get_data(as_text=True))
    return (calendar.group(1) if calendar else None), printable


def test_ics_file_parses_back_with_the_appointment(client, add_appointment, database):
    appointment_id = add_appointment("M-100001", days=5, clock=time(9, 30), room="2.14")
    calendar_url, _print_url = result_links(client, lang="en")
    response = client.get(calendar_url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == 'attachment; filename="M-100001.ics"'
    calendar = Calendar.from_ical(response.get_data())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    with database() as session:
        starts_at = session.get(Appointment, appointment_id).starts_at
    assert event.decoded("dtstart") == starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert "Wacker Hof" in str(event["location"]) and "2.14" in str(event["location"])
    assert "M-100001" in str(event["description"])
    assert str(event["uid"]).startswith("appointment-M-100001@")
    assert [alarm.decoded("trigger") for alarm in event.walk("VALARM")] == [timedelta(days=-1)]


def test_printable_page_shows_the_appointment_without_asking_again(client, add_appointment):
    add_appointment("M-100001")
    _calendar_url, print_url = result_links(client)
    fresh = client.application.test_client()
    page = fresh.get(print_url).get_data(as_text=True)
    assert '<h1 id="appointment-title"' in page
    assert "Termin steht fest" in page and "data-print" in page
    assert "1985" not in page


def test_result_links_are_signed_and_expire(app, client, add_appointment):
    add_appointment("M-100001")
    calendar_url, print_url = result_links(client)
    assert client.get(print_url[:-3] + "xyz").status_code == 404
    settings = app.config["PORTAL"]["plugin_settings"]["appointments"]
    settings["result_link_minutes"] = -1
    try:
        expired = client.get(print_url)
        assert expired.status_code == 404
        assert "abgelaufen" in expired.get_data(as_text=True)
        # The page leads to the lookup, where the client asks again, not only home.
        assert '<a class="button" href="/de/appointments/">Termin prüfen</a>' in expired.get_data(as_text=True)
        assert client.get(calendar_url).status_code == 404
    finally:
        settings["result_link_minutes"] = 60


def test_no_calendar_file_without_a_date(client, add_appointment):
    add_appointment("M-100001", status="postponed", days=None)
    calendar_url, _print_url = result_links(client)
    assert calendar_url is None


def run_purge(app) -> str:
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    return result.output


def test_purge_deletes_closed_appointments_after_the_retention_period(app, add_appointment, database):
    long_ago = toolkit.utcnow() - timedelta(days=31)
    recently = toolkit.utcnow() - timedelta(days=29)
    purged = add_appointment("M-1", status="completed", days=None, status_changed_at=long_ago)
    add_appointment("M-2", status="cancelled", days=None, status_changed_at=long_ago)
    kept = add_appointment("M-3", status="cancelled", days=None, status_changed_at=recently)
    add_appointment("M-4", status="postponed", days=None, status_changed_at=long_ago)
    add_appointment("M-5", status="scheduled", days=-200, status_changed_at=long_ago)
    add_appointment("M-6", status="scheduled", days=-20, status_changed_at=long_ago)
    with database() as session:
        for target, reference in ((purged, "M-1"), (kept, "M-3")):
            toolkit.audit("update", "appointments_appointment", target, actor="sachbearbeitung@amt.example",
                          summary=reference, after={"status": "completed", "room": "2.14"})
        session.commit()
    assert "appointments: 3 deleted" in run_purge(app)
    with database() as session:
        left = session.scalars(select(Appointment.reference).order_by(Appointment.reference)).all()
        logged = session.execute(text("SELECT summary, after FROM core_audit_entry ORDER BY id")).all()
    assert left == ["M-3", "M-4", "M-6"]
    # The log keeps that a caseworker changed an appointment then, not which one it was or what it held.
    assert [row.summary for row in logged] == ["", "M-3"] and logged[0].after is None


def test_purge_deletes_an_undated_appointment_that_no_import_has_contained_for_the_stale_period(
        app, add_appointment, database):
    forgotten = toolkit.utcnow() - timedelta(days=181)
    add_appointment("M-1", status="postponed", days=None, imported_at=forgotten, updated_at=forgotten,
                    status_changed_at=forgotten, created_at=forgotten)
    # Still in the exports: kept, however long it has been postponed.
    add_appointment("M-2", status="postponed", days=None, updated_at=forgotten, status_changed_at=forgotten,
                    created_at=forgotten)
    # A date ahead keeps it, whenever it was last imported.
    add_appointment("M-3", status="scheduled", days=20, imported_at=forgotten, updated_at=forgotten,
                    status_changed_at=forgotten, created_at=forgotten)
    assert "appointments: 1 deleted" in run_purge(app)
    with database() as session:
        assert session.scalars(select(Appointment.reference).order_by(Appointment.reference)).all() == ["M-2", "M-3"]


def test_retention_days_come_from_the_settings(app, add_appointment, database):
    add_appointment("M-1", status="completed", days=None,
                    status_changed_at=datetime.now(UTC) - timedelta(days=10))
    settings = app.config["PORTAL"]["plugin_settings"]["appointments"]
    settings["retention_days"] = 7
    try:
        assert "appointments: 1 deleted" in run_purge(app)
    finally:
        settings["retention_days"] = 30
