"""The ticket page, the desk and the Service Point through HTTP: roles, bad input, tokens, caching, the door slot."""

import re
from datetime import time, timedelta

import pytest
from babel.dates import format_date
from flask import render_template_string
from lxml import html
from markupsafe import escape
from portal_plugins.queue import desk_views, service
from portal_plugins.queue.models import Ticket
from sqlalchemy import select, text

from portal import toolkit
from portal.testing import audit_log, csrf_token

DESK = "/de/staff/queue/desk/raum-2-14"


def test_the_ticket_page_shows_number_place_and_wait_and_is_never_cached(client, issue):
    issue()
    _id, token, label = issue(interpreter_language="ar")
    response = client.get(f"/en/queue/t/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert label in page and "1 person is waiting ahead of you" in page
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]  # the page's own, not the default too
    assert "http-equiv" not in page  # no meta refresh: a refresh button instead
    assert 'class="queue-refresh"' in page


def test_the_ticket_page_has_one_hint_per_mode_and_never_names_javascript(client, issue):
    _id, token, _label = issue()
    page = client.get(f"/de/queue/t/{token}").get_data(as_text=True)
    # Without the script: the hint goes with the refresh button (queue.js hides both) and says how to follow.
    refresh = re.search(r'<form method="get" class="queue-refresh">(.*?)</form>', page, re.S).group(1)
    assert "Diese Seite ändert sich nicht von selbst. Tippen Sie ab und zu auf „Aktualisieren“" in refresh
    # With the script: the page asks to be kept open; hidden until the script shows it.
    follow = re.search(r"<p ([^>]*data-queue-follow-hint[^>]*)>(.*?)</p>", page, re.S)
    assert " hidden" in follow.group(1)
    assert follow.group(2) == "Lassen Sie diese Seite geöffnet: Sie ändert sich, sobald Sie aufgerufen werden."
    with client.application.test_request_context("/de/"):
        languages = {toolkit.language_tag(code): toolkit.text_direction(code) for code in toolkit.enabled_languages()}
    for tag, direction in languages.items():
        page = client.get(f"/{tag}/queue/t/{token}").get_data(as_text=True)
        assert "JavaScript" not in page, tag
        # Right-to-left languages quote with their own marks, never the German „ “.
        assert direction == "ltr" or "„" not in page, tag


def test_the_ticket_page_names_the_interpreter_language_as_the_reader_writes_it(client, issue):
    _id, token, _label = issue(interpreter_language="ar")
    for lang, name in (("es", "árabe"), ("fr", "arabe"), ("de", "Arabisch")):
        page = client.get(f"/{lang}/queue/t/{token}").get_data(as_text=True)
        note = re.search(r'<p class="queue-interpreter">(.*?)</p>', page).group(1)
        assert name in note and "العربية" not in note, (lang, note)


def test_unknown_or_guessed_tokens_get_404(client, issue):
    _id, token, _label = issue()
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "1", "A" * 32, token + "x"):
        assert client.get(f"/de/queue/t/{wrong}").status_code == 404


def test_the_live_part_answers_304_until_something_changes(client, staff_client, issue):
    _id, token, label = issue()
    first = client.get(f"/de/queue/t/{token}/live")
    assert first.status_code == 200 and len(first.data) < 15_000 and label in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert client.get(f"/de/queue/t/{token}/live", headers={"If-None-Match": etag}).status_code == 304
    desk = staff_client("caseworker")
    desk.post(f"{DESK}/next", data={"csrf_token": csrf_token(desk, DESK)})
    called = client.get(f"/de/queue/t/{token}/live", headers={"If-None-Match": etag})
    text = called.get_data(as_text=True)
    assert called.status_code == 200
    assert "Bitte gehen Sie jetzt in Raum 2.14." in text


def test_the_call_is_shown_in_the_clients_language_and_german(client, staff_client, issue):
    _id, token, _label = issue()
    desk = staff_client("caseworker")
    desk.post(f"{DESK}/next", data={"csrf_token": csrf_token(desk, DESK)})
    page = client.get(f"/ar/queue/t/{token}").get_data(as_text=True)
    assert "Bitte gehen Sie jetzt in Raum 2.14." in page and 'lang="de"' in page
    assert re.search(r'lang="ar"[^>]*dir="rtl"', page)


def test_the_arabic_desk_says_that_no_number_waits_and_counts_the_others(staff_client, issue):
    desk = staff_client("caseworker")
    waiting = "/ar/staff/queue/desk/raum-2-14/waiting"
    assert "لا ينتظر أي رقم (0)" in desk.get(waiting).get_data(as_text=True)
    for _number in range(11):
        issue()
    assert "11 رقمًا ينتظر" in desk.get(waiting).get_data(as_text=True)


def test_the_desk_follows_its_location_without_keeping_the_session_alive(staff_client, issue):
    desk = staff_client("caseworker")
    page = desk.get(DESK).get_data(as_text=True)
    assert 'data-queue-live-url="/de/staff/queue/desk/raum-2-14/waiting"' in page
    assert 'class="queue-refresh"' in page  # without JavaScript: the link to refresh by hand
    poll = {"Portal-Poll": "1"}
    first = desk.get(f"{DESK}/waiting", headers=poll)
    assert first.status_code == 200 and "0 Nummern warten" in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert desk.get(f"{DESK}/waiting", headers={**poll, "If-None-Match": etag}).status_code == 304
    _id, _token, label = issue()
    changed = desk.get(f"{DESK}/waiting", headers={**poll, "If-None-Match": etag})
    assert changed.status_code == 200 and label in changed.get_data(as_text=True)
    assert changed.headers["Cache-Control"] == "private, no-cache"


def test_the_desks_poll_needs_the_role(staff_client, client):
    assert staff_client("door").get(f"{DESK}/waiting", headers={"Portal-Poll": "1"}).status_code == 403
    assert client.get(f"{DESK}/waiting", headers={"Portal-Poll": "1"}).status_code == 401


@pytest.mark.parametrize("role", ["door", "editor"])
def test_door_and_editor_cannot_use_desks(staff_client, role):
    account = staff_client(role)
    assert account.get("/de/staff/queue/").status_code == 403
    assert account.get(DESK).status_code == 403


def test_a_desk_calls_serves_and_finishes_and_a_double_click_calls_once(staff_client, issue, stored):
    first, second = issue()[0], issue()[0]
    desk = staff_client("caseworker")
    token = csrf_token(desk, DESK)
    assert desk.post(f"{DESK}/next", data={"csrf_token": token}).status_code == 302
    assert desk.post(f"{DESK}/next", data={"csrf_token": token}).status_code == 302
    assert stored(first)["state"] == "called" and stored(second)["state"] == "waiting"
    page = desk.get(DESK).get_data(as_text=True)
    assert "A 001" in page and "Erneut aufrufen" in page
    version = stored(first)["version"]
    for action in ("start", "finish"):
        response = desk.post(f"{DESK}/ticket/{first}/{action}", data={"csrf_token": token, "version": version})
        assert response.status_code == 302
        version += 1
    assert stored(first)["state"] == "done"
    # The same button again, from the page loaded before: nothing changes, and the desk page at its own address
    # (a reload sends nothing again) says why.
    stale = desk.post(f"{DESK}/ticket/{first}/finish", data={"csrf_token": token, "version": version - 1})
    assert (stale.status_code, stale.headers["Location"]) == (303, DESK)
    assert "Diese Nummer wurde inzwischen geändert" in desk.get(DESK).get_data(as_text=True)
    assert stored(first)["state"] == "done"


def test_bad_input_is_refused_with_the_error_summary(staff_client, issue, stored):
    ticket_id = issue()[0]
    desk = staff_client("caseworker")
    token = csrf_token(desk, DESK)
    response = desk.post(f"{DESK}/call", data={"csrf_token": token, "number": "Z 999"})
    assert response.status_code == 422 and 'id="error-summary"' in response.get_data(as_text=True)
    response = desk.post(f"{DESK}/call", data={"csrf_token": token, "number": ""})
    assert response.status_code == 422
    # A missed client cannot be marked before they were called: the desk page says why, at its own address.
    response = desk.post(f"{DESK}/ticket/{ticket_id}/missed", data={"csrf_token": token, "version": 1})
    assert response.status_code == 303 and response.headers["Location"] == DESK
    assert "Nur eine aufgerufene Nummer kann als nicht erschienen gelten." in desk.get(DESK).get_data(as_text=True)
    assert stored(ticket_id)["state"] == "waiting"
    assert desk.post(f"{DESK}/call", data={"csrf_token": token, "number": "a1"}).status_code == 302
    version = stored(ticket_id)["version"]
    response = desk.post(f"{DESK}/ticket/{ticket_id}/transfer", data={"csrf_token": token, "version": version,
                                                                       "target": "queue:elsewhere"})
    assert response.status_code == 422 and 'id="error-summary"' in response.get_data(as_text=True)
    assert stored(ticket_id)["state"] == "called"
    response = desk.post(f"{DESK}/ticket/{ticket_id}/transfer", data={"csrf_token": token, "version": version,
                                                                       "target": "queue:service-point"})
    assert response.status_code == 302 and stored(ticket_id)["state"] == "transferred"
    assert "A 001 ist jetzt S 001. Bitte sagen Sie" in desk.get(DESK).get_data(as_text=True)


def test_the_desk_names_the_language_to_interpret_as_staff_read_it_and_as_its_speakers_do(staff_client, issue):
    issue(interpreter_language="ar")
    desk = staff_client("caseworker")
    page = desk.get(DESK).get_data(as_text=True)
    assert 'Arabisch (<span lang="ar" dir="rtl">العربية</span>)' in page
    desk.post(f"{DESK}/call", data={"csrf_token": csrf_token(desk, DESK)})
    assert 'Arabisch (<span lang="ar" dir="rtl">العربية</span>)' in desk.get(DESK).get_data(as_text=True)


def test_an_urgent_flag_moves_a_client_to_the_front(staff_client, issue, stored, data, today):
    issue()
    later = issue()[0]
    desk = staff_client("caseworker")
    token = csrf_token(desk, DESK)
    assert desk.post(f"{DESK}/ticket/{later}/urgent", data={"csrf_token": token, "version": 1}).status_code == 302
    desk.post(f"{DESK}/next", data={"csrf_token": token})
    assert stored(later)["state"] == "called"


def test_the_audit_log_follows_a_ticket_in_the_readers_words(staff_client, issue, stored):
    ticket_id = issue()[0]
    desk = staff_client("caseworker")
    token = csrf_token(desk, DESK)
    assert desk.post(f"{DESK}/next", data={"csrf_token": token}).status_code == 302
    transfer = {"csrf_token": token, "version": stored(ticket_id)["version"], "target": "queue:service-point"}
    assert desk.post(f"{DESK}/ticket/{ticket_id}/transfer", data=transfer).status_code == 302
    entries = {entry.what: entry for entry in audit_log(staff_client("admin"), "en")}
    transferred = entries[f"Number sent on {ticket_id}"]
    assert transferred.summary.startswith("A 001 → S 001 (")
    assert transferred.changes == ["Status | Before: called | After: sent on"]
    # The desk's and the queue's names, not their slugs.
    assert "Desk | After: Raum 2.14" in entries[f"Number called {ticket_id}"].changes
    issued = entries[f"Waiting number issued {ticket_id}"]
    assert "Queue | After: Appointments" in issued.changes and "termine" not in issued.summary


@pytest.mark.portal_config({"plugin_settings": {"queue": {"walk_ins": True}}})
def test_the_service_point_issues_a_walk_in_ticket_with_a_qr_code(app, staff_client, data):
    desk = staff_client("caseworker")
    token = csrf_token(desk, "/de/staff/queue/service-point")
    response = desk.post("/de/staff/queue/service-point", data={
        "csrf_token": token, "queue": "service-point", "language": "tr", "interpreter_language": ""})
    assert response.status_code == 302
    page = desk.get(response.headers["Location"]).get_data(as_text=True)
    ticket_token = data(lambda s: s.scalars(select(Ticket)).one().token)
    assert "S 001" in page and "<svg" in page and f"/tr/queue/t/{ticket_token}" in page
    # What the client takes away says what to do in the language chosen for them.
    slip = re.search(r'<div class="queue-slip-text" lang="tr" dir="ltr">.*?</div>', page, re.S).group(0)
    assert "<p>Kodu telefonunuzla tarayın." in slip
    # Also for clients without a smartphone: the call display; and the office and the day the number is for.
    assert "Akıllı telefonunuz yoksa" in slip and "çağrı ekranını" in slip
    with app.app_context():
        today = toolkit.office_today()
    office = escape(app.config["PORTAL"]["office"]["name"])
    # On lines of their own: a Latin comma between them would sit oddly in a right-to-left line.
    assert f'<span lang="de" dir="ltr">{office}</span><br>{format_date(today, "full", locale="tr")}' in slip


@pytest.mark.portal_config({"plugin_settings": {"queue": {"walk_ins": True}}})
def test_the_door_issues_a_walk_in_ticket_from_its_own_menu(staff_client, data):
    door = staff_client("door")
    assert "/de/staff/queue/entrance/service-point" in door.get("/de/staff/arrival/").get_data(as_text=True)
    assert door.get("/de/staff/queue/").status_code == 403
    url = "/de/staff/queue/entrance/service-point"
    response = door.post(url, data={"csrf_token": csrf_token(door, url), "queue": "service-point", "language": "ar",
                                    "interpreter_language": "ar"})
    assert response.status_code == 302 and "/de/staff/queue/entrance/service-point/" in response.headers["Location"]
    page = door.get(response.headers["Location"]).get_data(as_text=True)
    ticket = data(lambda s: s.scalars(select(Ticket)).one())
    assert f"/ar/queue/t/{ticket.token}" in page and ticket.interpreter_language == "ar"
    assert staff_client("editor").get(url).status_code == 403


def test_walk_ins_are_off_by_default(staff_client):
    desk = staff_client("caseworker")
    page = desk.get("/de/staff/queue/service-point").get_data(as_text=True)
    assert "Laufkundschaft wird zurzeit nicht angenommen" in page and 'name="queue"' not in page
    assert desk.post("/de/staff/queue/service-point", data={"csrf_token": csrf_token(desk, "/de/staff/queue/")})\
        .status_code == 403


def check_in(data, today, *keys: str) -> None:
    """Check in a pass for each key, its public id the key 26 times, as the arrival plugin announces it."""
    data(lambda session: [toolkit.publish(
        "arrival.checked_in", public_id=key * 26, day=today, window_start=time(0), window_end=time(23, 59),
        persons=1, service_group="residence", interpreter_language="", checked_in_at=toolkit.utcnow())
        for key in keys])


def pass_slot(app, state: str, key: str) -> str:
    """Return what the waiting room adds to the page of the pass checked in with key, in German."""
    with app.test_request_context("/de/"):
        app.preprocess_request()
        return render_template_string("{{ slot('arrival.pass', state=state, public_id=public_id) }}", state=state,
                                      public_id=key * 26)


def test_the_door_and_the_pass_page_show_the_number_of_a_check_in(app, data, today, client):
    check_in(data, today, "C")
    shown = pass_slot(app, "checked_in", "C")
    with app.test_request_context("/de/"):
        app.preprocess_request()
        door = render_template_string("{{ slot('arrival.door', kind='valid_now', "
                                      "public_id='" + "C" * 26 + "') }}")
        nothing = render_template_string("{{ slot('arrival.door', kind='not_genuine', "
                                         "public_id='') }}")
    assert "A 001" in door and "/de/queue/t/" in shown and "A 001" in shown
    assert "queue-door" not in nothing
    # Scanned again once served, the pass names no number to tell the client: A 001 counts no more.
    data(lambda s: s.execute(text("UPDATE queue_ticket SET state = 'done'")))
    with app.test_request_context("/de/"):
        app.preprocess_request()
        again = render_template_string("{{ slot('arrival.door', kind='already_checked_in', "
                                       "public_id='" + "C" * 26 + "') }}")
    assert "queue-door" not in again and "A 001" not in again


def test_the_pass_page_of_a_called_client_says_where_to_go(app, data, today):
    check_in(data, today, "C")
    data(lambda s: service.call(service.for_arrival("C" * 26), service.find_desk("raum-2-14"), toolkit.utcnow()))
    called = html.fromstring(pass_slot(app, "checked_in", "C"))
    assert called.xpath("string(.//*[@class='queue-call__title'])").strip() == "➜ Sie sind an der Reihe!"
    assert "Bitte gehen Sie jetzt in Raum 2.14." in called.text_content()
    assert called.xpath(".//a")[0].text_content() == "Ihre Wartenummer A 001"
    # Called to a desk without a room, in Arabic: the desk's German name is marked as German.
    data(lambda s: s.execute(text("UPDATE queue_ticket SET state = 'called', room = '', desk = 'service-point-1'")))
    with app.test_request_context("/ar/"):
        app.preprocess_request()
        arabic = render_template_string("{{ slot('arrival.pass', state='checked_in', public_id=public_id) }}",
                                        public_id="C" * 26)
    assert '\u2068<span lang="de" dir="ltr">Service Point, Schalter 1</span>\u2069' in arabic
    data(lambda s: s.execute(text("UPDATE queue_ticket SET state = 'in_service'")))
    served = pass_slot(app, "checked_in", "C")
    assert "Sie werden gerade bedient." in served and "Sie sind an der Reihe" not in served and "/de/queue/t/" in served


def test_the_desk_lists_the_next_numbers_and_counts_them_all(staff_client, data, today):
    def many(session):
        queue = service.find_queue("termine")
        return [service.issue(queue, origin="walk_in", now=toolkit.utcnow()).label
                for _number in range(desk_views.WAITING_ROWS + 5)]

    labels = data(many)
    desk = staff_client("caseworker")
    for path in (DESK, f"{DESK}/waiting"):
        page = desk.get(path).get_data(as_text=True)
        assert f"{len(labels)} Nummern warten" in page
        assert f"Hier stehen die nächsten {desk_views.WAITING_ROWS} in der Reihenfolge des Aufrufs" in page
        assert labels[desk_views.WAITING_ROWS - 1] in page and labels[desk_views.WAITING_ROWS] not in page


def wait_cells(page: str) -> dict[str, html.HtmlElement]:
    """Return the desk list's cells of minutes waited, by the number of their row."""
    rows = html.fromstring(page).xpath('//table[@class="queue-waiting"]/tbody/tr')
    return {row.xpath("string(th)"): row.xpath("td")[0] for row in rows}


def test_a_transferred_client_shows_the_wait_here_and_the_time_in_the_building_as_the_list_follows(
        app, staff_client, issue, send_on):
    now = toolkit.utcnow()
    with app.app_context():
        today = toolkit.office_today()  # the earlier ticket on today's list also just after midnight
    first = issue("service-point", now=now - timedelta(minutes=90))[0]
    sent_on_label = send_on(first, "queue:termine", now, "service-point-1")[2]
    plain_label = issue(now=now - timedelta(minutes=30), day=today)[2]
    desk = staff_client("caseworker")
    page, followed = (wait_cells(desk.get(path).get_data(as_text=True)) for path in (DESK, f"{DESK}/waiting"))
    # The page's list and the one its script puts in its place (queue-desk.js) agree.
    assert {label: html.tostring(cell) for label, cell in page.items()} == {
        label: html.tostring(cell) for label, cell in followed.items()}
    assert " ".join(page[sent_on_label].text_content().split()) == "0 Minuten seit 90 Minuten im Haus"
    assert page[sent_on_label].xpath('string(span[@class="queue-arrived"])') == "seit 90 Minuten im Haus"
    assert page[plain_label].text_content() == "30 Minuten"  # arrived here: no second time
    arabic = wait_cells(desk.get("/ar/staff/queue/desk/raum-2-14/waiting").get_data(as_text=True))
    assert arabic[sent_on_label].xpath('string(span[@class="queue-arrived"])') == "في المبنى منذ 90 دقيقةً"


def test_a_number_changed_while_it_was_being_called_gets_the_desk_page_with_the_state_now(staff_client, issue,
                                                                                          monkeypatch):
    issue()
    desk = staff_client("caseworker")
    # Another desk's change lands between the page's read and its save.
    monkeypatch.setattr(service, "change", lambda ticket, version, action, apply: False)
    answer = desk.post(f"{DESK}/call", data={"csrf_token": csrf_token(desk, DESK), "number": "A 1"})
    assert answer.status_code == 409
    summary = html.fromstring(answer.get_data(as_text=True)).get_element_by_id("error-summary-title")
    assert summary.text_content() == ("Diese Nummer wurde inzwischen geändert, zum Beispiel an einem anderen Platz "
                                      "oder in einem zweiten Fenster. Unten sehen Sie den Stand jetzt.")


def test_calling_a_number_served_at_another_desk_names_that_desk(staff_client, issue):
    issue()
    first, second = staff_client("caseworker"), staff_client("caseworker")
    other = "/de/staff/queue/desk/raum-2-15"
    assert first.post(f"{DESK}/call", data={"csrf_token": csrf_token(first, DESK), "number": "A 1"}).status_code == 302
    answer = second.post(f"{other}/call", data={"csrf_token": csrf_token(second, other), "number": "A 1"},
                         follow_redirects=True)
    assert "Die Nummer A 001 wartet nicht: Sie ist bei Raum 2.14." in answer.get_data(as_text=True)


@pytest.mark.parametrize("said", [
    pytest.param("Bitte wenden Sie sich an den Service Point; am Eingang zeigt man Ihnen den Weg.", id="not set"),
    pytest.param('Bitte wenden Sie sich an den Service Point: <span lang="de" dir="ltr">Erdgeschoss, rechts vom '
                 'Eingang</span>.', id="set", marks=pytest.mark.portal_config({"plugin_settings": {"queue": {
                     "service_point_place": {"de": "Erdgeschoss, rechts vom Eingang"}}}})),
])
def test_a_missed_number_is_told_where_the_service_point_is(client, issue, data, said):
    _id, token, _label = issue()
    data(lambda session: session.execute(text("UPDATE queue_ticket SET state = 'missed'")))
    page = client.get(f"/de/queue/t/{token}").get_data(as_text=True)
    assert said in page, page[page.index("queue-state--missed"):][:400]


def test_a_client_whose_appointment_ends_while_waiting_is_told_where_to_go_and_leaves_the_queue(app, data, today,
                                                                                                client):
    check_in(data, today, "C", "D")
    waiting, called = data(lambda s: [service.for_arrival(key * 26).token for key in "CD"])
    data(lambda s: service.call(service.for_arrival("D" * 26), service.find_desk("raum-2-14"), toolkit.utcnow()))
    # Both appointments are cancelled that day: the waiting number ends, the one at a desk stays with the desk.
    data(lambda s: [toolkit.publish("arrival.revoked", public_id=key * 26, day=today) for key in "CD"])
    assert data(lambda s: [service.for_arrival(key * 26).state for key in "CD"]) == ["withdrawn", "called"]
    live = client.get(f"/de/queue/t/{waiting}/live").get_data(as_text=True)
    assert "deshalb gilt diese Wartenummer nicht mehr" in live and "Vor Ihnen" not in live
    assert "Sie sind an der Reihe" in client.get(f"/de/queue/t/{called}").get_data(as_text=True)
    # The revoked pass's page says the same instead of leaving the client without their number.
    shown, at_desk = pass_slot(app, "changed", "C"), pass_slot(app, "changed", "D")
    assert "deshalb gilt diese Wartenummer nicht mehr" in shown and at_desk.strip() == ""
    assert "A 001" not in str(data(lambda s: service.board(service.find_queue("termine").location, today)))
    audit = data(lambda s: s.execute(text("SELECT count(*) FROM core_audit_entry WHERE action = 'withdraw'")).scalar())
    assert audit == 1
