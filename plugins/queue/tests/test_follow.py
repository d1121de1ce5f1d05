"""Phones follow their tickets through the location's board: public numbers only, built once per version and shared,
304 before Flask's pipeline while nothing changed; the page carries the texts its script fills in."""

import gzip
import json
import re
from datetime import time, timedelta

import pytest
from flask_babel import force_locale
from portal_plugins.queue import service, views

from portal import toolkit
from portal.testing import csrf_token

BOARD = "/de/queue/board/office"
DESK = "/de/staff/queue/desk/raum-2-14"


def board_of(answer) -> dict:
    body = answer.data
    if answer.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


def counted(monkeypatch, module, name) -> list:
    """Count the calls of module.name (a list that grows by one per call)."""
    calls, original = [], getattr(module, name)

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_the_board_holds_public_numbers_only(client, issue, call_next, today):
    _id, first_token, first = issue(interpreter_language="ar", persons=2)
    _id, second_token, second = issue(window_start=time(23, 59))
    _id, third_token, third = issue("service-point", urgent=True)
    call_next("service-point-1")
    answer = client.get(BOARD)
    text = gzip.decompress(answer.data).decode() if answer.headers.get("Content-Encoding") else answer.text
    board = json.loads(text)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.headers["Cache-Control"] == "no-cache"
    assert board["queues"]["termine"]["waiting"] == [first, second]
    assert board["queues"]["termine"]["desks"] == 2 and board["queues"]["termine"]["minutes"] == 10
    assert list(board["called"]) == [third] and board["called"][third]["place"] == "Service Point, Schalter 1"
    assert board["day"] == today.isoformat()
    assert first_token not in text and second_token not in text and third_token not in text
    # Neither the interpreter language, the persons, urgency nor an arrival window: numbers, rooms and moments only.
    assert '"ar"' not in text and "23:59" not in text and "22:59" not in text
    assert "person" not in text and "urgent" not in text and "token" not in text
    assert set(board) == {"day", "queues", "called", "served"}
    assert set(board["queues"]["termine"]) == {"waiting", "reserved", "minutes", "desks"}


def test_an_unknown_location_has_no_board(client):
    assert client.get("/de/queue/board/nowhere").status_code == 404


def test_unchanged_polls_are_answered_before_the_view(client, issue, monkeypatch):
    issue()
    first = client.get(BOARD, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    looked_up = counted(monkeypatch, service, "locations")
    for _ in range(5):
        unchanged = client.get(BOARD, headers={"If-None-Match": first.headers["ETag"]})
        assert unchanged.status_code == 304 and unchanged.headers["ETag"] == first.headers["ETag"]
        assert "Set-Cookie" not in unchanged.headers
    assert looked_up == []  # the view never ran: the WSGI layer in front of Flask answered


def test_a_call_changes_every_phones_board_yet_it_is_built_once_per_version(client, issue, call_next, monkeypatch):
    labels = [issue()[2] for _ in range(5)]
    etag = client.get(BOARD).headers["ETag"]
    built = counted(monkeypatch, service, "board")
    call_next()
    answers = [client.get(BOARD, headers={"If-None-Match": etag}) for _phone in labels]
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.data for answer in answers}) == 1 and len(built) == 1
    board = board_of(answers[0])
    assert list(board["called"]) == [labels[0]] and board["queues"]["termine"]["waiting"] == labels[1:]
    call_next("raum-2-15")
    assert board_of(client.get(BOARD))["queues"]["termine"]["waiting"] == labels[2:] and len(built) == 2


def test_the_board_names_the_desk_a_transferred_number_waits_for(staff_client, client, issue, data):
    _id, _token, label = issue()
    desk = staff_client("caseworker")
    desk.post(f"{DESK}/next", data={"csrf_token": csrf_token(desk, DESK)})
    page = desk.get(DESK).get_data(as_text=True)
    assert label in page

    def transfer(session):
        ticket = service.active_ticket(service.find_desk("raum-2-14"))
        successor = service.transfer(ticket, "desk:raum-2-15", toolkit.utcnow())
        session.commit()
        return successor.label

    successor = data(transfer)
    board = board_of(client.get(BOARD))
    assert board["queues"]["termine"]["reserved"] == {successor: "raum-2-15"}
    assert board["called"] == {} and board["served"] == []


def test_the_live_part_names_the_state_the_board_shows(client, issue, call_next, data):
    _id, token, label = issue()

    def state():
        page = client.get(f"/de/queue/t/{token}/live").get_data(as_text=True)
        return re.search(r'data-queue-state="([^"]*)"', page).group(1)

    assert state() == "waiting"
    call_next()
    assert state() == f"called {board_of(client.get(BOARD))['called'][label]['at']}"

    def serve(session):
        service.start_service(service.active_ticket(service.find_desk("raum-2-14")), toolkit.utcnow())
        session.commit()

    data(serve)
    assert state() == "served" and board_of(client.get(BOARD))["served"] == [label]

    def finish(session):
        service.finish(service.active_ticket(service.find_desk("raum-2-14")), toolkit.utcnow())
        session.commit()

    data(finish)
    assert state() == "gone"


def texts_in(app, language) -> dict:
    with app.test_request_context(f"/{language}/queue/"), force_locale(language):
        app.preprocess_request()
        return json.loads(views.follow_texts())


def script_text(texts: dict, name: str, count: int) -> str:
    """The script's choice of the plural form (static/queue.js, pluralText)."""
    forms = texts[f"{name}_forms"]
    form = forms[count] if count < len(forms) else forms[100 + count % 100]
    return texts[name][int(form)]


@pytest.mark.parametrize("language", ["de", "en", "tr", "ar", "fa", "uk", "ru", "es", "fr", "pl", "ku", "ckb", "fa_AF",
                                      "ps", "ti"])
def test_the_script_picks_the_catalogs_plural_form_for_any_number(app, language):
    texts = texts_in(app, language)
    assert texts["next"] and all("{low}" in form and "{high}" in form for form in texts["wait"])
    assert all("{minutes}" in form for form in texts["step_out"])
    with app.test_request_context(f"/{language}/queue/"), force_locale(language):
        app.preprocess_request()
        for count in [*range(1, 260), 1001, 1011, 1102, 1111, 2003, 12345, 999_999]:
            expected = toolkit.ngettext("Vor Ihnen wartet %(num)d Person.", "Vor Ihnen warten %(num)d Personen.",
                                        count)
            assert script_text(texts, "ahead", count).replace("{num}", str(count)) == expected, count
            expected = toolkit.ngettext("Voraussichtliche Wartezeit: %(low)d bis %(high)d Minute.",
                                        "Voraussichtliche Wartezeit: %(low)d bis %(high)d Minuten.", count,
                                        low=7, high=count)
            assert script_text(texts, "wait", count).replace("{low}", "7").replace("{high}", str(count)) == expected


def test_the_page_carries_the_board_and_the_texts(client, issue):
    _id, token, _label = issue()
    page = client.get(f"/en/queue/t/{token}").get_data(as_text=True)
    script, texts = (json.loads(page.split(f'<script type="application/json" id="{name}">')[1].split("</script>")[0])
                     for name in ("queue-follow", "queue-texts"))
    assert script["board"] == "/en/queue/board/office" and script["ticket"] == f"/en/queue/t/{token}/live"
    assert texts["next"] == "You are next."
    assert all(form.count("{") == 2 for form in texts["wait"])
    assert texts["call"] == [
        {"lang": "de", "dir": "ltr", "room": "Bitte gehen Sie jetzt in Raum {room}.",
         "place": "Bitte gehen Sie jetzt zu: \u2068{place}\u2069."},
        {"lang": "en", "dir": "ltr", "room": "Please go to room {room} now.",
         "place": "Please go now to: \u2068{place}\u2069."}]
    # The desk's German name is isolated, so that a right-to-left sentence around it keeps its order.
    arabic = json.loads(client.get(f"/ar/queue/t/{token}").get_data(as_text=True)
                        .split('<script type="application/json" id="queue-texts">')[1].split("</script>")[0])
    assert arabic["call"][1]["place"].count("\u2068{place}\u2069") == 1


def test_a_call_to_a_desk_without_a_room_marks_its_name_as_the_source_language_s(client, issue, call_next):
    _id, token, _label = issue("service-point")
    call_next("service-point-1")
    page = client.get(f"/ar/queue/t/{token}").get_data(as_text=True)
    lines = re.findall(r'<p class="queue-call__text" lang="(\w+)" dir="\w+">(.*?)</p>', page)
    assert [language for language, _line in lines] == ["de", "ar"]
    assert lines[0][1] == "Bitte gehen Sie jetzt zu: \u2068Service Point, Schalter 1\u2069."
    assert '\u2068<span lang="de" dir="ltr">Service Point, Schalter 1</span>\u2069' in lines[1][1]
    texts = json.loads(page.split('<script type="application/json" id="queue-texts">')[1].split("</script>")[0])
    assert texts["source"] == {"lang": "de", "dir": "ltr"} and "<span" not in texts["call"][1]["place"]


def test_the_script_and_the_server_estimate_alike(app, issue, data, today):
    """The expected wait the script computes from the board (queue.js, waitRange) is the server's."""
    ids = [issue()[0] for _ in range(7)]
    with app.app_context():
        window = (toolkit.office_now() + timedelta(minutes=50)).time().replace(second=0, microsecond=0)
    later = issue(window_start=window)[0]

    def compare(session):
        board = service.board(service.queues()[0].location, today)
        queue = board["queues"]["termine"]
        for ticket_id in [*ids, later]:
            ticket = session.get(service.Ticket, ticket_id)
            count = queue["waiting"].index(ticket.label)
            estimate = (count + 0.5) * queue["minutes"] / queue["desks"]
            now = toolkit.utcnow()
            if ticket.window_start and ticket.rank_at > now:
                estimate = max(estimate, (ticket.rank_at - now).total_seconds() / 60)
            low = int(estimate * 0.7 // 5 * 5)
            high = max(low + 5, -int(-estimate * 1.3 // 5) * 5)
            assert (count, (low, high)) == (service.ahead(ticket), service.expected_wait(ticket, now))

    data(compare)
