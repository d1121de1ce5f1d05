"""Reminders through the core's outbox: due ones once, nothing lost while the mail server is down, links signed."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from portal_plugins.appointments.models import Appointment
from portal_plugins.appointments.selfservice_models import ClientRequest, Reminder
from sqlalchemy import select, text, update

from portal import toolkit

MAIL = {"mail": {"host": "127.0.0.1", "port": 1, "sender": "portal@amt.example"},
        "public_url": "https://termine.example.org"}
pytestmark = pytest.mark.portal_config(MAIL)


def run(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def opt_in(client, open_result, act, email="kunde@example.org", lang="de"):
    _html, token = open_result(client, lang=lang)
    assert act(client, "remind", token, lang=lang, email=email, consent="yes").status_code == 200


def body(mail) -> str:
    return mail.get_payload(decode=True).decode("utf-8")


def test_the_job_run_twice_sends_each_reminder_once(app, client, add_appointment, open_result, act, mail_server):
    add_appointment("M-100001", days=3, clock=time(9, 30))
    add_appointment("M-100002", days=2)
    opt_in(client, open_result, act)
    assert run(app, "appointments", "remind") == "reminders queued: 1\n"
    assert run(app, "appointments", "remind") == "reminders queued: 0\n"
    assert run(app, "mail", "deliver", "--all").startswith("sent 1,")
    assert run(app, "mail", "deliver", "--all").startswith("sent 0,")
    assert len(mail_server.messages) == 1
    mail = mail_server.messages[0]
    assert mail["X-Envelope-To"] == "kunde@example.org" and "Erinnerung" in mail["Subject"]
    assert "09:30" in body(mail)
    assert body(mail).count("https://termine.example.org/de/appointments/self-service/mail/") == 3


def test_an_address_no_mail_can_reach_keeps_nobody_else_from_their_reminder(app, client, add_appointment, open_result,
                                                                             act, database, mail_server):
    add_appointment("M-100001", days=3)
    add_appointment("M-100002", days=3)
    opt_in(client, open_result, act)
    with database() as session:
        # Stored before the form refused such addresses: mail to it would need SMTPUTF8.
        first = session.scalars(select(Reminder)).one()
        session.add(Reminder(appointment_id=first.appointment_id + 1, email="иван@example.org", language="ru"))
        session.commit()
    assert run(app, "appointments", "remind") == "reminders queued: 1\n"
    run(app, "mail", "deliver", "--all")
    assert [mail["X-Envelope-To"] for mail in mail_server.messages] == ["kunde@example.org"]


def test_a_reminder_asked_for_late_goes_with_the_next_run(app, client, add_appointment, open_result, act, database):
    # Two days ahead: too late for the reminder three days before, so the next run sends it; then one, not two.
    add_appointment(days=2)
    opt_in(client, open_result, act)
    assert run(app, "appointments", "remind") == "reminders queued: 1\n"
    with database() as session:
        reminder = session.scalars(select(Reminder)).one()
        assert reminder.first_sent_at is not None and reminder.last_sent_at is None


def test_a_date_the_office_moved_gets_its_reminders_anew(app, client, add_appointment, open_result, act, database):
    add_appointment(days=2)
    opt_in(client, open_result, act)
    # The reminder went six days ago, three days before the date then; the office has since moved it.
    with database() as session:
        session.execute(update(Reminder).values(first_sent_at=toolkit.utcnow() - timedelta(days=6)))
        session.commit()
    assert run(app, "appointments", "remind") == "reminders queued: 1\n"
    assert run(app, "appointments", "remind") == "reminders queued: 0\n"


def test_an_appointment_today_offers_no_reminder(client, add_appointment, open_result, act, database):
    # The job runs after midnight: a reminder asked for on the appointment's own day could not go out.
    add_appointment(days=0, clock=time(23, 59))
    html, token = open_result(client)
    assert "Ich komme" in html and "Erinnern Sie mich" not in html
    page = act(client, "remind", token, email="kunde@example.org", consent="yes").get_data(as_text=True)
    assert "Für diesen Termin ist das nicht möglich." in page
    with database() as session:
        assert session.scalars(select(Reminder)).all() == []


def test_reminders_go_in_the_clients_language(app, client, add_appointment, open_result, act, mail_server):
    add_appointment(days=1)
    opt_in(client, open_result, act, lang="ar")
    run(app, "appointments", "remind")
    run(app, "mail", "deliver", "--all")
    assert "/ar/appointments/self-service/mail/" in body(mail_server.messages[0])
    assert "Erinnerung" not in mail_server.messages[0]["Subject"]


def test_with_the_mail_server_down_nothing_is_lost(app, client, add_appointment, open_result, act, mail_server,
                                                    database):
    add_appointment(days=3)
    opt_in(client, open_result, act)
    mail_server.stop()
    run(app, "appointments", "remind")
    assert run(app, "mail", "deliver", "--all").startswith("sent 0, retrying later 1")
    # The job does not queue the reminder again while the outbox still holds it.
    assert run(app, "appointments", "remind") == "reminders queued: 0\n"
    mail_server.start()
    assert run(app, "mail", "deliver", "--all").startswith("sent 1,")
    assert len(mail_server.messages) == 1
    with database() as session:
        assert session.scalars(select(toolkit.MailMessage.status)).all() == ["sent"]


def test_a_reminders_links_confirm_and_stop_after_one_button(app, client, add_appointment, open_result, act,
                                                             mail_server, database):
    add_appointment(days=1)
    opt_in(client, open_result, act)
    run(app, "appointments", "remind")
    run(app, "mail", "deliver", "--all")
    links = dict(re.findall(r"(mail/([^\s]+))", body(mail_server.messages[0])))
    confirm, cancel, stop = (f"/de/appointments/self-service/{path}" for path in links)
    # Opening a link (as a mail scanner does) changes nothing; the page has the one button.
    page = client.get(confirm)
    assert page.status_code == 200
    with database() as session:
        assert session.scalars(select(ClientRequest)).all() == []
    token = re.search(r'name="token" (?:type="hidden" )?value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert act(client, "confirm", token).status_code == 200
    assert client.get(cancel).status_code == 200
    stop_page = client.get(stop).get_data(as_text=True)
    token = re.search(r'name="token" (?:type="hidden" )?value="([^"]+)"', stop_page).group(1)
    assert act(client, "stop-reminders", token).status_code == 200
    with database() as session:
        assert [r.kind for r in session.scalars(select(ClientRequest))] == ["confirm"]
        assert session.scalars(select(Reminder)).all() == []
    # An altered link is refused: a signature's first character always carries data (its last may not).
    signed, _dot, signature = confirm.rpartition(".")
    altered = signed + "." + ("B" if signature[0] != "B" else "C") + signature[1:]
    assert client.get(altered).status_code == 404


def test_the_address_goes_the_day_after_the_appointment_and_never_reaches_the_audit_log(
        app, client, add_appointment, open_result, act, database):
    appointment_id = add_appointment(days=1)
    opt_in(client, open_result, act)
    with database() as session:
        appointment = session.get(Appointment, appointment_id)
        appointment.starts_at = appointment.starts_at.replace(year=appointment.starts_at.year - 1)
        session.commit()
    run(app, "purge")
    with database() as session:
        assert session.scalars(select(Reminder)).all() == []
        audit = session.execute(text("SELECT * FROM core_audit_entry")).all()
        assert "kunde@example.org" not in repr(audit)


def test_a_reminders_link_expires(app, client, add_appointment, open_result, act, mail_server, monkeypatch):
    add_appointment(days=3)
    opt_in(client, open_result, act)
    run(app, "appointments", "remind")
    run(app, "mail", "deliver", "--all")
    path = re.search(r"https://termine\.example\.org(/\S+)", body(mail_server.messages[0])).group(1)
    assert client.get(path).status_code == 200
    import time as clock
    real_time = clock.time
    monkeypatch.setattr(clock, "time", lambda: real_time() + 6 * 24 * 3600)
    assert client.get(path).status_code == 404


def test_a_reminder_names_the_office_the_reference_and_why_it_came(app, client, add_appointment, open_result, act,
                                                                    mail_server):
    add_appointment("M-100001", days=3, clock=time(9, 30), room="2.14")
    opt_in(client, open_result, act)
    run(app, "appointments", "remind")
    run(app, "mail", "deliver", "--all")
    text = body(mail_server.messages[0])
    office = app.config["PORTAL"]["office"]["name"]
    # Names from the settings and the reference are isolated, so that a right-to-left mail keeps their order.
    assert f"\u2068{office}\u2069: Sie haben einen Termin am " in text and "09:30 Uhr, Wacker Hof, Raum 2.14." in text
    assert "Vorgangsnummer: \u2068M-100001\u2069" in text
    assert "weil Sie im Portal des Amts um Erinnerungen an diesen Termin gebeten haben." in text
    # Who writes and why comes before the first link.
    assert text.index("Vorgangsnummer") < text.index("weil Sie") < text.index("https://")


@pytest.mark.portal_config({"office": {"name": "Ausländerbehörde Musterstadt"}})
def test_a_reminder_in_another_language_names_the_office_as_configured(app, client, add_appointment, open_result,
                                                                       act, mail_server):
    add_appointment(days=1)
    opt_in(client, open_result, act, lang="uk")
    run(app, "appointments", "remind")
    run(app, "mail", "deliver", "--all")
    text = body(mail_server.messages[0])
    assert "\u2068Ausländerbehörde Musterstadt\u2069" in text and "Номер звернення: \u2068M-100001\u2069" in text
    assert "на порталі відомства попросили нагадувати" in text


def test_the_page_a_reminders_link_opens_names_the_appointment(app, client, add_appointment, open_result, act,
                                                               mail_server):
    add_appointment(days=3, room="2.14")
    opt_in(client, open_result, act)
    run(app, "appointments", "remind")
    run(app, "mail", "deliver", "--all")
    for path in re.findall(r"https://termine\.example\.org(/\S+)", body(mail_server.messages[0])):
        page = client.get(path).get_data(as_text=True)
        about = page[page.index("<h1"):page.index("<form", page.index("<h1"))]
        assert "Es geht um diesen Termin:" in about and "M-100001" in about and "Wacker Hof, Raum 2.14" in about


def test_an_expired_reminder_link_says_so_in_its_heading(app, client, add_appointment, open_result, act, mail_server,
                                                         monkeypatch):
    add_appointment(days=3)
    opt_in(client, open_result, act)
    run(app, "appointments", "remind")
    run(app, "mail", "deliver", "--all")
    path = re.search(r"https://termine\.example\.org(/\S+)", body(mail_server.messages[0])).group(1)
    import time as clock
    real_time = clock.time
    monkeypatch.setattr(clock, "time", lambda: real_time() + 6 * 24 * 3600)
    answer = client.get(path)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 404
    assert "<h1>Link abgelaufen oder ungültig</h1>" in page and "Seite nicht gefunden" not in page
