"""The call display through HTTP: no login, nothing personal, 304 until a desk calls, unknown places, the links."""

import re
from datetime import timedelta

import pytest
from flask import request, request_started, template_rendered
from portal_plugins.queue import chime, service
from portal_plugins.queue.models import Ticket

from portal import toolkit
from portal.testing import csrf_token

DISPLAY = "/de/queue/display/office"
DESK = "/de/staff/queue/desk/raum-2-14"


def test_the_display_needs_no_login_and_shows_the_latest_call_large(client, issue, call_next):
    issue(), issue(), issue("einbuergerung")
    call_next("raum-2-14")
    call_next("raum-1-02")
    page = client.get(DISPLAY)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    current = re.search(r'queue-display-call--current".*?</div>', html, re.S).group(0)
    assert "E 001" in current and "Raum 1.02" in current
    assert "A 001" in html and "Raum 2.14" in html and "Vorherige Aufrufe" in html
    # Without a script the screen loads itself anew; nothing on it speaks of scripts.
    assert re.search(r'<noscript><meta http-equiv="refresh" content="30"></noscript>', html)
    assert "JavaScript" not in html
    assert 'aria-live="assertive"' in html and "queue-display-chime.wav" in html


def test_nothing_personal_is_shown_or_sent(client, issue, call_next, data):
    _id, token, _label = issue(interpreter_language="ar", persons=2)
    call_next()
    for path in (DISPLAY, DISPLAY + "/board", "/ar/queue/display/office/board"):
        text = client.get(path).get_data(as_text=True)
        assert token not in text
        assert "/queue/t/" not in text
        # Neither the interpreter language nor the persons: numbers, rooms and times only.
        assert "Arabisch" not in text and "العربية" not in text and "Personen" not in text
        assert not re.search(r"M-\d{6}", text)


def test_the_board_answers_304_until_a_desk_calls(client, issue, call_next):
    issue(), issue()
    first = client.get(DISPLAY + "/board")
    assert first.status_code == 200 and len(first.data) < 10_000
    assert "Heute wurde noch keine Nummer aufgerufen." in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert client.get(DISPLAY + "/board", headers={"If-None-Match": etag}).status_code == 304
    call_next()
    called = client.get(DISPLAY + "/board", headers={"If-None-Match": etag})
    assert called.status_code == 200 and "A 001" in called.get_data(as_text=True)
    assert client.get(DISPLAY + "/board", headers={"If-None-Match": called.headers["ETag"]}).status_code == 304


def test_the_board_lists_each_number_once_at_its_latest_call(client, issue, call_next, data, app):
    ids = [issue()[0] for _ in range(3)]
    for _ in ids:
        call_next()

        def finish(session):
            desk = service.find_desk("raum-2-14")
            ticket = service.active_ticket(desk)
            service.finish(ticket, toolkit.utcnow())
            session.commit()

        data(finish)
    html = client.get(DISPLAY + "/board").get_data(as_text=True)
    keys = re.findall(r'data-queue-display-call="([^"]+)"', html)
    assert len(keys) == 3 and len(set(keys)) == 3
    assert [re.match(r"A 00\d", key).group(0) for key in keys] == ["A 003", "A 002", "A 001"]
    assert len(re.findall(r"<time ", html)) == 3


def test_the_display_drops_a_missed_or_transferred_numbers_call_at_once(client, issue, call_next, data):
    missed_id, transferred_id, _served_id = (issue()[0] for _ in range(3))
    call_next("raum-2-14")
    call_next("raum-2-15")

    def end(session):
        later = toolkit.utcnow() + timedelta(hours=1)
        session.get(Ticket, missed_id).recalls = service.find_queue("termine").recall_count
        service.mark_missed(session.get(Ticket, missed_id), later)
        service.transfer(session.get(Ticket, transferred_id), "queue:service-point", later)
        session.commit()

    data(end)
    call_next("raum-2-14")
    html = client.get(DISPLAY + "/board").get_data(as_text=True)
    numbers = [re.match(r"A 00\d", key).group(0) for key in re.findall(r'data-queue-display-call="([^"]+)"', html)]
    assert numbers == ["A 003"]


def test_a_recall_is_a_new_call_of_the_same_number(client, issue, data):
    ticket_id = issue()[0]

    def call(session):
        service.call_next(service.find_desk("raum-2-14"), toolkit.utcnow())
        session.commit()

    data(call)
    before = re.findall(r'data-queue-display-call="([^"]+)"', client.get(DISPLAY + "/board").get_data(as_text=True))

    def recall(session):
        ticket = session.get(Ticket, ticket_id)
        service.recall(ticket, ticket.last_called_at + service.find_queue("termine").recall_gap)
        session.commit()

    data(recall)
    after = re.findall(r'data-queue-display-call="([^"]+)"', client.get(DISPLAY + "/board").get_data(as_text=True))
    assert len(before) == len(after) == 1 and before != after and after[0].startswith("A 001@")


def test_every_screen_shares_one_rendering_of_the_display_until_a_desk_calls(app, client, issue, call_next,
                                                                            monkeypatch):
    rendered = []
    template_rendered.connect(lambda _sender, template, **_context: rendered.append(template.name), app, weak=False)
    issue(), issue()
    call_next()
    screens = [app.test_client().get(DISPLAY).get_data(as_text=True) for _screen in range(3)]
    assert screens[0] == screens[1] == screens[2] and "A 001" in screens[0]
    assert rendered.count("queue/display.html") == 1
    assert 'lang="ar"' in client.get("/ar/queue/display/office").get_data(as_text=True)
    assert rendered.count("queue/display.html") == 2  # each language its own
    assert call_next("raum-2-15") == "A 002"
    current = re.search(r'queue-display-call--current".*?</div>', client.get(DISPLAY).get_data(as_text=True), re.S)
    assert "A 002" in current.group(0) and rendered.count("queue/display.html") == 3
    # Kept by the office's day as well: the next morning shows no calls before the first.
    with app.app_context():
        tomorrow = toolkit.office_today() + timedelta(days=1)
    monkeypatch.setattr(toolkit, "office_today", lambda now=None: tomorrow)
    assert "Heute wurde noch keine Nummer aufgerufen." in client.get(DISPLAY).get_data(as_text=True)


def _current_call(html: str) -> str:
    return re.search(r'queue-display-call--current".*?</div>', html, re.S).group(0)


@pytest.mark.portal_config({"page_cache_seconds": 300})
@pytest.mark.parametrize("lang", ["de", "uk", "ckb"])
def test_screens_share_the_kept_page_and_a_call_at_the_desk_shows_on_the_next_load(app, staff_client, issue, lang):
    display = f"/{lang}/queue/display/office"
    app.wsgi_app.pages.clear()  # the tests' emptied tables start the content version again at 0
    rendered, reached_app = [], []

    def note_rendering(_sender, template, **_context):
        rendered.append(template.name)

    def note_request(_sender, **_extra):
        reached_app.append(request.path)

    with template_rendered.connected_to(note_rendering, app), request_started.connected_to(note_request, app):
        issue(), issue()
        # A screen reloads with the language cookie its first load set, as a kiosk browser does; another has none.
        screens = [app.test_client() for _screen in range(2)]
        first = screens[0].get(display).get_data(as_text=True)
        assert "queue-display-call--current" not in first
        assert screens[0].get(display).get_data(as_text=True) == screens[1].get(display).get_data(as_text=True) \
            == first
        answered_by_app = len(reached_app)
        assert screens[0].get(display).get_data(as_text=True) == first and len(reached_app) == answered_by_app
        assert rendered.count("queue/display.html") == 1
        with app.app_context():
            before = toolkit.content_version()
        desk = staff_client("caseworker")
        assert desk.post(f"{DESK}/next", data={"csrf_token": csrf_token(desk, DESK)}).status_code == 302
        with app.app_context():
            # The version every process reads (the database's, or Redis's copy) moved on: all drop their kept page.
            assert toolkit.content_version() > before
        for screen in screens:
            assert "A 001" in _current_call(screen.get(display).get_data(as_text=True))
        second_desk = "/de/staff/queue/desk/raum-2-15"
        desk.post(second_desk + "/next", data={"csrf_token": csrf_token(desk, second_desk)})
        html = screens[0].get(display).get_data(as_text=True)
        assert "A 002" in _current_call(html) and "A 001" in html
        assert rendered.count("queue/display.html") == 3


@pytest.mark.portal_config({"page_cache_seconds": 300})
def test_a_screen_served_by_another_process_shows_a_call_on_its_next_load(app, make_app, staff_client, issue):
    # A second app on the same database stands for another gunicorn process: its page cache and live versions are
    # its own, so only what the database (or Redis) carries reaches it.
    other = make_app(plugins=["arrival", "queue"], page_cache_seconds=299)
    other.wsgi_app.pages.clear()
    issue(), issue()
    screen, reached_other = other.test_client(), []

    def note_request(_sender, **_extra):
        reached_other.append(request.path)

    with request_started.connected_to(note_request, other):
        first = screen.get(DISPLAY).get_data(as_text=True)
        kept = len(reached_other)
        assert screen.get(DISPLAY).get_data(as_text=True) == screen.get(DISPLAY).get_data(as_text=True) == first
        assert len(reached_other) == kept + 1  # the reload with the language cookie is kept, then served
        desk = staff_client("caseworker")
        assert desk.post(f"{DESK}/next", data={"csrf_token": csrf_token(desk, DESK)}).status_code == 302
        assert "A 001" in _current_call(screen.get(DISPLAY).get_data(as_text=True))


def test_unknown_locations_are_not_found(client):
    for path in ("/de/queue/display/elsewhere", "/de/queue/display/elsewhere/board", "/de/queue/display/%C3%BC",
                 "/de/queue/display/" + "x" * 300):
        assert client.get(path).status_code == 404


@pytest.mark.portal_config({"office": {"locations": ["Wacker Hof", "Willi-Becker-Allee"]},
                            "plugin_settings": {"queue": {
                                "queues": [{"slug": "termine", "prefix": "A", "service_groups": ["*"]},
                                           {"slug": "nord", "prefix": "N", "location": "Willi-Becker-Allee"}],
                                "desks": [{"slug": "raum-1", "name": "Raum 1", "room": "1", "queues": ["termine"]},
                                          {"slug": "nord-1", "name": "Schalter Nord", "queues": ["nord"],
                                           "location": "Willi-Becker-Allee"}]}}})
def test_each_location_has_its_own_display(client, issue, call_next):
    issue("termine"), issue("nord")
    call_next("nord-1")
    north = client.get("/de/queue/display/willi-becker-allee").get_data(as_text=True)
    assert "N 001" in north and "Schalter Nord" in north and "Willi-Becker-Allee" in north
    south = client.get("/de/queue/display/wacker-hof").get_data(as_text=True)
    assert "N 001" not in south and "Heute wurde noch keine Nummer aufgerufen." in south
    assert client.get("/de/queue/display/office").status_code == 404


def test_the_arabic_display_is_right_to_left_with_numbers_left_to_right(client, issue, call_next):
    issue()
    call_next()
    html = client.get("/ar/queue/display/office").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert re.search(r'dir="ltr">A 001<', html)
    # The instruction rotates through every enabled language, each marked as such; Arabic comes first.
    tips = re.findall(r'data-queue-display-tip lang="([\w-]+)"', html)
    assert tips[0] == "ar" and set(tips) == {toolkit.language_tag(code) for code in toolkit_languages(client)}


def toolkit_languages(client):
    with client.application.test_request_context("/de/"):
        return toolkit.enabled_languages()


def test_the_staff_start_page_and_the_desk_link_the_display(staff_client):
    desk = staff_client("caseworker")
    assert 'href="/de/queue/display/office"' in desk.get("/de/staff/").get_data(as_text=True)
    assert 'href="/de/queue/display/office"' in desk.get(DESK).get_data(as_text=True)


def test_the_committed_chime_is_the_one_chime_py_makes(client):
    assert chime.TARGET.read_bytes() == chime.chime_wav()
    response = client.get("/static/queue/queue-display-chime.wav")
    assert response.status_code == 200 and response.mimetype in ("audio/wav", "audio/x-wav")
    response.close()


def test_the_desk_still_calls_through_its_page(staff_client, issue, client):
    issue()
    desk = staff_client("caseworker")
    desk.post(f"{DESK}/next", data={"csrf_token": csrf_token(desk, DESK)})
    assert "A 001" in client.get(DISPLAY + "/board").get_data(as_text=True)
