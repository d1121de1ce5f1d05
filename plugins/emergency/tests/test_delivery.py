"""Requests reach the emergency address through the outbox: once, and also after a mail server outage."""

from datetime import timedelta

from portal_plugins.emergency.models import EmergencyOutboxMessage, EmergencyRequest
from portal_plugins.emergency.outbox import deliver_due, deliver_one
from sqlalchemy import select, update

from portal import toolkit
from portal.testing import csrf_token

URL = "/de/emergency/"
FORM = {"category": "travel", "reference": "", "email": "kunde@example.org", "phone": "0211 1234567",
        "matter": "Mein Vater ist schwer krank, ich muss am Mittwoch nach Izmir fliegen.", "language": "de"}


def submit(client):
    response = client.post(URL, data={"csrf_token": csrf_token(client, URL), **FORM})
    assert response.status_code == 302
    # A WSGI server closes the response after sending it; that is when the first attempt runs.
    response.close()
    return response


def outbox(database):
    with database() as db:
        return db.scalars(select(EmergencyOutboxMessage)).one()


def deliver(app, *args):
    result = app.test_cli_runner().invoke(args=["emergency", "deliver", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_request_is_mailed_right_after_submission_and_only_once(app, client, mail_server, database):
    submit(client)
    assert len(mail_server.messages) == 1
    mail = mail_server.messages[0]
    message = outbox(database)
    assert message.status == "sent" and message.attempts == 1
    with database() as db:
        number = db.scalars(select(EmergencyRequest.confirmation)).one()
    assert mail["Message-ID"] == message.message_id
    assert mail["X-Envelope-To"] == "notfall@amt.example" and mail["Reply-To"] == "kunde@example.org"
    assert number in mail["Subject"] and "Dringende Reise" in mail["Subject"]
    body = mail.get_payload(decode=True).decode("utf-8")
    assert FORM["matter"] in body and "0211 1234567" in body and "Bevorzugte Sprache: Deutsch (de)" in body
    assert deliver(app, "--all") == "sent 0, retrying later 0, given up 0\n"
    assert len(mail_server.messages) == 1


def test_server_down_then_back_loses_nothing_and_sends_nothing_twice(app, client, mail_server, database,
                                                                      staff_client):
    mail_server.stop()
    submit(client)
    message = outbox(database)
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error
    # The request is safe and visible to staff although no mail went out.
    inbox = staff_client("caseworker").get("/de/staff/emergency/").get_data(as_text=True)
    assert "wartet auf Zustellung" in inbox
    # The timer respects the back-off...
    assert deliver(app) == "sent 0, retrying later 0, given up 0\n"
    mail_server.start()
    # ...and delivers once the wait is over, exactly once.
    with database() as db:
        assert deliver_due(db, message.next_attempt_at).sent == 1
        assert deliver_due(db, message.next_attempt_at + timedelta(hours=2)).sent == 0
    assert deliver(app, "--all") == "sent 0, retrying later 0, given up 0\n"
    assert len(mail_server.messages) == 1
    assert mail_server.messages[0]["Message-ID"] == message.message_id
    assert outbox(database).status == "sent"


def test_waits_double_between_attempts_until_the_last_one(client, mail_server, database, staff_client):
    mail_server.stop()
    submit(client)
    message = outbox(database)
    waits = []
    with database() as db:
        for _attempt in range(3):
            now = message.next_attempt_at
            assert deliver_one(db, message.id, now) in ("pending", "failed")
            message = db.get(EmergencyOutboxMessage, message.id, populate_existing=True)
            waits.append(message.next_attempt_at - now)
    assert waits == [timedelta(seconds=120), timedelta(seconds=240), timedelta(seconds=480)]
    assert (message.status, message.attempts) == ("failed", 4)
    page = staff_client("caseworker").get(f"/de/staff/emergency/requests/{message.request_id}")
    assert "Zustellung gescheitert (4 Versuche)" in page.get_data(as_text=True)


def test_a_sender_that_died_loses_its_lease_and_the_message_goes_out(app, client, mail_server, database):
    mail_server.stop()
    submit(client)
    mail_server.start()
    now = toolkit.utcnow()
    with database() as db:
        # Another sender holds a live lease: nobody else may send.
        db.execute(update(EmergencyOutboxMessage).values(status="sending", lease_token="x",
                                                lease_until=now + timedelta(minutes=1)))
        db.commit()
        assert deliver_due(db, now, ignore_backoff=True).sent == 0
        # Its lease ran out (the sender crashed): the message is sent by the next run.
        assert deliver_due(db, now + timedelta(minutes=2)).sent == 1
    assert len(mail_server.messages) == 1


def test_submitting_works_without_a_mail_server_setting(app, client, database, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"]["mail"], "host", "")
    submit(client)
    assert outbox(database).status == "pending"
    result = app.test_cli_runner().invoke(args=["emergency", "deliver"])
    assert result.exit_code != 0 and "mail.host is not set" in result.output
