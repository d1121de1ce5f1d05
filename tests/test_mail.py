"""The core's mail outbox: any plugin queues mail with its data; it goes out once, also after an outage."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal import toolkit
from portal.mail import deliver_due, deliver_one, purge_delivered


@pytest.fixture
def mail_server(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"]["mail"], "host", smtp_server.host)
    monkeypatch.setitem(app.config["PORTAL"]["mail"], "port", smtp_server.port)
    return smtp_server


def queue(db, **extra):
    message = toolkit.queue_mail("Team@Bücher.de", "Erinnerung: Termin morgen", "Guten Tag,\nbis morgen.",
                                 plugin="reminders", **extra)
    db.commit()
    return message


def test_queued_mail_waits_for_the_commit_and_goes_out_once_with_its_headers(db, mail_server):
    message = toolkit.queue_mail("a@example.org", "Betreff", "Text", plugin="reminders")
    db.rollback()
    assert db.scalars(select(toolkit.MailMessage)).all() == []
    message = queue(db, reply_to="kunde@bücher.de", headers={"Auto-Submitted": "auto-generated"}, idstring="T-1")
    assert deliver_due(db, toolkit.utcnow()).sent == 1
    assert deliver_due(db, toolkit.utcnow() + timedelta(days=1), ignore_backoff=True).sent == 0
    [mail] = mail_server.messages
    assert mail["X-Envelope-To"] == "Team@xn--bcher-kva.de" and mail["Reply-To"] == "kunde@xn--bcher-kva.de"
    assert mail["From"] == toolkit.portal_settings()["mail"]["sender"] and mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"] == message.message_id and "T-1" in message.message_id
    assert mail["Subject"] == "Erinnerung: Termin morgen"
    assert mail.get_payload(decode=True).decode("utf-8").splitlines() == ["Guten Tag,", "bis morgen."]


def test_server_down_then_back_loses_nothing_and_sends_nothing_twice(app, db, mail_server):
    mail_server.stop()
    message = queue(db)
    now = toolkit.utcnow()
    assert deliver_due(db, now).retrying == 1
    stored = db.get(toolkit.MailMessage, message.id, populate_existing=True)
    assert (stored.status, stored.attempts) == ("pending", 1) and stored.last_error
    # The back-off holds the message back...
    assert deliver_due(db, now).retrying == 0
    mail_server.start()
    # ...until its time has come; then it goes out once, to the command as well.
    assert deliver_due(db, stored.next_attempt_at).sent == 1
    result = app.test_cli_runner().invoke(args=["mail", "deliver", "--all"])
    assert result.output == "sent 0, retrying later 0, given up 0\n"
    assert [m["Message-ID"] for m in mail_server.messages] == [message.message_id]


def test_waits_double_between_attempts_until_the_last_one(app, db, mail_server, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"]["mail"], "max_attempts", 4)
    mail_server.stop()
    message = queue(db)
    # A moment ahead of the clock, as a later run: the waits then count from it alone.
    now, waits, statuses = toolkit.utcnow() + timedelta(seconds=1), [], []
    for _attempt in range(4):
        statuses.append(deliver_one(db, message.id, now))
        message = db.get(toolkit.MailMessage, message.id, populate_existing=True)
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert statuses == ["pending", "pending", "pending", "failed"]
    assert waits[:3] == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert deliver_due(db, now + timedelta(days=1), ignore_backoff=True).failed == 0


def test_a_sender_that_died_loses_its_lease_and_the_message_goes_out(db, mail_server):
    queue(db)
    now = toolkit.utcnow()
    # Another sender holds a live lease: nobody else may send.
    db.execute(update(toolkit.MailMessage).values(status="sending", lease_token="x",
                                                  lease_until=now + timedelta(minutes=1)))
    db.commit()
    assert deliver_due(db, now, ignore_backoff=True).sent == 0
    # Its lease ran out (the sender crashed): the next run sends the message.
    assert deliver_due(db, now + timedelta(minutes=2)).sent == 1
    assert len(mail_server.messages) == 1


def test_a_long_run_leases_and_backs_off_from_the_clock_not_from_its_start(db, mail_server, monkeypatch):
    import portal.mail

    mail_server.stop()
    message = queue(db)
    started = toolkit.utcnow()
    # The run began six minutes ago and spent them on a slow server before it came to this message.
    later = started + timedelta(minutes=6)
    monkeypatch.setattr(portal.mail, "utcnow", lambda: later)
    claims = []

    def slow_server(_mail):
        claims.append(db.scalar(select(toolkit.MailMessage.lease_until).where(toolkit.MailMessage.id == message.id)))
        raise OSError("connection timed out")

    monkeypatch.setattr(portal.mail, "send", slow_server)
    assert deliver_due(db, started).retrying == 1
    stored = db.get(toolkit.MailMessage, message.id, populate_existing=True)
    assert claims == [later + portal.mail.LEASE]
    assert stored.next_attempt_at == later + timedelta(seconds=60)


def test_a_bad_address_is_refused_when_queued(db):
    with pytest.raises(ValueError):
        toolkit.queue_mail("kein-at-zeichen", "Betreff", "Text")


def test_purge_deletes_delivered_mail_after_the_retention_period_and_keeps_waiting_mail(db, mail_server):
    sent, waiting = queue(db), queue(db)
    deliver_due(db, toolkit.utcnow())
    db.get(toolkit.MailMessage, waiting.id).status = "pending"
    db.commit()
    later = toolkit.utcnow() + timedelta(days=toolkit.portal_settings()["mail"]["retention_days"] + 1)
    assert purge_delivered(db, toolkit.utcnow()) == 0
    assert purge_delivered(db, later) == 1
    assert db.scalars(select(toolkit.MailMessage.id)).all() == [waiting.id]
    assert sent.id != waiting.id
