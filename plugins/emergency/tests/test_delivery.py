"""Requests reach the emergency address through the core's outbox: once, and also after a mail server outage."""

import mailbox
from pathlib import Path

from portal_plugins.emergency.models import EmergencyRequest
from sqlalchemy import select

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
        return db.scalars(select(toolkit.MailMessage)).one()


def request_id(database):
    with database() as db:
        return db.scalars(select(EmergencyRequest.id)).one()


def deliver(app, *args):
    result = app.test_cli_runner().invoke(args=["mail", "deliver", *args])
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
    assert FORM["matter"] in body and "0211 1234567" in body
    assert "Bevorzugte Sprache: Deutsch" in body.splitlines()
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
    # ...and delivers once asked to try every waiting message, exactly once.
    assert deliver(app, "--all") == "sent 1, retrying later 0, given up 0\n"
    assert deliver(app, "--all") == "sent 0, retrying later 0, given up 0\n"
    assert len(mail_server.messages) == 1
    assert mail_server.messages[0]["Message-ID"] == message.message_id
    assert outbox(database).status == "sent"


def test_staff_see_when_delivery_was_given_up(app, client, mail_server, database, staff_client):
    mail_server.stop()
    submit(client)
    assert deliver(app, "--all") == "sent 0, retrying later 1, given up 0\n"
    assert deliver(app, "--all") == "sent 0, retrying later 1, given up 0\n"
    assert deliver(app, "--all") == "sent 0, retrying later 0, given up 1\n"
    assert (outbox(database).status, outbox(database).attempts) == ("failed", 4)
    page = staff_client("caseworker").get(f"/de/staff/emergency/requests/{request_id(database)}")
    assert "Zustellung gescheitert (4 Versuche)" in page.get_data(as_text=True)


def test_without_a_mail_server_the_mail_lands_in_the_sink_file(app, client, database, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"]["mail"], "host", "")
    sink = Path(app.instance_path) / "mail-sink.mbox"
    sink.unlink(missing_ok=True)
    submit(client)
    assert outbox(database).status == "sent"
    box = mailbox.mbox(sink)
    try:
        [mail] = box.values()
    finally:
        box.close()
    assert mail["X-Envelope-To"] is None and mail["To"] == "notfall@amt.example"
    assert FORM["matter"] in mail.get_payload(decode=True).decode("utf-8")
    assert sink.stat().st_mode & 0o777 == 0o600
    result = app.test_cli_runner().invoke(args=["mail", "deliver"])
    assert result.exit_code == 0 and f"writing mail to {sink}" in result.output
    sink.unlink()


def mailed(client, mail_server, **changes):
    """Send the form with some fields changed; return the e-mail the mail server received and its text's lines."""
    response = client.post(URL, data={"csrf_token": csrf_token(client, URL), **FORM, **changes})
    assert response.status_code == 302
    response.close()
    [mail] = mail_server.messages
    return mail, mail.get_payload(decode=True).decode("utf-8").splitlines()


def test_the_mail_names_the_office_zone_and_gives_an_international_reply_address_in_idna(
        app, client, mail_server, database):
    mail, lines = mailed(client, mail_server, email="kunde@bücher.de")
    assert mail["Reply-To"] == "kunde@xn--bcher-kva.de"
    with database() as db:
        received = db.scalars(select(EmergencyRequest.created_at)).one()
    with app.test_request_context():
        office_time = toolkit.office_now(received).strftime("%H:%M")
    assert f"{office_time} (Europe/Berlin)" in next(line for line in lines if line.startswith("Eingegangen: "))
    assert not any("UTC" in line for line in lines)
    assert "E-Mail: kunde@bücher.de" in lines


def test_staff_read_an_address_the_browser_sent_in_idna_with_its_readable_domain(client, mail_server):
    # Browsers send the domain of an <input type="email"> in IDNA form, as the client never wrote it.
    mail, lines = mailed(client, mail_server, email="kunde@xn--bcher-kva.de")
    assert mail["Reply-To"] == "kunde@xn--bcher-kva.de"
    assert "E-Mail: kunde@bücher.de" in lines and not any("xn--" in line for line in lines)


def test_the_mail_names_the_reply_language_in_german_then_in_its_own_script(client, mail_server):
    _mail, lines = mailed(client, mail_server, language="ar")
    assert "Bevorzugte Sprache: Arabisch (\u2068العربية\u2069)" in lines


def test_the_mail_labels_the_reference_as_a_file_or_permit_number(client, mail_server):
    _mail, lines = mailed(client, mail_server, reference="AT-1234567")
    assert "Aktenzeichen oder Nummer des Aufenthaltstitels: AT-1234567" in lines
