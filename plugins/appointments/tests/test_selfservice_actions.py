"""Clients answer from the result page: confirm, cancel, new date, reminders, short notice; by token, not reference."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from portal_plugins.appointments.models import Appointment
from portal_plugins.appointments.selfservice import mail_token
from portal_plugins.appointments.selfservice_models import ClientRequest, FreedSlot, Reminder, ShortNoticeEntry
from sqlalchemy import func, select


def rows(database, model):
    with database() as session:
        return session.scalars(select(model).order_by(model.id)).all()


def count_all(database) -> dict:
    with database() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (ClientRequest, FreedSlot, Reminder, ShortNoticeEntry)}


def test_the_result_page_offers_every_action_with_a_token_not_the_reference(client, add_appointment, open_result):
    add_appointment()
    html, token = open_result(client)
    assert token and "M-100001" not in token
    for label in ("Ich komme", "Ich kann nicht kommen", "Anderer Termin, bitte", "Erinnern Sie mich",
                  "Ich kann kurzfristig kommen", "jemanden, der wartet"):
        assert label in html
    # The forms on the page carry the token, never the reference.
    assert 'name="reference"' not in html[html.index("appointments-selfservice"):]


def test_a_date_given_back_twice_at_once_is_freed_once(app, client, database, add_appointment, open_result, act,
                                                      twice_at_once):
    from portal_plugins.appointments import selfservice_views

    add_appointment()
    _html, token = open_result(client)
    other = app.test_client()
    # A double tap on a slow phone: the second request waits for the first and finds the date given back.
    overlapped, first, second = twice_at_once(
        selfservice_views, "_perform", lambda: act(client, "cancel", token, wants_new_date="no"),
        lambda: act(other, "cancel", token, wants_new_date="no"))
    assert not overlapped, "the second request decided while the first was still deciding"
    assert first.status_code == second.status_code == 200
    assert count_all(database)["FreedSlot"] == 1
    assert [request.state for request in rows(database, ClientRequest)].count("open") == 1


def test_confirm_cancel_and_new_date_are_stored_and_answer_in_the_clients_language(client, database, add_appointment,
                                                                                    open_result, act):
    add_appointment()
    _html, token = open_result(client, lang="ar")
    response = act(client, "confirm", token, lang="ar")
    assert response.status_code == 200 and 'lang="ar"' in response.get_data(as_text=True)
    # Once confirmed, the page says so and offers the other answers, not the same button again.
    html, _token = open_result(client)
    assert "Sie haben zugesagt." in html and ">Ich komme<" not in html and "Ich kann nicht kommen" in html
    response = act(client, "new-date", token, reason="childcare", weekdays=["mon", "thu"], day_times="morning",
                   note="nicht vor 10 Uhr")
    assert response.status_code == 200
    response = act(client, "cancel", token, wants_new_date="yes")
    assert "jemanden, der wartet" in response.get_data(as_text=True)
    requests = rows(database, ClientRequest)
    assert [(r.kind, r.state) for r in requests] == [("confirm", "superseded"), ("new_date", "superseded"),
                                                     ("cancel", "open")]
    assert requests[0].language == "ar" and requests[1].weekdays == "mon,thu" and requests[1].reason == "childcare"
    assert requests[2].wants_new_date is True
    # The slot given back waits for staff to offer it.
    assert [slot.freed_reference for slot in rows(database, FreedSlot)] == ["M-100001"]
    html, _token = open_result(client)
    assert "Sie haben abgesagt." in html


@pytest.mark.parametrize(("action", "fields"), [
    ("cancel", {}),
    ("cancel", {"wants_new_date": "maybe"}),
    ("new-date", {"reason": "holiday"}),
    ("new-date", {"reason": "work", "note": "x" * 201}),
    ("new-date", {"reason": "work", "weekdays": "sun"}),
    ("remind", {"email": "kein-at-zeichen", "consent": "yes"}),
    ("remind", {"email": "kunde@example.org"}),
    ("remind", {"email": "иван@example.org", "consent": "yes"}),
    ("remind", {"email": "kunde@example.org", "consent": "maybe"}),
    ("short-notice", {"day": "31", "month": "2", "year": "2027"}),
    ("short-notice", {"day": "15", "month": "1", "year": "27"}),
    ("short-notice", {"day": "15", "month": "", "year": "2027"}),
])
def test_bad_input_changes_nothing_and_answers_422_with_the_summary(client, database, add_appointment, open_result,
                                                                   act, action, fields):
    add_appointment()
    _html, token = open_result(client)
    before = count_all(database)
    response = act(client, action, token, **fields)
    assert response.status_code == 422
    assert 'id="error-summary"' in response.get_data(as_text=True)
    assert count_all(database) == before


def test_a_form_with_errors_switches_language_to_the_same_form(client, database, add_appointment, open_result):
    add_appointment()
    _html, token = open_result(client)
    form_page = client.get(f"/de/appointments/self-service/remind?t={token}").get_data(as_text=True)
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)" class="form"', form_page).group(1))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page).group(1)
    answer = client.post(action, data={"csrf_token": csrf, "token": token, "email": "kein-at-zeichen"})
    assert answer.status_code == 422
    # The switch's button carries what was typed to the same form in the other language, which acts on nothing.
    switch = lxml.html.fromstring(answer.get_data(as_text=True)).get_element_by_id("language-list").getparent()
    address = switch.xpath(".//button[@lang='en']/@formaction")[0]
    # A token signed anew for the answer: the same as the one sent unless a second passed in between.
    assert address.startswith("/en/appointments/self-service/remind?t=")
    english = client.post(address, data={field.get("name"): field.get("value")
                                         for field in switch.xpath("./input[@type='hidden']")})
    page = english.get_data(as_text=True)
    assert english.status_code == 422 and 'value="kein-at-zeichen"' in page and 'id="email-error"' in page
    assert 'lang="en"' in page and count_all(database)["Reminder"] == 0


@pytest.mark.parametrize("token", ["", "M-100001", "forged.token.value"])
def test_a_missing_or_forged_token_reveals_nothing(client, database, add_appointment, act, token):
    add_appointment()
    response = act(client, "confirm", token)
    assert response.status_code == 404
    assert "abgelaufen oder ungültig" in response.get_data(as_text=True)
    assert count_all(database)["ClientRequest"] == 0


def test_an_altered_token_is_refused(client, database, add_appointment, open_result, act):
    first = add_appointment("M-100001")
    add_appointment("M-100002")
    _html, token = open_result(client)
    payload, _dot, rest = token.partition(".")
    # Another appointment's id in the same signature does not pass.
    import base64
    import json
    altered = base64.urlsafe_b64encode(json.dumps([first + 1, "act"]).encode()).decode().rstrip("=")
    assert act(client, "confirm", f"{altered}.{rest}").status_code == 404
    assert count_all(database)["ClientRequest"] == 0


def test_reminders_need_consent_and_can_be_stopped(client, database, add_appointment, open_result, act):
    add_appointment()
    _html, token = open_result(client)
    assert act(client, "remind", token, email=" kunde@example.org ", consent="yes").status_code == 200
    assert [(r.email, r.language) for r in rows(database, Reminder)] == [("kunde@example.org", "de")]
    html, token = open_result(client)
    assert "Keine Erinnerungen mehr" in html and "kunde@example.org" not in html
    assert act(client, "stop-reminders", token).status_code == 200
    assert rows(database, Reminder) == []


def test_a_client_leaves_the_short_notice_list_and_the_address_goes(client, database, add_appointment, open_result,
                                                                    act):
    add_appointment(status="postponed", days=None)
    _html, token = open_result(client)
    assert act(client, "short-notice", token, email="kunde@example.org").status_code == 200
    html, token = open_result(client)
    assert "Sie stehen auf der Liste" in html and "self-service/leave-list?t=" in html
    assert "nicht mehr auf der Liste" in act(client, "leave-list", token).get_data(as_text=True)
    assert count_all(database)["ShortNoticeEntry"] == 0
    html, _token = open_result(client)
    assert "Sie stehen auf der Liste" not in html and "Ich kann kurzfristig kommen" in html


def test_short_notice_list_takes_the_permit_expiry(client, database, add_appointment, open_result, act):
    add_appointment(days=40)
    _html, token = open_result(client)
    form = client.get(f"/de/appointments/self-service/short-notice?t={token}").get_data(as_text=True)
    # Three boxes, like the date of birth: no date picker, no format to guess.
    assert 'type="date"' not in form and 'name="day"' in form and 'autocomplete="off"' in form
    answer = act(client, "short-notice", token, email="", day="15", month="1", year="27")
    assert "Bitte geben Sie das Jahr mit vier Ziffern ein." in answer.get_data(as_text=True)
    assert 'value="27"' in answer.get_data(as_text=True)
    assert act(client, "short-notice", token, email="", day="١٥", month="1", year="2027").status_code == 200
    entry = rows(database, ShortNoticeEntry)[0]
    assert entry.permit_expires.isoformat() == "2027-01-15" and entry.email == ""
    assert "Sie stehen auf der Liste" in open_result(client)[0]


def test_the_permit_expiry_may_be_left_out(client, database, add_appointment, open_result, act):
    add_appointment(days=40)
    _html, token = open_result(client)
    assert act(client, "short-notice", token, email="", day="", month="", year="").status_code == 200
    assert rows(database, ShortNoticeEntry)[0].permit_expires is None


def test_a_postponed_appointment_may_wait_but_not_confirm(client, database, add_appointment, open_result, act):
    add_appointment(status="postponed", days=None)
    html, token = open_result(client)
    assert "Ich komme" not in html and "Ich kann kurzfristig kommen" in html
    response = act(client, "confirm", token)
    assert response.status_code == 200 and "nicht möglich" in response.get_data(as_text=True)
    assert count_all(database)["ClientRequest"] == 0


def test_a_cancelled_appointment_shows_no_empty_answer_section(client, add_appointment, open_result):
    add_appointment(status="cancelled", days=None)
    html, token = open_result(client)
    assert "Abgesagt" in html and "Ihre Antwort an das Amt" not in html and token is None


@pytest.mark.usefixtures("visit_answer")
@pytest.mark.parametrize("status", ["postponed", "cancelled", "completed"])
def test_an_appointment_without_a_visit_shows_nothing_for_a_visit(client, add_appointment, open_result, status):
    add_appointment(status=status, days=None)
    html, _token = open_result(client)
    assert not [text for text in VISIT_ONLY if text in html]


@pytest.mark.portal_config({"plugin_settings": {"appointments": {"rate_limit_selfservice": "2 per hour"}}})
def test_actions_are_rate_limited(client, add_appointment, open_result, act):
    add_appointment()
    _html, token = open_result(client)
    # Forms refused for their input act on nothing and do not count: correcting a date is not held back.
    assert [act(client, "new-date", token).status_code for _ in range(3)] == [422] * 3
    assert act(client, "confirm", token).status_code == 200
    assert act(client, "confirm", token).status_code == 200
    assert act(client, "confirm", token).status_code == 429


# What only a visit still to come shows: the badge, the persons, the calendar file, and a stand-in for what other
# plugins add to it (what to bring, the rules, the pass).
VISIT_ONLY = ("Termin steht fest", "Es darf 1 Person kommen.", "appointment.ics", "stand-in for a visit")


@pytest.fixture
def visit_answer(app):
    """Answer the result's slot as the checklists, hygiene and arrival plugins would."""
    from markupsafe import Markup

    answers = app.extensions["portal.slots"].answers.setdefault("appointments.result", [])
    entry = ("stand-in", lambda **_context: Markup("<p>stand-in for a visit</p>"))
    answers.append(entry)
    yield
    answers.remove(entry)


@pytest.mark.usefixtures("visit_answer")
def test_a_cancelled_date_is_given_back_for_good(client, database, add_appointment, open_result, act):
    add_appointment()
    html, token = open_result(client)
    assert all(text in html for text in VISIT_ONLY)
    calendar_url = re.search(r'href="([^"]+appointment\.ics)"', html).group(1)
    act(client, "remind", token, email="kunde@example.org", consent="yes")
    assert act(client, "cancel", token, wants_new_date="no").status_code == 200
    html, _none = open_result(client)  # no form left to answer: the earlier page's token is tried below
    assert "Ich komme" not in html and "Sie haben abgesagt." in html
    # The page calls the date cancelled and no longer asks the client to come: no "date fixed" badge, no persons,
    # no rules for a visit, no calendar file (the earlier page's link no longer serves it either).
    assert "Abgesagt" in html and "Bitte kommen Sie nicht zu diesem Termin." in html
    assert not [text for text in VISIT_ONLY if text in html]
    assert client.get(calendar_url).status_code == 404
    # Neither a second cancellation nor a confirmation afterwards changes anything.
    for action, fields in (("cancel", {"wants_new_date": "yes"}), ("confirm", {})):
        assert "nicht möglich" in act(client, action, token, **fields).get_data(as_text=True)
    assert count_all(database) == {"ClientRequest": 1, "FreedSlot": 1, "Reminder": 0, "ShortNoticeEntry": 0}


def test_the_answer_section_says_what_was_asked_and_what_follows(client, add_appointment, open_result, act):
    add_appointment()
    _html, token = open_result(client)
    act(client, "new-date", token, reason="work", weekdays="mon", day_times="morning")
    html, _token = open_result(client)
    assert "Sie haben um einen anderen Termin gebeten. Das Amt hat Ihre Nachricht noch nicht bearbeitet." in html
    act(client, "cancel", token, wants_new_date="yes")
    html, _none = open_result(client)
    assert "Sie haben abgesagt. Sie bekommen einen neuen Termin per Brief." in html
    # The easy-language page explains a date the client gave back, not one the office cancelled.
    assert "/leicht#status-given-back" in html
    easy = client.get("/de/appointments/leicht").get_data(as_text=True)
    assert 'id="status-given-back"' in easy and "Dann schickt das Amt Ihnen einen Brief." in easy


@pytest.mark.parametrize("days, promise", [(5, "3 Tage und 1 Tag vorher"), (2, "per E-Mail, vor dem Termin")])
def test_the_reminder_promises_only_what_can_still_be_sent(client, add_appointment, open_result, act, days, promise):
    # Both reminders go on their days only when asked for four days ahead or more; later, what is left.
    add_appointment(days=days)
    html, token = open_result(client)
    assert promise in html
    form = client.get(f"/de/appointments/self-service/remind?t={token}").get_data(as_text=True)
    assert ("Wir schicken Ihnen 3 Tage und 1 Tag vor dem Termin" in form) == (days == 5)


@pytest.mark.parametrize("status, address", [("cancelled", "migration@musterstadt.example"),
                                             ("postponed", "notfall@musterstadt.example")])
def test_a_next_step_that_asks_for_an_email_gives_the_address(client, add_appointment, open_result, status, address):
    add_appointment(status=status, days=None)
    html, _token = open_result(client)
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert f'href="mailto:{address}"' in main


def test_another_date_is_asked_for_on_the_days_the_office_opens(client, add_appointment, open_result):
    # The default hours: Monday, Tuesday and Thursday mornings, Thursday afternoon.
    add_appointment()
    _html, token = open_result(client)
    form = client.get(f"/de/appointments/self-service/new-date?t={token}").get_data(as_text=True)
    offered = re.findall(r'name="weekdays"[^>]*value="(\w+)"|value="(\w+)"[^>]*name="weekdays"', form)
    assert sorted(filter(None, (a or b for a, b in offered))) == ["mon", "thu", "tue"]
    assert 'value="afternoon"' in form


def test_a_postponed_appointment_is_not_told_its_date_stays(client, add_appointment, open_result, act):
    # It has no date: nothing "stays", and any offered date is not "earlier".
    add_appointment(status="postponed", days=None)
    html, token = open_result(client)
    assert "ein freier Termin, wenn jemand absagt" in html and "früherer Termin" not in html
    form = client.get(f"/de/appointments/self-service/short-notice?t={token}").get_data(as_text=True)
    assert "Wer zuerst zusagt, bekommt ihn." in form and "bisheriger Termin" not in form
    act(client, "short-notice", token, email="")
    answer = act(client, "leave-list", token).get_data(as_text=True)
    assert "Sie stehen nicht mehr auf der Liste. Ihre E-Mail-Adresse ist gelöscht." in answer
    assert "bisheriger Termin" not in answer


def about_part(page: str) -> str:
    """Return what a self-service page shows between its heading and its form."""
    start = page.index("<h1")
    return page[start:page.index("<form", start)]


@pytest.mark.parametrize("action", ["confirm", "cancel", "new-date", "remind", "stop-reminders", "short-notice",
                                    "leave-list"])
def test_a_self_service_page_names_the_appointment_it_acts_on(client, add_appointment, open_result, action):
    add_appointment(days=5, room="2.14")
    _html, token = open_result(client)
    page = client.get(f"/de/appointments/self-service/{action}?t={token}").get_data(as_text=True)
    about = about_part(page)
    day = datetime.now(ZoneInfo("Europe/Berlin")).date() + timedelta(days=5)
    assert "Es geht um diesen Termin:" in about
    for fact in ("M-100001", "Verlängerung der Aufenthaltserlaubnis", f'<time datetime="{day.isoformat()}T09:30',
                 "09:30", "Wacker Hof, Raum 2.14"):
        assert fact in about, fact
    # Nothing the result page does not show: the date of birth is never on a page.
    assert "1985" not in page


def test_a_page_sent_back_with_errors_still_names_the_appointment(client, add_appointment, open_result, act):
    add_appointment(days=5)
    _html, token = open_result(client, lang="en")
    answer = act(client, "cancel", token, lang="en")
    about = about_part(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert "This concerns this appointment:" in about and "M-100001" in about and "09:30" in about


def test_the_short_notice_page_of_a_postponed_appointment_names_it_without_a_date(client, add_appointment,
                                                                                 open_result):
    add_appointment(status="postponed", days=None, building="", room="")
    _html, token = open_result(client)
    about = about_part(client.get(f"/de/appointments/self-service/short-notice?t={token}").get_data(as_text=True))
    assert "M-100001" in about and "Verlängerung der Aufenthaltserlaubnis" in about
    assert "<time" not in about and "Uhrzeit" not in about


@pytest.mark.parametrize("lang, heading", [("de", "Link abgelaufen oder ungültig"),
                                           ("uk", "Посилання застаріле або недійсне")])
def test_an_expired_self_service_link_says_so_in_its_heading(app, client, add_appointment, open_result, monkeypatch,
                                                             lang, heading):
    add_appointment()
    _html, token = open_result(client, lang=lang)
    monkeypatch.setitem(app.config["PORTAL"]["plugin_settings"]["appointments"], "result_link_minutes", 1)
    import time as clock
    real_time = clock.time
    monkeypatch.setattr(clock, "time", lambda: real_time() + 120)
    answer = client.get(f"/{lang}/appointments/self-service/cancel?t={token}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 404
    assert f"<h1>{heading}</h1>" in page and f'href="/{lang}/appointments/"' in page


def test_confirming_twice_is_one_answer_and_the_mail_link_then_says_so(client, database, add_appointment, open_result,
                                                                       act, staff_client):
    appointment_id = add_appointment(days=10)
    _html, token = open_result(client)
    for _ in range(2):
        assert "Danke! Wir haben notiert, dass Sie kommen." in act(client, "confirm", token).get_data(as_text=True)
    assert count_all(database)["ClientRequest"] == 1
    inbox = staff_client("caseworker").get("/de/staff/appointments/self-service/").get_data(as_text=True)
    per_day = lxml.html.fromstring(inbox).get_element_by_id("per-day-title").getparent()
    # Columns: coming, cancelled, another date wanted.
    assert [cell.text_content() for cell in per_day.xpath(".//tbody//td")] == ["1", "0", "0"]
    # The reminder's "Ich komme" link, opened after confirming, says so instead of offering the button again.
    with database() as session:
        appointment = session.get(Appointment, appointment_id)
        link = f"/de/appointments/self-service/mail/{mail_token(appointment, 'confirm')}"
    opened = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "Danke! Wir haben notiert, dass Sie kommen." in opened
    assert count_all(database)["ClientRequest"] == 1
