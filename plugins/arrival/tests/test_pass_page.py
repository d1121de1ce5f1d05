"""The pass's own address: day, window, persons, state and the codes to show; anything else gets one page."""

import re
from datetime import time

import lxml.html
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from portal_plugins.arrival.door import check_in, revoke
from portal_plugins.arrival.keys import keys_verifying_today
from portal_plugins.arrival.passes import short_code, sign
from sqlalchemy import text

from portal import toolkit
from portal.testing import read_qr_svg


def _page(client, code, lang="de"):
    return client.get(f"/{lang}/arrival/p/{code}")


def test_the_upper_case_qr_address_opens_the_pass_in_the_visitors_language(client, make_pass):
    code, _ = make_pass()
    response = client.get(f"/P/{code}", headers={"Accept-Language": "ar,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ar/arrival/p/{code}"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and 'dir="rtl"' in page.get_data(as_text=True)


def test_a_valid_pass_shows_day_window_and_persons_and_is_never_cached(client, make_pass):
    code, _ = make_pass(window_start=time(9, 30), window_end=time(10, 0))
    response = _page(client, code)
    main = response.get_data(as_text=True).split("<main", 1)[1]
    assert "Diese Einlasskarte ist gültig." in main and "zwischen 09:30 und 10:00" in main
    assert "2 Personen dürfen eintreten." in main
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]  # the page's own, not the default too


def test_a_valid_pass_page_shows_the_codes_the_door_reads(client, make_pass):
    code, facts = make_pass()
    main = _page(client, code).get_data(as_text=True).split("<main", 1)[1]
    svgs = re.findall(r'<svg[^>]*class="arrival-code__qr".*?</svg>', main, re.S)
    assert len(svgs) == 1 and read_qr_svg(svgs[0]).text == f"HTTP://LOCALHOST/P/{code}"
    assert f'<strong class="arrival-code__short" dir="ltr">{short_code(facts.public_id)}</strong>' in main


def test_after_the_check_in_the_page_says_please_wait(app, client, make_pass, database):
    code, _ = make_pass()
    with database() as session, app.test_request_context():
        assert check_in(code, keys_verifying_today(), toolkit.office_now(), "Eingang A", 1).kind == "valid_now"
        session.commit()
    body = _page(client, code).get_data(as_text=True)
    assert "Bitte warten Sie, bis Sie aufgerufen werden." in body and "arrival-code__qr" not in body
    # In Arabic the client's attendance was recorded (تسجيل الحضور), not a sign-in (تسجيل الدخول).
    arabic = _page(client, code, "ar").get_data(as_text=True).split("<main", 1)[1]
    assert "تم تسجيل حضوركم" in arabic and "تسجيل الدخول" not in arabic


@pytest.mark.portal_config({"plugins": ["arrival", "queue"]})
def test_with_the_waiting_room_the_page_follows_the_visit_to_its_end(app, client, make_pass, database, data):
    code, _ = make_pass()
    with database() as session, app.test_request_context():
        assert check_in(code, keys_verifying_today(), toolkit.office_now(), "Eingang A", 1).kind == "valid_now"
        session.commit()
    page = _page(client, code)
    body = page.get_data(as_text=True)
    assert "Sie sind eingecheckt" in body and "/de/queue/t/" in body and "A 001" in body
    assert "Bitte warten Sie, bis Sie aufgerufen werden." not in body  # the ticket's page says when
    # The script's poll learns of the call: the waiting room's answer is part of the page's tag.
    etag = page.headers["ETag"]
    assert client.get(f"/de/arrival/p/{code}", headers={"If-None-Match": etag}).status_code == 304
    data(lambda session: session.execute(text("UPDATE queue_ticket SET state = 'called', desk = 'raum-2-14', "
                                              "room = '2.14'")))
    called = client.get(f"/de/arrival/p/{code}", headers={"If-None-Match": etag})
    assert called.status_code == 200 and "Sie sind an der Reihe!" in called.get_data(as_text=True)
    for state, said in (("done", "Ihr Anliegen ist erledigt."), ("missed", "waren aber nicht da")):
        data(lambda session, state=state: session.execute(text("UPDATE queue_ticket SET state = :state"),
                                                             {"state": state}))
        body = _page(client, code).get_data(as_text=True)
        assert said in body and "/de/queue/t/" not in body and "Bitte warten" not in body, state


def test_a_valid_pass_page_says_to_reload_it_after_the_door_or_with_a_script_follows_it(client, make_pass):
    code, _ = make_pass()
    response = _page(client, code)
    main = response.get_data(as_text=True).split("<main", 1)[1]
    assert "Nach dem Einlass am Eingang zeigt diese Seite, wie es weitergeht." in main
    assert '<form method="get" class="arrival-pass-reload" data-arrival-follow' in main
    # The script's hint waits hidden; the script follows the page from the tag it was sent with.
    assert "zeigt diese Seite von selbst, wie es weitergeht." in main.split("data-arrival-follow-hint hidden>", 1)[1]
    followed = lxml.html.fromstring(response.get_data(as_text=True)).xpath("//form[@data-arrival-follow]")
    assert [form.get("data-arrival-etag") for form in followed] == [response.headers["ETag"]]


def test_the_script_s_polls_are_answered_304_until_the_door_checks_the_pass_in(app, client, make_pass, database):
    code, _ = make_pass()
    etag = _page(client, code).headers["ETag"]
    # Far more polls than the page's limit: those answered 304 do not count.
    polls = [client.get(f"/de/arrival/p/{code}", headers={"If-None-Match": etag}) for _ in range(40)]
    assert {poll.status_code for poll in polls} == {304}
    assert polls[0].headers["Cache-Control"] == "private, no-store" and polls[0].get_data() == b""
    with database() as session, app.test_request_context():
        assert check_in(code, keys_verifying_today(), toolkit.office_now(), "Eingang A", 1).kind == "valid_now"
        session.commit()
    changed = client.get(f"/de/arrival/p/{code}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Sie sind eingecheckt" in changed.get_data(as_text=True)
    # A checked-in pass's page goes on following itself, from its new tag, for what plugins say of the visit.
    followed = lxml.html.fromstring(changed.get_data(as_text=True)).xpath("//*[@data-arrival-follow]")
    assert [(node.tag, node.get("hidden"), node.get("data-arrival-etag")) for node in followed] == [
        ("div", "", changed.headers["ETag"])]
    assert client.get(f"/de/arrival/p/{code}", headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_the_letter_of_an_appointment_moved_the_same_day_shows_the_new_time(app, client, make_pass):
    code, facts = make_pass(window_start=time(9, 30), window_end=time(10))
    new_code, _ = make_pass(window_start=time(11), window_end=time(11, 30))
    main = _page(client, code).get_data(as_text=True).split("<main", 1)[1]
    assert "Diese Einlasskarte ist gültig." in main and "Ihr Termin wurde verschoben." in main
    assert "zwischen 11:00 und 11:30" in main and "09:30" not in main
    # The code shown is the current pass's, which the door reads as well as the letter's.
    svg = re.search(r'<svg[^>]*class="arrival-code__qr".*?</svg>', main, re.S).group(0)
    assert read_qr_svg(svg).text == f"HTTP://LOCALHOST/P/{new_code}"


@pytest.mark.portal_config({"plugins": ["arrival", "queue"]})
def test_a_checked_in_client_whose_appointment_moves_later_keeps_the_check_in_and_the_number(app, client, make_pass,
                                                                                            database):
    code, _ = make_pass(window_start=time(0), window_end=time(0, 30))
    with database() as session, app.test_request_context():
        assert check_in(code, keys_verifying_today(), toolkit.office_now(), "Eingang A", 1).kind == "valid_now"
        session.commit()
    make_pass(window_start=time(23), window_end=time(23, 30))
    main = _page(client, code).get_data(as_text=True).split("<main", 1)[1]
    assert "Ihr Termin wurde geändert oder abgesagt" not in main and "Sie sind eingecheckt" in main
    assert main.index("Sie sind eingecheckt") < main.index("A 001") < main.index("Ihr Einchecken gilt weiter")
    assert "/de/queue/t/" in main and "zwischen 23:00 und 23:30" in main


def test_a_cancelled_appointments_pass_says_what_changed(client, make_pass, data):
    code, facts = make_pass()
    data(lambda session: revoke(facts.public_id, toolkit.utcnow()))
    body = _page(client, code).get_data(as_text=True)
    assert "Ihr Termin wurde geändert oder abgesagt." in body and "Diese Einlasskarte ist gültig." not in body
    # Nor the old day and arrival window, which would send the client at the wrong time.
    assert "Ankunft" not in body and "dürfen eintreten" not in body
    assert "arrival-code__qr" not in body and short_code(facts.public_id) not in body


@pytest.mark.parametrize("craft", [
    pytest.param(lambda code, facts: code[:-5], id="truncated"),
    pytest.param(lambda code, facts: code[:30] + ("A" if code[30] != "A" else "B") + code[31:], id="altered"),
    pytest.param(lambda code, facts: sign(facts, Ed25519PrivateKey.generate()), id="forged"),
    pytest.param(lambda code, facts: "M-100001", id="a reference"),
    pytest.param(lambda code, facts: "A" * 160, id="unknown"),
])
def test_any_other_text_gets_the_same_not_valid_page(client, make_pass, craft):
    code, facts = make_pass()
    response = _page(client, craft(code, facts))
    assert response.status_code == 404
    main = response.get_data(as_text=True).split("<main", 1)[1]
    assert "Einlasskarte nicht gültig" in main and "Personen" not in main


def test_pass_pages_are_rate_limited_per_address(client, make_pass):
    code, _ = make_pass()
    assert {_page(client, "A" * 160).status_code for _ in range(30)} == {404}
    assert _page(client, code).status_code == 429


@pytest.mark.portal_config({"shared_networks": ["192.0.2.0/24"], "shared_network_factor": 3})
def test_the_waiting_rooms_shared_network_may_open_more_passes(client, make_pass):
    # Everyone on the guest Wi-Fi shares one address: the room gets three clients' worth.
    code, _ = make_pass()
    shared = {"REMOTE_ADDR": "192.0.2.7"}
    answers = [client.get(f"/de/arrival/p/{code}", environ_base=shared).status_code for _ in range(91)]
    assert answers[:90] == [200] * 90 and answers[90] == 429
