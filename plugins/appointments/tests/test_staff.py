"""Staff pages: search, edit with audit and optimistic locking, invitation letter with QR code, day view."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal_plugins.appointments.demo import add_demo_appointments
from portal_plugins.appointments.models import Appointment
from sqlalchemy import select, text

from portal.testing import audit_log, csrf_token, read_qr_svg

BERLIN = ZoneInfo("Europe/Berlin")
VERSION = r'name="version" type="hidden" value="(\d+)"'


def edit_data(client, appointment_id, **changes):
    """Return the edit page's address and its form as stored (date and time too), with some fields changed."""
    url = f"/de/staff/appointments/{appointment_id}"
    page = client.get(url).get_data(as_text=True)
    version = re.search(VERSION, page).group(1)
    stored = {name: (re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page)) for name in ("day", "clock")}
    data = {"csrf_token": csrf_token(client, url), "status": "scheduled", "building": "Wacker Hof", "room": "2.14",
            "persons_allowed": "1", "version": version,
            **{name: found.group(1) if found else "" for name, found in stored.items()}}
    return url, data | changes


def next_monday(after_days: int = 7) -> date:
    """Return a Monday at least after_days ahead: a day the demo office opens (07:30 to 12:00)."""
    day = date.today() + timedelta(days=after_days)
    return day + timedelta(days=-day.weekday() % 7)


def test_only_caseworkers_and_admins_reach_the_pages(staff_client, client):
    assert staff_client("editor").get("/de/staff/appointments/").status_code == 403
    assert staff_client("caseworker").get("/de/staff/appointments/").status_code == 200
    assert client.get("/de/staff/appointments/import").status_code == 302


def test_search_by_reference_service_status_and_date(staff_client, add_appointment):
    add_appointment("M-100001", days=1)
    add_appointment("M-100002", days=2, service="eu-blue-card")
    add_appointment("M-200003", days=None, status="postponed")
    client = staff_client("caseworker")

    def found(**query):
        page = client.get("/de/staff/appointments/", query_string=query).get_data(as_text=True)
        return re.findall(r'dir="ltr">(M-\d+)</a>', page)

    assert found() == ["M-100001", "M-100002", "M-200003"]
    assert found(reference="m-1000") == ["M-100001", "M-100002"]
    assert found(reference="M 1000") == found(reference="m1000") == ["M-100001", "M-100002"]
    assert found(reference="М-1000") == ["M-100001", "M-100002"], "a Cyrillic М is read as M, as in the lookup"
    assert found(service="eu-blue-card") == ["M-100002"]
    assert found(status="postponed") == ["M-200003"]
    tomorrow = datetime.now(BERLIN).date() + timedelta(days=1)
    assert found(day=tomorrow.isoformat()) == ["M-100001"]
    # An unreadable part finds nothing, not everything the other parts would have narrowed, and says why.
    response = client.get("/de/staff/appointments/", query_string={"status": "postponed", "day": "32.12.2026"})
    assert response.status_code == 422 and "Dieses Datum gibt es nicht." in response.get_data(as_text=True)
    assert found(status="postponed", day="32.12.2026") == []


def test_edit_is_saved_and_audited(staff_client, add_appointment, database):
    appointment_id = add_appointment("M-100001", status="invited")
    client = staff_client("caseworker")
    url, data = edit_data(client, appointment_id, status="postponed", day="", clock="", room="3.01")
    response = client.post(url, data=data)
    assert response.status_code == 302
    with database() as session:
        stored = session.get(Appointment, appointment_id)
        assert (stored.status, stored.starts_at, stored.room, stored.version) == ("postponed", None, "3.01", 2)
        before, after, summary = session.execute(
            text("SELECT before, after, summary FROM core_audit_entry WHERE action = 'update'")).one()
    before, after = (json.loads(value) if isinstance(value, str) else value for value in (before, after))
    assert (before["status"], after["status"], after["room"], summary) == ("invited", "postponed", "3.01", "M-100001")


def test_the_audit_log_tells_an_edit_in_the_readers_words(staff_client, add_appointment):
    appointment_id = add_appointment("M-100001", status="invited")
    client = staff_client("caseworker")
    url, data = edit_data(client, appointment_id, status="postponed", room="3.01")
    assert client.post(url, data=data).status_code == 302
    [entry] = audit_log(staff_client("admin"), "en")
    assert (entry.what, entry.summary) == (f"Appointment changed {appointment_id}", "M-100001")
    assert "Status | Before: Invitation sent | After: Postponed" in entry.changes
    assert [change for change in entry.changes if change.startswith("Room |")] == ["Room | Before: 2.14 | After: 3.01"]


def test_edit_keeps_local_time(staff_client, add_appointment, database):
    appointment_id = add_appointment()
    client = staff_client("caseworker")
    monday = next_monday()
    url, data = edit_data(client, appointment_id, day=monday.isoformat(), clock="08:15")
    assert client.post(url, data=data).status_code == 302
    with database() as session:
        starts_at = session.get(Appointment, appointment_id).starts_at
    assert starts_at.astimezone(BERLIN) == datetime.combine(monday, time(8, 15), tzinfo=BERLIN)
    page = client.get(url).get_data(as_text=True)
    assert f'value="{monday.isoformat()}"' in page and 'value="08:15"' in page


def test_invalid_edit_answers_422_and_keeps_the_input(staff_client, add_appointment, database):
    appointment_id = add_appointment()
    client = staff_client("caseworker")
    url, data = edit_data(client, appointment_id, status="scheduled", day="", clock="", room="9.99")
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bei diesem Status braucht der Termin ein Datum und eine Uhrzeit." in page
    assert 'value="9.99"' in page
    url, data = edit_data(client, appointment_id, clock="")
    assert "Datum und Uhrzeit gehören zusammen" in client.post(url, data=data).get_data(as_text=True)
    with database() as session:
        assert session.get(Appointment, appointment_id).room == "2.14"


def test_second_save_of_a_stale_form_gets_a_conflict_and_keeps_the_input(staff_client, add_appointment, database):
    appointment_id = add_appointment()
    first, second = staff_client("caseworker"), staff_client("caseworker")
    url, first_data = edit_data(first, appointment_id, room="1.01")
    _url, second_data = edit_data(second, appointment_id, room="2.02")
    assert first.post(url, data=first_data).status_code == 302
    response = second.post(url, data=second_data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Jemand anderes hat inzwischen gespeichert" in page
    assert 'value="2.02"' in page
    assert "Wacker Hof, Raum 1.01" in page
    with database() as session:
        assert session.get(Appointment, appointment_id).room == "1.01"
    # Saving again on purpose replaces the colleague's change.
    again = dict(second_data, version=re.search(VERSION, page).group(1),
                 csrf_token=csrf_token(second, url))
    assert second.post(url, data=again).status_code == 302
    with database() as session:
        assert session.get(Appointment, appointment_id).room == "2.02"


def test_a_colleague_saving_between_check_and_write_gives_a_conflict(staff_client, add_appointment, database,
                                                                     colleague_saves_first):
    appointment_id = add_appointment()
    editor = staff_client("caseworker")
    url, data = edit_data(editor, appointment_id, room="2.02")
    colleague_saves_first(Appointment,
                          lambda session: setattr(session.get(Appointment, appointment_id), "room", "1.01"))
    response = editor.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'value="2.02"' in page and "Wacker Hof, Raum 1.01" in page
    assert re.search(VERSION, page).group(1) == "2"
    with database() as session:
        stored = session.get(Appointment, appointment_id)
        assert (stored.room, stored.version) == ("1.01", 2)


def test_letter_is_bilingual_with_a_qr_code_for_the_lookup(staff_client, add_appointment):
    appointment_id = add_appointment("M-100001", room="2.14")
    client = staff_client("caseworker")
    page = client.get(f"/de/staff/appointments/{appointment_id}/letter", query_string={"language": "ar"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<section class="appointments-letter__part" lang="de" dir="ltr">' in html
    assert '<section class="appointments-letter__part" lang="ar" dir="rtl">' in html
    assert "Vorgangsnummer" in html and "Verlängerung der Aufenthaltserlaubnis" in html
    expected_url = "http://localhost/ar/appointments/?ref=M-100001"
    assert f'<figcaption class="appointments-letter__url" dir="ltr">{expected_url}</figcaption>' in html
    # The code reads back as exactly that address, and holds no date of birth.
    svg = re.search(r'<svg[^>]*class="appointments-letter__qr".*?</svg>', html, re.S).group(0)
    assert read_qr_svg(svg).text == expected_url
    assert re.search(r"<title>[^<]+</title>", svg), "screen readers name the code"
    assert "1985" not in html and "birth" not in expected_url
    # Each part describes the appointment in its own language, whatever the staff page's language.
    for staff_language in ("de", "en"):
        page = client.get(f"/{staff_language}/staff/appointments/{appointment_id}/letter",
                          query_string={"language": "ar"}).get_data(as_text=True)
        german, arabic = re.findall(r'<section class="appointments-letter__part".*?</section>', page, re.S)
        assert "Verlängerung der Aufenthaltserlaubnis" in german and "Extension" not in german
        assert "Verlängerung" not in arabic and "Extension" not in arabic and "تمديد" in arabic


def test_day_view_groups_by_room_in_time_order(staff_client, add_appointment):
    add_appointment("M-100003", days=1, clock=time(11, 0), room="2.14")
    add_appointment("M-100001", days=1, clock=time(9, 0), room="2.14")
    add_appointment("M-100002", days=1, clock=time(10, 0), room="1.07")
    add_appointment("M-100004", days=2, clock=time(9, 0), room="1.07")
    client = staff_client("caseworker")
    tomorrow = datetime.now(BERLIN).date() + timedelta(days=1)
    page = client.get("/de/staff/appointments/day", query_string={"day": tomorrow.isoformat()}).get_data(as_text=True)
    rooms = re.findall(r'<h2 id="room-\d+">(.*?)</h2>', page)
    assert rooms == ["Wacker Hof, Raum 1.07", "Wacker Hof, Raum 2.14"]
    assert re.findall(r'dir="ltr">(M-\d+)</a>', page) == ["M-100002", "M-100001", "M-100003"]
    assert '<td dir="ltr">09:00</td>' in page


def test_staff_menu_lists_the_pages(staff_client):
    page = staff_client("caseworker").get("/de/staff/").get_data(as_text=True)
    for endpoint in ("/de/staff/appointments/", "/de/staff/appointments/day", "/de/staff/appointments/import"):
        assert f'href="{endpoint}"' in page


def test_unknown_appointment_is_404(staff_client):
    assert staff_client("caseworker").get("/de/staff/appointments/4242").status_code == 404


def test_demo_data_is_idempotent(database):
    for _run in range(2):
        with database() as session:
            add_demo_appointments(session)
            session.commit()
    with database() as session:
        references = session.scalars(select(Appointment.reference).order_by(Appointment.reference)).all()
    assert references == ["M-100001", "M-100002", "M-100003", "M-100004", "M-100005"]


def test_demo_appointment_can_be_looked_up(client, database):
    with database() as session:
        add_demo_appointments(session)
        session.commit()
    url = "/de/appointments/"
    birth = date(1990, 11, 4)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "reference": "M-100002",
                                      "day": birth.day, "month": birth.month, "year": birth.year},
                           follow_redirects=True)
    assert "Zur Abholung bereit" in response.get_data(as_text=True)


def test_the_demos_later_appointments_fall_on_opening_days(app, database):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    open_weekdays = {day for hours in app.config["PORTAL"]["office"]["opening_hours"] for day in hours["weekdays"]}
    with database() as session:
        starts = session.scalars(select(Appointment.starts_at).where(
            Appointment.reference.in_(["M-100002", "M-100004"]))).all()
    assert len(starts) == 2
    assert all(start.astimezone(ZoneInfo("Europe/Berlin")).weekday() in open_weekdays for start in starts)


def test_saving_an_unchanged_appointment_changes_nothing_and_logs_nothing(staff_client, add_appointment, database):
    appointment_id = add_appointment("M-100001", days=None, status="postponed", building="", room="")
    client = staff_client("caseworker")
    url, data = edit_data(client, appointment_id, status="postponed", day="", clock="", building="", room="")
    answer = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "Der Termin ist unverändert." in answer
    with database() as session:
        assert session.scalar(text("SELECT version FROM appointments_appointment")) == 1
        assert session.scalar(text("SELECT count(*) FROM core_audit_entry")) == 0


def test_a_date_without_a_building_is_refused(staff_client, add_appointment, database):
    appointment_id = add_appointment("M-100001")
    client = staff_client("caseworker")
    url, data = edit_data(client, appointment_id, building="  ", room="")
    answer = client.post(url, data=data)
    assert answer.status_code == 422
    assert "Bitte geben Sie an, in welchem Gebäude der Termin ist." in answer.get_data(as_text=True)
    with database() as session:
        assert session.scalar(text("SELECT building FROM appointments_appointment")) == "Wacker Hof"
