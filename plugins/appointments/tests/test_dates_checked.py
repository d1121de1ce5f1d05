"""Dates that cannot be met: a day that is over, a day or hour the office is closed, a permit already expired."""

from __future__ import annotations

import re
from datetime import date, timedelta

from portal_plugins.appointments.models import Appointment
from portal_plugins.appointments.selfservice_models import ShortNoticeEntry
from sqlalchemy import func, select

from .test_staff import edit_data, next_monday


def _weekday_after(weekday: int, after_days: int = 7) -> date:
    day = date.today() + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def test_a_date_whose_day_is_over_reads_as_passed_with_no_pass_calendar_or_self_service(
        client, add_appointment, open_result):
    add_appointment(days=-2)
    html, token = open_result(client)
    assert "Termin vorbei" in html and "Der Tag dieses Termins ist vorbei." in html
    assert "Bitte kommen Sie nicht ohne neuen Termin ins Amt." in html
    assert "appointment.ics" not in html and "Kommen Sie pünktlich" not in html
    assert "self-service/" not in html and token is None
    assert "/leicht#status-passed" in html
    assert 'id="status-passed"' in client.get("/de/appointments/leicht").get_data(as_text=True)
    body = client.post("/de/appointments/api/v1/lookup",
                       json={"reference": "M-100001", "birth_date": "1985-03-27"}).get_json()
    assert body["status"]["code"] == "passed" and body["starts_at"] and body["calendar_url"] is None


def test_a_date_today_still_reads_as_to_come(client, add_appointment, open_result):
    add_appointment(days=0)
    html, _token = open_result(client)
    assert "Termin vorbei" not in html and "Kommen Sie pünktlich" in html


def test_staff_may_not_move_an_appointment_to_a_day_that_is_over(staff_client, add_appointment, database):
    appointment_id = add_appointment(days=5)
    client = staff_client("caseworker")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    url, data = edit_data(client, appointment_id, day=yesterday, clock="09:30", room="3.01")
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Dieser Tag ist schon vorbei. Bitte wählen Sie einen Tag ab heute." in response.get_data(as_text=True)
    with database() as session:
        assert session.get(Appointment, appointment_id).room == "2.14"


def test_an_appointment_whose_day_is_over_may_still_be_saved_with_its_date(staff_client, add_appointment,
                                                                          database):
    appointment_id = add_appointment(days=-3)
    client = staff_client("caseworker")
    url, data = edit_data(client, appointment_id, room="3.01")
    assert client.post(url, data=data).status_code == 302
    with database() as session:
        assert session.get(Appointment, appointment_id).room == "3.01"


def test_a_day_or_hour_the_office_is_closed_needs_a_confirmation(staff_client, add_appointment, database):
    appointment_id = add_appointment(days=5)
    client = staff_client("caseworker")
    wednesday = _weekday_after(2)
    url, data = edit_data(client, appointment_id, day=wednesday.isoformat(), clock="09:30")
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Das Amt ist an diesem Wochentag geschlossen." in page
    assert 'name="outside_hours_confirmed"' in page
    # The demo office opens Mondays 07:30 to 12:00 only.
    url, data = edit_data(client, appointment_id, day=next_monday().isoformat(), clock="14:00")
    page = client.post(url, data=data).get_data(as_text=True)
    assert "an diesem Tag zu dieser Uhrzeit nicht geöffnet (geöffnet: \u206807:30–12:00\u2069)" in page
    url, data = edit_data(client, appointment_id, day=wednesday.isoformat(), clock="09:30",
                          outside_hours_confirmed="y")
    assert client.post(url, data=data).status_code == 302
    with database() as session:
        stored = session.get(Appointment, appointment_id).starts_at
    assert stored.date() == wednesday
    # Saved as confirmed, it is kept without asking again.
    url, data = edit_data(client, appointment_id, room="3.01")
    assert client.post(url, data=data).status_code == 302


def test_a_permit_that_expired_is_not_put_first_on_the_short_notice_list(client, database, add_appointment,
                                                                        open_result, act):
    add_appointment(days=40)
    _html, token = open_result(client)
    answer = act(client, "short-notice", token, day="3", month="1", year="2020")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Dieses Datum ist schon vorbei. Bitte prüfen Sie das Jahr." in page
    assert "notfall@musterstadt.example" in page and 'value="2020"' in page
    with database() as session:
        assert session.scalar(select(func.count()).select_from(ShortNoticeEntry)) == 0


def test_a_date_whose_day_is_over_cannot_wait_for_an_earlier_one(client, add_appointment, open_result):
    add_appointment(days=-1)
    html, _token = open_result(client)
    assert "Ich kann kurzfristig kommen" not in html


def test_another_date_offers_the_afternoon_only_with_a_day_it_opens_then(client, add_appointment, open_result,
                                                                        act):
    add_appointment(days=40)
    _html, token = open_result(client)
    form = client.get(f"/de/appointments/self-service/new-date?t={token}").get_data(as_text=True)
    assert "Nachmittag nur an diesen Tagen: Donnerstag." in form
    answer = act(client, "new-date", token, reason="work", weekdays="mon", day_times="afternoon")
    assert answer.status_code == 422
    assert "An den gewählten Tagen ist das Amt zu dieser Tageszeit nicht geöffnet." in answer.get_data(as_text=True)
    answer = act(client, "new-date", token, reason="work", weekdays=["mon", "thu"], day_times="afternoon")
    assert answer.status_code == 200
    assert re.search("Neuer Termin|neuen Termin", answer.get_data(as_text=True))
