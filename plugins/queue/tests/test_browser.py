"""In a real browser: a pass checked in at the door gives a ticket, the phone follows it and shows the desk's call."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from portal_plugins.queue import desk_views, service, views
from sqlalchemy import text

from portal import toolkit
from portal.testing import (
    NARROW_PHONE,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    browser_sign_in,
    end_staff_sessions,
)


def import_an_appointment_today(app, tmp_path, today) -> None:
    """Import M-100001 (born 27.03.1985) for today at midnight: its arrival window is open at any hour of the run."""
    export = tmp_path / "export.csv"
    export.write_text("reference;birth_date;service;status;date;time;building;room;persons\n"
                      f"M-100001;27.03.1985;eu-blue-card;scheduled;{today:%d.%m.%Y};00:00;Wacker Hof;1.07;1\n")
    assert app.test_cli_runner().invoke(args=["appointments", "import", str(export)]).exit_code == 0


def check_in_at_the_door(browser, live_server, make_staff, short_code: str):
    """Check a pass in by its short code on the door's phone, which names the number given; return that page."""
    door = browser.new_context(**PHONE).new_page()
    browser_sign_in(door, live_server.url, make_staff("door"))
    door.goto(f"{live_server.url}/de/staff/arrival/")
    door.fill("#code", short_code)
    door.press("#code", "Enter")
    expect(door.locator(".queue-door__number")).to_have_text("A 001")
    return door


@pytest.mark.browser
@pytest.mark.both_databases
@pytest.mark.portal_config({"plugins": ["appointments", "arrival", "queue"]})
def test_a_check_in_gives_a_ticket_the_phone_follows_until_a_desk_calls_it(app, browser, live_server, make_staff,
                                                                          data, tmp_path, today):
    import_an_appointment_today(app, tmp_path, today)
    public_id = data(lambda s: s.scalar(text("SELECT public_id FROM arrival_pass")))
    door = check_in_at_the_door(browser, live_server, make_staff, f"{public_id[:4]}-{public_id[4:8]}-{public_id[8:12]}")
    # Large and bold, for the door staff to read out: the queue's stylesheet comes with the number.
    # The stylesheet arrives with the verdict's markup and loads after it: wait for it rather than race it. Polled
    # from here: the page's Content-Security-Policy forbids the eval that wait_for_function polls with.
    size = "parseFloat(getComputedStyle(document.querySelector('.queue-door__number')).fontSize)"
    for _attempt in range(100):
        if door.evaluate(size) >= 40:
            break
        door.wait_for_timeout(100)
    assert door.evaluate(size) >= 40
    token = data(lambda s: s.scalar(text("SELECT token FROM queue_ticket")))

    phone_context = browser.new_context(**NARROW_PHONE)
    phone = phone_context.new_page()
    phone.goto(f"{live_server.url}/ar/queue/t/{token}")
    expect(phone.locator(".queue-number")).to_have_text("A 001")
    assert phone.get_attribute("html", "dir") == "rtl"
    expect(phone.locator(".queue-refresh")).to_be_hidden()  # the script follows the ticket instead
    expect(phone.locator("[data-queue-follow-hint]")).to_be_visible()  # and asks to keep the page open
    expect(phone.locator(".queue-sound button")).to_be_visible()
    phone.click(".queue-sound button")  # the tap that lets the browser play the call's tone later
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)

    desk = browser.new_context(**NARROW_PHONE).new_page()
    browser_sign_in(desk, live_server.url, make_staff("caseworker"))
    desk.goto(f"{live_server.url}/de/staff/queue/desk/raum-2-14")
    assert_no_horizontal_scroll(desk)
    assert_accessible(desk)
    desk.click("text=Nächste Nummer aufrufen")
    expect(desk.locator(".queue-current__number")).to_have_text("A 001")
    assert_accessible(desk)

    expect(phone.locator(".queue-call")).to_be_visible(timeout=15_000)
    expect(phone.locator('.queue-call__text[lang="de"]')).to_have_text("Bitte gehen Sie jetzt in Raum 2.14.")
    expect(phone.locator('.queue-call__text[lang="ar"]')).to_contain_text("2.14")
    # Called, the page no longer asks to be kept open until the call, nor offers to test the sound.
    expect(phone.locator("[data-queue-follow-hint]")).to_be_hidden()
    expect(phone.locator(".queue-sound button")).to_be_hidden()
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
    phone_context.close()


@pytest.mark.browser
@pytest.mark.portal_config({"plugins": ["appointments", "arrival", "queue"]})
def test_a_client_who_keeps_the_pass_page_open_sees_the_number_then_the_call(app, browser, live_server, make_staff,
                                                                             data, tmp_path, today):
    import_an_appointment_today(app, tmp_path, today)
    phone = browser.new_context(**NARROW_PHONE).new_page()
    # The phone's clock jumps over the pass page's 10 seconds between polls.
    phone.clock.install()
    phone.goto(f"{live_server.url}/de/appointments/?ref=M-100001")
    phone.fill("#day", "27")
    phone.fill("#month", "3")
    phone.fill("#year", "1985")
    phone.click("#lookup-region button[type=submit]")
    phone.click(".arrival-result a")
    expect(phone.locator(".arrival-pass-state--valid")).to_be_visible()
    phone.evaluate("window.openedBeforeTheDoor = true")

    check_in_at_the_door(browser, live_server, make_staff, phone.text_content(".arrival-code__short"))
    # The phone shows the number by itself, and keeps following the page.
    phone.clock.fast_forward("00:11")
    expect(phone.locator(".arrival-pass-state--checked_in")).to_be_visible()
    expect(phone.locator(".queue-pass a")).to_contain_text("A 001")
    assert phone.evaluate("window.openedBeforeTheDoor") is None
    phone.evaluate("window.checkedIn = true")

    desk = browser.new_context(**NARROW_PHONE).new_page()
    browser_sign_in(desk, live_server.url, make_staff("caseworker"))
    desk.goto(f"{live_server.url}/de/staff/queue/desk/raum-2-14")
    desk.click("text=Nächste Nummer aufrufen")
    expect(desk.locator(".queue-current__number")).to_have_text("A 001")
    phone.clock.fast_forward("00:11")
    expect(phone.locator(".queue-call__title")).to_contain_text("Sie sind an der Reihe!")
    expect(phone.locator(".queue-call__text")).to_contain_text("Raum 2.14")
    assert phone.evaluate("window.checkedIn") is None
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
    # Nothing changes while the call stands: the page is not shown anew.
    phone.evaluate("window.called = true")
    phone.clock.fast_forward("00:11")
    phone.wait_for_timeout(1000)
    assert phone.evaluate("window.called") is True


@pytest.mark.browser
def test_without_javascript_the_ticket_page_has_a_refresh_button(app, browser, live_server, issue, data):
    """The page shows the number and a button that loads it again; axe needs script, so the test above runs it."""
    ticket_id, token, _label = issue()
    context = browser.new_context(**NARROW_PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/de/queue/t/{token}")
    assert page.is_visible(".queue-refresh button")
    assert page.is_visible(".queue-refresh .queue-hint")  # the page does not change by itself: how to follow
    assert not page.is_visible("[data-queue-follow-hint]")  # "keep this page open" holds with the script only
    assert not page.is_visible(".queue-sound button")  # a sound test needs the script
    page.click(".queue-refresh button")
    page.wait_for_selector(".queue-number")
    assert page.text_content(".queue-number") == "A 001"
    assert page.url.endswith(f"/de/queue/t/{token}?") or page.url.endswith(f"/de/queue/t/{token}")
    assert_no_horizontal_scroll(page)
    # A finished visit has nothing left to wait for: no button to refresh, no request to keep the page open.
    data(lambda session: session.execute(text("UPDATE queue_ticket SET state = 'done' WHERE id = :id"),
                                         {"id": ticket_id}))
    page.reload()
    expect(page.locator(".queue-state")).to_contain_text("Ihr Anliegen ist erledigt.")
    assert not page.is_visible(".queue-refresh button") and not page.is_visible(".queue-refresh .queue-hint")
    context.close()


@pytest.mark.browser
@pytest.mark.portal_config({"plugins": ["arrival", "queue", "interpreters"]})
def test_the_desk_list_follows_new_numbers_and_the_duty_page_is_accessible(browser, live_server, make_staff, issue):
    desk = browser.new_context(**NARROW_PHONE).new_page()
    browser_sign_in(desk, live_server.url, make_staff("caseworker"))
    desk.goto(f"{live_server.url}/de/staff/queue/desk/raum-2-14")
    expect(desk.locator(".queue-refresh")).to_be_hidden()  # the script follows the location instead
    _id, _token, label = issue(interpreter_language="ar")
    expect(desk.locator("#queue-desk-live")).to_contain_text(label, timeout=15_000)

    mediator = browser.new_context(**NARROW_PHONE).new_page()
    browser_sign_in(mediator, live_server.url, make_staff("mediator"))
    mediator.goto(f"{live_server.url}/de/staff/interpreters/duty/?language=ar")
    assert_no_horizontal_scroll(mediator)
    assert_accessible(mediator)
    mediator.click("button:has-text('Ich helfe')")
    expect(mediator.locator(".queue-duty")).to_contain_text("Sie helfen hier.")
    # Back at that number, with a confirmation at the top.
    assert mediator.url.endswith(f"#queue-duty-{_id}")
    expect(mediator.get_by_text(f"Die Plätze sehen jetzt, dass Sie bei {label} helfen.")).to_be_visible()
    expect(desk.locator("#queue-desk-live")).to_contain_text("Test mediator hilft", timeout=15_000)
    # A new number needing Arabic appears on the duty page by itself.
    _new_id, _new_token, new_label = issue(interpreter_language="ar")
    expect(mediator.locator(".queue-duty")).to_contain_text(new_label, timeout=15_000)
    assert_accessible(mediator)


@pytest.mark.browser
def test_a_call_moves_every_phone_up_and_calls_its_own(browser, live_server, issue, call_next):
    """Three phones follow one board: the called one shows its call, the others their new place and wait."""
    tickets = [issue() for _ in range(3)]
    context = browser.new_context(**NARROW_PHONE)
    phones = []
    for _id, token, label in tickets:
        phone = context.new_page()
        phone.goto(f"{live_server.url}/en/queue/t/{token}")
        expect(phone.locator(".queue-number")).to_have_text(label)
        phones.append(phone)
    expect(phones[2].locator(".queue-ahead")).to_have_text("2 people are waiting ahead of you.")
    call_next()
    expect(phones[0].locator(".queue-call")).to_be_visible(timeout=15_000)
    expect(phones[0].locator('.queue-call__text[lang="de"]')).to_have_text("Bitte gehen Sie jetzt in Raum 2.14.")
    expect(phones[1].locator(".queue-ahead")).to_have_text("You are next.", timeout=15_000)
    expect(phones[2].locator(".queue-ahead")).to_have_text("1 person is waiting ahead of you.", timeout=15_000)
    # What the script derived is what the server renders for the same ticket now.
    for phone, (_id, token, _label) in zip(phones[1:], tickets[1:], strict=True):
        server = context.new_page()
        server.goto(f"{live_server.url}/en/queue/t/{token}")
        for part in (".queue-ahead", ".queue-wait"):
            expect(phone.locator(part)).to_have_text(server.text_content(part))
        server.close()
    context.close()


@pytest.mark.browser
def test_a_call_to_a_desk_without_a_room_names_it_in_the_source_language_as_the_server_does(browser, live_server,
                                                                                            issue, call_next):
    _id, token, label = issue("service-point")
    context = browser.new_context(**NARROW_PHONE)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/ar/queue/t/{token}")
    expect(phone.locator(".queue-number")).to_have_text(label)
    call_next("service-point-1")
    desk_name = phone.locator('.queue-call__text[lang="ar"] span[lang="de"][dir="ltr"]')
    expect(desk_name).to_have_text("Service Point, Schalter 1", timeout=15_000)
    server = context.new_page()
    server.goto(f"{live_server.url}/ar/queue/t/{token}")
    for line in ('.queue-call__text[lang="de"]', '.queue-call__text[lang="ar"]'):
        assert phone.inner_html(line) == server.inner_html(line)
    assert_accessible(phone)
    context.close()


@pytest.mark.browser
def test_a_phone_that_lost_its_network_says_so_and_catches_up_with_the_call(browser, live_server, issue, call_next,
                                                                            monkeypatch):
    """The waiting room's Wi-Fi fails: the page must not look current while a desk calls its number."""
    monkeypatch.setattr(views, "STALE_SECONDS", 2)
    _id, token, label = issue()
    context = browser.new_context(**NARROW_PHONE)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/ar/queue/t/{token}")
    note = phone.locator("[data-queue-stale]")
    expect(phone.locator(".queue-number")).to_have_text(label)
    expect(note).to_be_hidden()

    context.set_offline(True)
    expect(note).to_be_visible(timeout=15_000)
    assert note.get_attribute("role") == "alert" and "شاشة النداء" in note.inner_text()
    assert_accessible(phone)
    call_next()
    context.set_offline(False)
    expect(phone.locator(".queue-call")).to_be_visible(timeout=15_000)
    expect(note).to_be_hidden()
    context.close()


@pytest.mark.browser
def test_a_live_part_that_fails_while_the_board_answers_is_tried_again_without_the_stale_note(
        browser, live_server, issue, call_next, data, monkeypatch):
    """The board is the phone's sign of a working network: a failing live part is retried at the usual pace."""
    monkeypatch.setattr(views, "STALE_SECONDS", 2)
    ticket_id, token, label = issue()
    context = browser.new_context(**NARROW_PHONE)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/de/queue/t/{token}")
    expect(phone.locator(".queue-number")).to_have_text(label)
    failed = []

    def fail(route):
        failed.append(route.request.url)
        route.fulfill(status=500, body="")

    phone.route("**/live", fail)
    call_next()

    def start(session):
        ticket = session.get(service.Ticket, ticket_id)
        assert service.change(ticket, ticket.version, "start", lambda: service.start_service(ticket, toolkit.utcnow()))
        session.commit()

    data(start)
    for _ in range(150):
        if len(failed) >= 2:
            break
        phone.wait_for_timeout(200)
    # Two fetches a poll apart, and the page never said it was behind: a failure would have waited twice as long.
    assert len(failed) >= 2 and not phone.locator("[data-queue-stale]").is_visible()
    phone.unroute("**/live")
    expect(phone.locator(".queue-ticket")).to_have_attribute("data-queue-state", "served", timeout=15_000)
    context.close()


def open_desk(browser, live_server, make_staff):
    """Sign a caseworker in on a small phone and open the desk of room 2.14."""
    desk = browser.new_context(**NARROW_PHONE).new_page()
    browser_sign_in(desk, live_server.url, make_staff("caseworker"))
    desk.goto(f"{live_server.url}/de/staff/queue/desk/raum-2-14")
    return desk


@pytest.mark.browser
def test_a_desk_that_lost_its_network_says_its_list_may_be_behind(browser, live_server, make_staff, issue,
                                                                  monkeypatch):
    monkeypatch.setattr(desk_views, "STALE_SECONDS", 2)
    desk = open_desk(browser, live_server, make_staff)
    context = desk.context
    note = desk.locator("[data-queue-stale]")
    expect(note).to_be_hidden()
    context.set_offline(True)
    expect(note).to_be_visible(timeout=15_000)
    assert_accessible(desk)
    _id, _token, label = issue()
    context.set_offline(False)
    expect(desk.locator("#queue-desk-live")).to_contain_text(label, timeout=15_000)
    expect(note).to_be_hidden()
    context.close()


@pytest.mark.browser
def test_a_client_sent_on_comes_into_the_narrow_desks_list_with_the_time_in_the_building(browser, live_server,
                                                                                        make_staff, issue, send_on):
    desk = open_desk(browser, live_server, make_staff)
    now = toolkit.utcnow()
    first = issue("service-point", now=now - timedelta(minutes=90))[0]
    label = send_on(first, "queue:termine", now, "service-point-1")[2]
    row = desk.locator("#queue-desk-live tbody tr", has_text=label)
    expect(row.locator(".queue-arrived")).to_have_text("seit 90 Minuten im Haus", timeout=15_000)
    assert_no_horizontal_scroll(desk)
    assert_accessible(desk)
    desk.context.close()


@pytest.mark.browser
def test_a_desk_whose_session_ended_goes_to_the_sign_in_with_its_next_poll(app, browser, live_server, make_staff,
                                                                            monkeypatch):
    monkeypatch.setattr(desk_views, "POLL_SECONDS", 1)
    desk = open_desk(browser, live_server, make_staff)
    expect(desk.locator("#queue-desk-live")).to_be_visible()
    end_staff_sessions(app)
    desk.wait_for_url("**/de/staff/login**", timeout=15_000)
    desk.context.close()


@pytest.mark.browser
def test_a_phone_following_its_number_learns_that_the_appointment_was_cancelled(app, browser, live_server, issue,
                                                                               data, today):
    _ticket_id, token, _label = issue(arrival_public_id="W" * 26, day=today)
    context = browser.new_context(**NARROW_PHONE)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/ar/queue/t/{token}")
    expect(phone.locator(".queue-ahead")).to_be_visible()
    data(lambda session: toolkit.publish("arrival.revoked", public_id="W" * 26, day=today))
    # The page follows by itself: the number ends, and the client is sent to the Service Point.
    expect(phone.locator(".queue-state--missed")).to_contain_text("Service Point", timeout=15_000)
    expect(phone.locator(".queue-ahead")).to_have_count(0)
    expect(phone.locator("[data-queue-follow-hint]")).to_be_hidden()
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
    context.close()
