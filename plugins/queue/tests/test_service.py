"""The queue functions: numbers, order, states, recalls, transfers, the check-in event, and concurrent calls."""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from portal_plugins.queue import service
from portal_plugins.queue.models import Ticket
from sqlalchemy import select, text

from portal import toolkit


def desk(slug):
    return service.find_desk(slug)


@pytest.fixture
def at(app, today):
    """Return at(hour, minute=0): that time of the office's day today, aware."""
    zone = ZoneInfo(app.config["PORTAL"]["timezone"])
    return lambda hour, minute=0: datetime.combine(today, time(hour, minute), tzinfo=zone)


def test_numbers_count_per_queue_and_day_and_tokens_are_long_and_random(issue, stored, today):
    first, second = issue(), issue()
    service_point = issue("service-point")
    assert (first[2], second[2], service_point[2]) == ("A 001", "A 002", "S 001")
    assert len({first[1], second[1], service_point[1]}) == 3
    assert all(len(token) == 32 for token in (first[1], second[1]))  # 24 random bytes: 192 bits


def test_appointment_holders_are_called_by_window_and_urgent_first(issue, data, today, at):
    now = at(9)
    late_window = issue(now=now, window_start=time(10), day=today)
    early_window = issue(now=now + timedelta(minutes=5), window_start=time(9), day=today)
    urgent = issue(now=now + timedelta(minutes=9), window_start=time(11), day=today, urgent=True)

    def order(session):
        return [ticket.id for ticket in service.waiting(desk("raum-2-14"), today)]

    assert data(order) == [urgent[0], early_window[0], late_window[0]]
    assert data(lambda s: [service.ahead(s.get(Ticket, t[0])) for t in (urgent, early_window, late_window)]) \
        == [0, 1, 2]


def test_the_service_point_is_first_come_first_served(issue, data, today, at):
    now = at(9)
    first = issue("service-point", now=now, origin="walk_in", window_start=time(11))
    second = issue("service-point", now=now + timedelta(minutes=1), origin="walk_in", window_start=time(8))
    assert [t.id for t in data(lambda s: service.waiting(desk("service-point-1"), today))] == [first[0], second[0]]


def test_a_call_recalls_then_missed_only_after_the_recalls_and_the_gap(app, issue, stored, data, today):
    ticket_id = issue()[0]
    start = toolkit.utcnow()

    def call(session):
        return service.call_next(desk("raum-2-14"), start).id

    assert data(call) == ticket_id
    assert stored(ticket_id)["state"] == "called"

    def act(action, moment):
        def run(session):
            ticket = session.get(Ticket, ticket_id)
            return service.change(ticket, ticket.version, action, lambda: service.ACTIONS[action](ticket, moment))
        return data(run)

    with pytest.raises(service.QueueError, match="zuerst wie vorgesehen erneut"):
        act("missed", start + timedelta(seconds=61))   # two recalls are configured first
    with pytest.raises(service.QueueError):
        act("recall", start + timedelta(seconds=30))   # the gap is 60 seconds
    assert act("recall", start + timedelta(seconds=61))
    assert act("recall", start + timedelta(seconds=122))
    with pytest.raises(service.QueueError):
        act("recall", start + timedelta(seconds=200))
    # After the last recall the client may still be on the way: the desk is told how long to wait.
    with pytest.raises(service.QueueError, match="noch 33 Sekunden, bevor Sie die Nummer als nicht erschienen"):
        act("missed", start + timedelta(seconds=150))
    assert act("missed", start + timedelta(seconds=183))
    row = stored(ticket_id)
    assert (row["state"], row["recalls"], row["desk"]) == ("missed", 2, "raum-2-14")
    actions = data(lambda s: list(s.scalars(text("SELECT action FROM core_audit_entry ORDER BY id"))))
    assert actions == ["create", "call", "recall", "recall", "missed"]


def test_serve_and_finish_record_each_time(issue, stored, data):
    ticket_id = issue()[0]
    now = toolkit.utcnow()
    data(lambda s: service.call_next(desk("raum-2-14"), now))
    for action, moment in (("start", now + timedelta(minutes=1)), ("finish", now + timedelta(minutes=9))):
        def run(session, action=action, moment=moment):
            ticket = session.get(Ticket, ticket_id)
            assert service.change(ticket, ticket.version, action, lambda: service.ACTIONS[action](ticket, moment))
        data(run)
    row = stored(ticket_id)
    assert row["state"] == "done"
    assert row["called_at"] < row["served_at"] < row["ended_at"]


def test_a_desk_with_a_client_calls_nobody_else(issue, data):
    first, second = issue()[0], issue()[0]
    now = toolkit.utcnow()
    assert data(lambda s: service.call_next(desk("raum-2-14"), now).id) == first
    assert data(lambda s: service.call_next(desk("raum-2-14"), now).id) == first
    assert data(lambda s: service.call_next(desk("raum-2-15"), now).id) == second
    assert data(lambda s: service.call_next(desk("raum-1-02"), now)) is None


def test_a_transfer_ends_the_ticket_and_its_page_follows_the_successor(issue, stored, data):
    ticket_id, token, _label = issue(interpreter_language="ar")
    now = toolkit.utcnow()
    data(lambda s: service.call_next(desk("raum-2-14"), now))

    def transfer(session):
        ticket = session.get(Ticket, ticket_id)
        assert service.change(ticket, ticket.version, "transfer",
                              lambda: service.transfer(ticket, "desk:service-point-2", now))
    data(transfer)
    old = stored(ticket_id)
    successor = stored(old["transferred_to_id"])
    assert old["state"] == "transferred"
    assert (successor["queue"], successor["reserved_desk"], successor["prefix"], successor["interpreter_language"]) \
        == ("service-point", "service-point-2", "S", "ar")
    assert data(lambda s: service.resolve(token).id) == successor["id"]
    # Only the named desk calls it, also when the number is typed at another.
    assert data(lambda s: service.call_next(desk("service-point-1"), now)) is None
    with pytest.raises(service.QueueError, match="S 001 ist an Service Point, Schalter 2 weitergeleitet"):
        data(lambda s: service.call(s.get(Ticket, successor["id"]), desk("service-point-1"), now))
    assert data(lambda s: service.call_next(desk("service-point-2"), now).id) == successor["id"]


def test_a_transfer_carries_when_the_client_came_in_and_its_wait_counts_anew(issue, stored, send_on, at):
    first = issue("service-point", now=at(8))[0]
    second = send_on(first, "queue:termine", at(9), "service-point-1")[0]
    third = send_on(second, "queue:service-point", at(10), "raum-2-14")[0]
    assert stored(first)["arrived_at"] is None  # its creation is the arrival
    # The wait in each queue (and the statistics) count from the ticket's own issue.
    assert [stored(ticket)["created_at"] for ticket in (second, third)] == [at(9), at(10)]
    assert [stored(ticket)["arrived_at"] for ticket in (second, third)] == [at(8), at(8)]


def test_a_transfer_to_nowhere_changes_nothing(issue, stored, data):
    ticket_id = issue()[0]
    data(lambda s: service.call_next(desk("raum-2-14"), toolkit.utcnow()))

    def transfer(session):
        ticket = session.get(Ticket, ticket_id)
        service.change(ticket, ticket.version, "transfer", lambda: service.transfer(ticket, "queue:nowhere",
                                                                                     toolkit.utcnow()))
    with pytest.raises(service.QueueError):
        data(transfer)
    assert stored(ticket_id)["state"] == "called"


def test_a_check_in_issues_one_ticket_in_the_queue_of_its_service_group(app, data, today):
    payload = {"public_id": "A" * 26, "day": today, "window_start": time(9), "window_end": time(10), "persons": 2,
               "service_group": "naturalisation-certificate-handover", "interpreter_language": "fa",
               "checked_in_at": toolkit.utcnow()}

    def publish(session):
        toolkit.publish("arrival.checked_in", **payload)
        toolkit.publish("arrival.checked_in", **payload)
    data(publish)
    tickets = data(lambda s: [(t.queue, t.label, t.persons, t.interpreter_language, t.arrival_public_id)
                              for t in s.scalars(select(Ticket))])
    assert tickets == [("einbuergerung", "E 001", 2, "fa", "A" * 26)]
    data(lambda s: toolkit.publish("arrival.checked_in", **{**payload, "public_id": "B" * 26,
                                                            "service_group": "eu-blue-card"}))
    assert data(lambda s: service.for_arrival("B" * 26).queue) == "termine"


def test_a_check_in_on_the_day_an_appointment_was_moved_to_gets_a_new_ticket(app, data, today):
    earlier = today - timedelta(days=3)
    payload = {"public_id": "A" * 26, "day": earlier, "window_start": time(9), "window_end": time(10), "persons": 1,
               "service_group": "eu-blue-card", "interpreter_language": "", "checked_in_at": toolkit.utcnow()}
    data(lambda s: toolkit.publish("arrival.checked_in", **payload))
    data(lambda s: s.execute(text("UPDATE queue_ticket SET state = 'done'")))
    # Served three days ago, the appointment was moved to today: the same pass is checked in again at the door.
    data(lambda s: toolkit.publish("arrival.checked_in", **{**payload, "day": today, "window_start": time(11)}))
    tickets = data(lambda s: [(t.day, t.state, t.window_start) for t in s.scalars(select(Ticket).order_by(Ticket.id))])
    assert tickets == [(earlier, "done", time(9)), (today, "waiting", time(11))]
    assert data(lambda s: service.for_arrival("A" * 26).day) == today


def test_a_checked_in_appointment_moved_the_same_day_moves_its_waiting_ticket_to_its_new_window(app, data, today):
    payload = {"public_id": "A" * 26, "day": today, "window_start": time(9), "window_end": time(10), "persons": 2,
               "service_group": "eu-blue-card", "interpreter_language": "", "checked_in_at": toolkit.utcnow()}
    other = {**payload, "public_id": "B" * 26, "window_start": time(10), "window_end": time(11)}
    data(lambda s: [toolkit.publish("arrival.checked_in", **event) for event in (payload, other)])
    # Moved from 9:00 to 11:00: the ticket keeps its number and is called after the 10:00 one.
    data(lambda s: toolkit.publish("arrival.checked_in", **{**payload, "window_start": time(11), "persons": 3}))

    def order(session):
        return [(t.arrival_public_id[0], t.label, t.window_start, t.persons)
                for t in session.scalars(select(Ticket).order_by(*service._call_order()))]
    assert data(order) == [("B", "A 002", time(10), 2), ("A", "A 001", time(11), 3)]
    moved = text("SELECT count(*) FROM core_audit_entry WHERE action = 'appointment_moved'")
    assert data(lambda s: s.scalar(moved)) == 1


def test_a_ticket_called_while_its_appointment_moves_stays_with_the_desk(app, data, database, today):
    payload = {"public_id": "A" * 26, "day": today, "window_start": time(9), "window_end": time(10), "persons": 2,
               "service_group": "eu-blue-card", "interpreter_language": "", "checked_in_at": toolkit.utcnow()}
    data(lambda s: toolkit.publish("arrival.checked_in", **payload))
    with database() as session:
        ticket = service.for_arrival("A" * 26)
        # A desk calls the number after the appointment's change loaded the ticket, before it writes.
        with app.extensions["portal.db"].engine.begin() as desk:
            desk.execute(text("UPDATE queue_ticket SET state = 'called', desk = 'raum-2-14', version = version + 1"))
        service.follow_appointment(ticket, window_start=time(11), persons=3, interpreter_language="")
        session.commit()
    assert data(lambda s: [(t.state, t.window_start, t.persons) for t in s.scalars(select(Ticket))]) \
        == [("called", time(9), 2)]


def test_a_client_a_desk_kept_overnight_is_ended_when_it_calls_next_and_counts_no_service_time(issue, data, today,
                                                                                                at):
    from portal_plugins.queue.statistics import Figures

    yesterday = today - timedelta(days=1)
    served, _token, _label = issue(day=yesterday, now=at(9) - timedelta(days=1))
    called, _token, _label = issue(day=yesterday, now=at(9) - timedelta(days=1))

    def left_at_desks(session):
        # Raum 2.14 served a client and Raum 2.15 called one; neither pressed "Erledigt" before going home.
        for ticket_id, state, desk_slug in ((served, "in_service", "raum-2-14"), (called, "called", "raum-2-15")):
            ticket = session.get(Ticket, ticket_id)
            ticket.state, ticket.desk = state, desk_slug
            ticket.called_at = ticket.last_called_at = ticket.served_at = at(10) - timedelta(days=1)
    data(left_at_desks)
    # The desk page shows both desks free; their next call ends what they held.
    assert data(lambda s: [service.active_ticket(desk(slug)) for slug in ("raum-2-14", "raum-2-15")]) == [None, None]
    waiting, _token, label = issue()
    assert data(lambda s: service.call_next(desk("raum-2-14"), at(8)).id) == waiting
    # Typing a number at the other desk frees it the same way.
    data(lambda s: service.call(s.get(Ticket, issue()[0]), desk("raum-2-15"), at(8)))
    states = data(lambda s: {t.id: t.state for t in s.scalars(select(Ticket))})
    assert (states[served], states[called], states[waiting]) == ("done", "missed", "called")

    def figures(session):
        counted = Figures()
        for ticket in session.scalars(select(Ticket).where(Ticket.day == yesterday)):
            counted.count(ticket)
        return counted
    counted = data(figures)
    # Ended this morning, its service time is unknown: neither counted as served nor 22 hours long.
    assert (counted.clients, counted.served, counted.service_minutes, counted.missed) == (2, 0, 0, 1)


def test_expected_wait_uses_the_days_service_times_or_the_default(issue, data, today):
    tickets = [issue()[0] for _ in range(4)]
    now = toolkit.utcnow()

    def wait(session):
        return service.expected_wait(session.get(Ticket, tickets[3]), now)
    # Three ahead, 10 minutes each by default, two desks take the queue: about 17.5 minutes.
    low, high = data(wait)
    assert low <= 17.5 <= high and high - low <= 15

    def finish(minutes):
        def run(session):
            ticket = session.get(Ticket, issue()[0])
            ticket.state, ticket.called_at, ticket.ended_at = "done", now - timedelta(minutes=minutes), now
        data(run)
    for _ in range(3):
        finish(30)
    # Three finished in 30 minutes each: about 3.5 × 30 / 2 = 52.5 minutes.
    before = data(wait)
    assert before[0] <= 52.5 <= before[1] and before[0] > 17.5
    # Each finished ticket counts at once, also where the average was read before: 40 minutes each now, about 70.
    finish(70)
    low, high = data(wait)
    assert low <= 70 <= high and low > before[0]


def test_purge_deletes_tickets_after_the_retention_days(issue, data, today):
    purged = issue(day=today - timedelta(days=31))[0]
    kept = issue()[0]
    logged = "SELECT target_id, summary FROM core_audit_entry WHERE target_type = 'queue_ticket' ORDER BY id"
    assert [row.target_id for row in data(lambda s: s.execute(text(logged)).all())] == [str(purged), str(kept)]
    assert data(lambda s: service.purge(s, toolkit.utcnow())) == 1
    assert data(lambda s: [t.id for t in s.scalars(select(Ticket))]) == [kept]
    # The log keeps that a number was given out then; the number, its time and language go with the ticket.
    summaries = [row.summary for row in data(lambda s: s.execute(text(logged)).all())]
    assert summaries[0] == "" and summaries[1]


def test_settings_refuse_a_desk_of_an_unknown_queue(make_app):
    with pytest.raises(Exception, match="unknown queue 'nowhere'"):
        make_app(plugins=["arrival", "queue"], plugin_settings={"queue": {"desks": [
            {"slug": "x", "name": "X", "queues": ["nowhere"]}]}})


def test_two_desks_calling_at_once_never_get_the_same_client(app, issue, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("real row locks need PostgreSQL; SQLite serialises writers")
    for _ in range(6):
        issue()
    desks = ["raum-2-14", "raum-2-15", "raum-2-14", "raum-2-15", "raum-2-14", "raum-2-15"]
    barrier = threading.Barrier(len(desks))
    called, errors = [], []

    def press_next(slug):
        try:
            with app.app_context():
                session = toolkit.session()
                barrier.wait()
                ticket = service.call_next(service.find_desk(slug), toolkit.utcnow())
                called.append((slug, ticket.id if ticket else None))
                session.commit()
        except Exception as error:  # reported below, with the thread's cause
            errors.append(error)

    threads = [threading.Thread(target=press_next, args=(slug,)) for slug in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # Each desk holds exactly one client; every press of one desk got that desk's client.
    by_desk = {}
    for slug, ticket_id in called:
        by_desk.setdefault(slug, set()).add(ticket_id)
    assert all(len(ids) == 1 for ids in by_desk.values())
    assert len({ids.pop() for ids in by_desk.values()}) == 2
    with app.app_context():
        active = toolkit.session().scalars(select(Ticket).where(Ticket.state == "called")).all()
        assert sorted(t.desk for t in active) == ["raum-2-14", "raum-2-15"]


def test_many_desks_pressing_next_at_once_each_get_another_client(app, issue, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("real row locks need PostgreSQL; SQLite serialises writers")
    for _ in range(8):
        issue()
    slugs = ["raum-2-14", "raum-2-15"]
    barrier = threading.Barrier(len(slugs))
    results = []

    def press(slug):
        with app.app_context():
            barrier.wait()
            results.append(service.call_next(service.find_desk(slug), toolkit.utcnow()).id)
            toolkit.session().commit()

    for _round in range(3):
        threads = [threading.Thread(target=press, args=(slug,)) for slug in slugs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with app.app_context():
            for ticket in toolkit.session().scalars(select(Ticket).where(Ticket.state == "called")):
                ticket.state = "done"
            toolkit.session().commit()
    assert len(results) == 6 and len(set(results)) == 6


def test_the_demo_puts_clients_in_todays_queues_once(app, data):
    for _run in range(2):
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
    tickets = data(lambda s: sorted((t.label, t.urgent, t.interpreter_language) for t in s.scalars(select(Ticket))))
    assert tickets == [("A 001", False, ""), ("A 002", False, "ar"), ("A 003", False, "uk"), ("S 001", True, "")]
    assert "sachbearbeitung@demo.example" in result.output
