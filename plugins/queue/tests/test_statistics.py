"""Waiting times on the home page, the anonymised open data, and the staff statistics with their CSV."""

import re
from datetime import datetime, time, timedelta

import pytest
from portal_plugins.queue import statistics
from portal_plugins.queue.models import DailyFigures, Ticket
from sqlalchemy import text

from portal import toolkit


@pytest.fixture
def served(data, issue):
    """Return served(day, hour, wait, service=None, state='done', queue='termine'): a past ticket, called after
    `wait` minutes (office time), served for `service` minutes; gives its id."""
    def make(day, hour, wait, service=None, state="done", queue="termine", **fields):
        def run(session):
            zone = toolkit.office_zone()
            created = datetime.combine(day, time(hour, 10), zone).astimezone(toolkit.utcnow().tzinfo)
            ticket = session.get(Ticket, ticket_id)
            ticket.created_at = created
            ticket.state, ticket.desk = state, "raum-2-14"
            ticket.called_at = ticket.last_called_at = created + timedelta(minutes=wait)
            if service is not None:
                ticket.served_at = ticket.called_at
                ticket.ended_at = ticket.called_at + timedelta(minutes=service)
            else:
                ticket.ended_at = ticket.called_at
            return ticket.id

        ticket_id, _token, _label = issue(queue, day=day, **fields)
        return data(run)

    return make


@pytest.fixture
def office_open(monkeypatch):
    """Keep the office open whatever the day and hour the tests run at."""
    monkeypatch.setattr(toolkit, "office_open_at", lambda day, moment: True)


def test_the_home_page_shows_no_wait_while_the_office_is_closed(app, client, issue, monkeypatch):
    opened_at = []
    monkeypatch.setattr(toolkit, "office_open_at", lambda day, moment: opened_at.append((day, moment)) and False)
    for _number in range(4):
        issue()  # numbers left waiting at closing time
    page = client.get("/de/").get_data(as_text=True)
    assert "Termine: etwa" not in page and "Das Amt ist jetzt geschlossen." in page
    assert 'href="/de/queue/waiting-times"' in page
    with app.app_context():
        assert [day for day, _moment in opened_at] == [toolkit.office_today()]


@pytest.mark.usefixtures("office_open")
def test_the_home_page_shows_the_wait_per_open_queue(client, issue):
    assert "Wartezeit im Amt" in client.get("/de/").get_data(as_text=True)
    assert "Termine: etwa" not in client.get("/de/").get_data(as_text=True)
    for _number in range(4):
        issue()
    page = client.get("/de/").get_data(as_text=True)
    # Four waiting and the next one, ten minutes each by default, two desks call from the queue: 22.5, up to 25.
    assert "Termine: etwa 25 Minuten" in page
    assert "Service Point: etwa" not in page  # nobody came to it today
    assert 'href="/de/queue/waiting-times"' in page


@pytest.mark.usefixtures("office_open")
def test_the_home_page_leaves_out_the_service_point_while_it_takes_no_walk_ins(client, issue):
    issue(), issue("service-point", origin="transfer")
    page = client.get("/de/").get_data(as_text=True)
    # Only a desk's transfer reaches it: its wait would invite clients without an appointment.
    assert "Termine: etwa" in page and "Service Point: etwa" not in page
    assert "Zurzeit nur mit Termin: Ohne Termin bekommen Sie keine Wartenummer." in page
    section = re.search(r'<section class="queue-home".*?</section>', client.get("/ar/").get_data(as_text=True), re.S)
    assert section.group(0).count("<li>") == 1


@pytest.mark.usefixtures("office_open")
@pytest.mark.portal_config({"plugin_settings": {"queue": {"walk_ins": True}}})
def test_the_home_page_shows_the_service_points_wait_while_it_takes_walk_ins(client, issue):
    issue("service-point", origin="walk_in")
    page = client.get("/de/").get_data(as_text=True)
    assert "Service Point: etwa 10 Minuten" in page and "Zurzeit nur mit Termin" not in page


@pytest.mark.parametrize("lang, minimum, expected", [
    ("de", 1, "weniger als 1 Kundin oder Kunde fehlen"),
    ("de", 5, "weniger als 5 Kundinnen und Kunden fehlen"),
    ("pl", 1, "mniej niż 1 klienta,"),
    ("pl", 5, "mniej niż 5 klientów,"),
    ("ru", 1, "меньше 1 клиента,"),
    ("ru", 5, "меньше 5 клиентов,"),
])
def test_open_data_names_the_minimum_in_the_form_its_number_needs(client, monkeypatch, lang, minimum, expected):
    monkeypatch.setattr(statistics, "OPEN_DATA_MIN_CLIENTS", minimum)
    assert expected in client.get(f"/{lang}/queue/waiting-times").get_data(as_text=True)


def test_open_data_has_hours_of_three_clients_and_no_single_times(client, served, today):
    day = today - timedelta(days=1)
    for wait in (10, 20, 30):
        served(day, 9, wait)
    served(day, 10, 40)
    served(day, 10, 50)
    answer = client.get("/de/queue/waiting-times.json")
    assert answer.headers["Cache-Control"] == "public, max-age=3600"
    hours = answer.get_json()["hours"]
    assert hours == [{"date": day.isoformat(), "hour": 9, "queue": "termine", "clients": 3, "mean_wait_minutes": 20}]
    csv = client.get("/de/queue/waiting-times.csv").get_data(as_text=True)
    assert csv.splitlines() == ["\ufeffdate;hour;queue;clients;mean_wait_minutes", f"{day.isoformat()};9;termine;3;20"]
    page = client.get("/en/queue/waiting-times").get_data(as_text=True)
    assert "waiting-times.csv" in page and "waiting-times.json" in page


def test_the_staff_statistics_count_waits_services_missed_and_arrivals(staff_client, served, today):
    day = today
    served(day, 9, 10, service=6)
    served(day, 9, 30, service=10)
    served(day, 11, 5, state="missed")
    caseworker = staff_client("caseworker")
    page = caseworker.get("/de/staff/queue/statistics?days=1").get_data(as_text=True)
    assert "09:00" in page and "11:00" in page and "Raum 2.14" in page
    csv = caseworker.get("/de/staff/queue/statistics.csv?days=1").get_data(as_text=True).splitlines()
    assert "hour;9;2;20;30;8;0" in csv
    assert "queue;termine;3;15;30;8;1" in csv
    assert "desk;raum-2-14;3;15;30;8;1" in csv
    assert "check_in;without_window;3;;;;" in csv


def test_the_statistics_refuse_a_made_up_span_and_other_roles(staff_client):
    caseworker = staff_client("caseworker")
    answer = caseworker.get("/de/staff/queue/statistics?days=400")
    assert answer.status_code == 422 and 'id="error-summary"' in answer.get_data(as_text=True)
    # In the page's language, not WTForms' English.
    assert "يرجى الاختيار من القائمة." in caseworker.get("/ar/staff/queue/statistics?days=abc").get_data(as_text=True)
    assert staff_client("door").get("/de/staff/queue/statistics").status_code == 403
    assert staff_client("mediator").get("/de/staff/queue/statistics.csv").status_code == 403


def test_the_purge_keeps_each_days_figures_so_statistics_and_open_data_outlive_the_tickets(
        app, staff_client, client, served, today, data):
    old_day, kept_day = today - timedelta(days=40), today - timedelta(days=2)
    for wait in (10, 20, 30):
        served(old_day, 9, wait, service=5)
    served(old_day, 9, 7, state="missed")
    served(old_day, 11, 5, service=3, queue="service-point", origin="walk_in")
    for wait in (12, 14, 16):
        served(kept_day, 9, wait, service=4)
    caseworker = staff_client("caseworker")
    statistics_before = caseworker.get("/de/staff/queue/statistics.csv?days=365").get_data(as_text=True)
    open_data_before = client.get("/de/queue/waiting-times.json").get_json()["hours"]
    assert len(open_data_before) == 2 and "queue;termine;7;" in statistics_before

    for _run in range(2):  # a second purge finds nothing more to keep and counts nothing twice
        assert app.test_cli_runner().invoke(args=["purge"]).exit_code == 0
    kept = data(lambda session: session.execute(text(
        "SELECT day, hour, queue, desk, clients, called, served, missed, arrivals_called FROM queue_daily "
        "ORDER BY hour, queue")).all())
    assert data(lambda session: session.scalar(text("SELECT count(*) FROM queue_ticket"))) == 3
    assert [tuple(row)[1:] for row in kept] == [(9, "termine", "raum-2-14", 4, 4, 3, 1, 4),
                                               (11, "service-point", "raum-2-14", 1, 1, 1, 0, 1)]
    assert {str(row[0]) for row in kept} == {old_day.isoformat()}
    assert caseworker.get("/de/staff/queue/statistics.csv?days=365").get_data(as_text=True) == statistics_before
    assert client.get("/de/queue/waiting-times.json").get_json()["hours"] == open_data_before
    page = caseworker.get("/de/staff/queue/statistics?days=365").get_data(as_text=True)
    assert "09:00" in page and "11:00" in page


def test_the_kept_figures_hold_no_ticket(app):
    with app.app_context():
        columns = {column.name for column in DailyFigures.__table__.columns}
    assert not columns & {"token", "number", "prefix", "arrival_public_id", "mediator_name", "mediator_id",
                          "interpreter_language", "created_at", "called_at"}
