"""The door's JSON addresses: one check-in, a batch from an offline device, today's list; the door role only."""

import json
import re
from datetime import datetime, time, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask_babel import format_datetime, format_time
from markupsafe import Markup
from portal_plugins.arrival.door import revoke
from portal_plugins.arrival.models import ArrivalPass
from portal_plugins.arrival.passes import PassFacts, public_id_text, short_code, sign
from sqlalchemy import select

from portal import toolkit
from portal.testing import csrf_token

DOOR = "/de/staff/arrival/"
CHECK = DOOR + "check"
BATCH = DOOR + "check-ins"
DAY = DOOR + "day.json"


@pytest.fixture
def noon(app, monkeypatch):
    """Judge passes at noon office time, so windows late in the day stay in the future whenever the tests run."""
    with app.app_context():
        moment = datetime.combine(toolkit.office_today(), time(12), toolkit.office_zone())
    monkeypatch.setattr(toolkit, "office_now", lambda moment_=None: moment)
    return moment


@pytest.fixture
def door(staff_client):
    """A door account's client with its page's CSRF token, as the door's script sends it."""
    client = staff_client("door")
    client.token = csrf_token(client, DOOR)
    return client


def _post(client, url, body):
    return client.post(url, json=body, headers={"X-CSRFToken": client.token})


def _check_ins(data):
    return data(lambda session: sorted((row.public_id, row.checked_in_at, row.checked_in_device)
                                       for row in session.scalars(select(ArrivalPass)) if row.checked_in_at))


def _altered(code):
    return code[:30] + ("A" if code[30] != "A" else "B") + code[31:]


def _other_key(code, facts):
    return sign(facts, Ed25519PrivateKey.generate())


def test_a_valid_pass_is_checked_in_once_and_answered_in_words(door, make_pass, data, noon):
    code, facts = make_pass()
    answer = _post(door, CHECK, {"code": code, "device": "Eingang A"}).get_json()
    assert answer["kind"] == "valid_now" and answer["title"] == "Gültig: bitte einlassen"
    assert answer["detail"] == "2 Personen dürfen eintreten." and answer["persons"] == 2
    assert answer["icon"] == "✓" and answer["slot"].strip() == ""
    again = _post(door, CHECK, {"code": short_code(facts.public_id), "device": "Eingang B"}).get_json()
    assert again["kind"] == "already_checked_in" and again["title"] == "Schon eingecheckt"
    assert datetime.fromisoformat(again["checked_in_at"]) == noon and "12:00" in again["detail"]
    assert _check_ins(data) == [(public_id_text(facts.public_id), noon, "Eingang A")]


# Checking in at the door is arriving, not signing in: each right-to-left catalog keeps its sign-in word (as in
# "Die Anmeldung ist abgelaufen") for staff and says the door's verdicts with another.
SIGN_IN_WORDS = {"ar": "الدخول", "fa": "ورود", "fa-AF": "ورود", "ckb": "چوونەژوورەوە"}


@pytest.mark.parametrize(("lang", "already", "at"), [
    ("ar", "تم تسجيل الحضور مسبقًا", "تم تسجيل الحضور في الساعة"),
    ("fa", "حضور قبلاً ثبت شده است", "حضور در ساعت"),
    ("fa-AF", "قبلاً ثبت حضور شده", "ثبت حضور شد"),
    ("ckb", "ئامادەبوون پێشتر تۆمارکراوە", "ئامادەبوون لە کاتژمێر"),
])
def test_a_second_check_in_is_told_as_arrival_not_as_sign_in(door, make_pass, noon, lang, already, at):
    code, _facts = make_pass()
    check = f"/{lang}/staff/arrival/check"
    _post(door, check, {"code": code})
    again = _post(door, check, {"code": code}).get_json()
    assert again["kind"] == "already_checked_in" and again["title"] == already
    assert at in again["detail"] and "12:00" in again["detail"]
    assert SIGN_IN_WORDS[lang] not in again["title"] + again["detail"]


def test_the_address_on_the_letter_of_this_portal_is_read_as_its_pass(door, make_pass, data, noon):
    code, _ = make_pass()
    assert _post(door, CHECK, {"code": f"HTTP://LOCALHOST/P/{code}"}).get_json()["kind"] == "valid_now"


@pytest.mark.parametrize(("craft", "changes", "kind"), [
    pytest.param(lambda code, facts: sign(facts, Ed25519PrivateKey.generate()), {}, "not_genuine", id="forged"),
    pytest.param(lambda code, facts: _altered(code), {}, "not_genuine", id="altered"),
    pytest.param(lambda code, facts: code[:-8], {}, "not_genuine", id="truncated"),
    pytest.param(lambda code, facts: sign(PassFacts(**{**facts.__dict__, "key_id": 99}),
                                          Ed25519PrivateKey.generate()), {}, "not_genuine", id="other key"),
    pytest.param(lambda code, facts: code, {"day": datetime.now().date() + timedelta(days=2)}, "another_day",
                 id="other day"),
    pytest.param(lambda code, facts: code, {"window_start": time(23, 58)}, "too_early", id="too early"),
])
def test_every_other_pass_gets_its_verdict_and_changes_nothing(door, make_pass, data, noon, craft, changes, kind):
    code, facts = make_pass(**changes)
    answer = _post(door, CHECK, {"code": craft(code, facts)})
    assert answer.status_code == 200 and answer.get_json()["kind"] == kind
    assert _check_ins(data) == []


def test_revoked_and_replayed_passes_change_nothing(door, make_pass, data, noon):
    code, facts = make_pass()
    assert _post(door, CHECK, {"code": code})
    stored = _check_ins(data)
    for _ in range(2):
        assert _post(door, CHECK, {"code": code}).get_json()["kind"] == "already_checked_in"
    assert _check_ins(data) == stored
    other, other_facts = make_pass(public_id=bytes(range(1, 17)))
    data(lambda session: revoke(other_facts.public_id, toolkit.utcnow()))
    assert _post(door, CHECK, {"code": other}).get_json()["kind"] == "changed"
    assert _check_ins(data) == stored


def test_a_post_without_the_csrf_token_or_without_a_code_is_refused(door, make_pass, data, noon):
    code, _ = make_pass()
    assert door.post(CHECK, json={"code": code}).status_code == 400
    refused = _post(door, CHECK, {"code": "  "})
    assert refused.status_code == 422 and "Bitte scannen Sie die Einlasskarte" in refused.get_json()["error"]
    assert _check_ins(data) == []


@pytest.mark.parametrize("role", ["caseworker", "editor"])
def test_only_the_door_role_reaches_the_json_addresses(staff_client, make_pass, data, role):
    code, _ = make_pass()
    client = staff_client(role)
    token = csrf_token(client, "/de/staff/")
    for url, body in ((CHECK, {"code": code}), (BATCH, {"check_ins": []})):
        assert client.post(url, json=body, headers={"X-CSRFToken": token}).status_code == 403
    assert client.get(DAY).status_code == 403
    assert _check_ins(data) == []


def _scan(code, moment, client_id):
    return {"id": client_id, "code": code, "scanned_at": moment.isoformat()}


def test_a_batch_checks_in_at_scan_time_and_a_replay_stores_each_pass_once(door, make_pass, data, noon):
    first, first_facts = make_pass(window_start=time(11))
    second, second_facts = make_pass(public_id=bytes(range(1, 17)), window_start=time(11))
    early, _ = make_pass(public_id=bytes(range(2, 18)), window_start=time(11, 30))
    scanned = noon - timedelta(minutes=45)
    batch = {"device": "Eingang B", "check_ins": [
        _scan(first, scanned, "a"), _scan(second, scanned + timedelta(minutes=5), "b"),
        _scan(first, scanned + timedelta(minutes=6), "c"), _scan(early, scanned, "d"),
        _scan(sign(first_facts, Ed25519PrivateKey.generate()), scanned, "e")]}
    answer = _post(door, BATCH, batch)
    assert answer.status_code == 200
    kinds = {result["id"]: result["kind"] for result in answer.get_json()["results"]}
    assert kinds == {"a": "valid_now", "b": "valid_now", "c": "already_checked_in", "d": "too_early",
                     "e": "not_genuine"}
    expected = sorted([(public_id_text(first_facts.public_id), scanned, "Eingang B"),
                       (public_id_text(second_facts.public_id), scanned + timedelta(minutes=5), "Eingang B")])
    assert _check_ins(data) == expected
    replay = _post(door, BATCH, batch).get_json()["results"]
    assert {result["kind"] for result in replay} == {"already_checked_in", "too_early", "not_genuine"}
    assert _check_ins(data) == expected


def test_a_scan_time_in_the_future_counts_as_now(door, make_pass, data, noon):
    code, facts = make_pass(window_start=time(9))
    future = _post(door, BATCH, {"check_ins": [_scan(code, noon + timedelta(days=1), "y")]})
    assert [(result["id"], result["kind"]) for result in future.get_json()["results"]] == [("y", "valid_now")]
    assert _check_ins(data) == [(public_id_text(facts.public_id), noon, "")]


def test_a_device_offline_past_midnight_records_the_day_befores_check_ins_for_that_day_without_a_number(
        app, door, make_pass, data, noon, monkeypatch):
    announced = []
    monkeypatch.setitem(app.extensions["portal.events"].handlers, "arrival.checked_in",
                        [("listener", announced.append)])
    yesterday = noon - timedelta(days=1)
    code, facts = make_pass(day=yesterday.date(), window_start=time(16), window_end=time(17))
    todays_code, todays = make_pass(public_id=bytes(range(1, 17)))
    scanned = yesterday.replace(hour=16, minute=50)
    answer = _post(door, BATCH, {"check_ins": [_scan(code, scanned, "x"), _scan(todays_code, scanned, "y")]})
    results = {result["id"]: result for result in answer.get_json()["results"]}
    # Yesterday's pass was let in yesterday: that is recorded; today's pass under a clock a day behind is not.
    assert (results["x"]["kind"], results["y"]["kind"]) == ("valid_now", "another_day")
    assert _check_ins(data) == [(public_id_text(facts.public_id), scanned, "")]
    # The guard reads the day among today's check-ins, and no waiting number is drawn for a day that is over.
    with app.test_request_context("/de/"):
        assert results["x"]["scanned_at"] == format_datetime(scanned, "short") != format_time(scanned, "short")
    assert announced == []
    assert _post(door, BATCH, {"check_ins": [_scan(todays_code, noon, "z")]}).get_json()["results"][0]["kind"] == \
        "valid_now"
    assert [payload["public_id"] for payload in announced] == [public_id_text(todays.public_id)]


@pytest.mark.parametrize("check_ins", [
    None, "text", [{"id": "a", "code": "X"}], [{"id": "a", "code": "X", "scanned_at": "2026-12-02T10:00"}],
    [{"id": "", "code": "X", "scanned_at": "2026-12-02T10:00+01:00"}], [{"id": "a", "code": "X"}] * 201,
])
def test_a_malformed_batch_is_refused_whole(door, make_pass, data, noon, check_ins):
    code, _ = make_pass()
    good = _scan(code, noon, "good")
    body = {"check_ins": [good, *check_ins] if isinstance(check_ins, list) else check_ins}
    answer = _post(door, BATCH, body)
    assert answer.status_code == 422 and "unvollständig" in answer.get_json()["error"]
    assert _check_ins(data) == []


def test_a_batch_answers_each_check_in_with_its_short_code_persons_time_and_the_door_slot(app, door, make_pass,
                                                                                        noon, monkeypatch):
    def waiting_number(kind, public_id):
        return Markup('<p class="number">{} {}</p>').format(kind, public_id[:4])

    monkeypatch.setitem(app.extensions["portal.slots"].answers, "arrival.door", [("queue", waiting_number)])
    code, facts = make_pass(persons=3)
    scanned = noon - timedelta(minutes=20)
    results = _post(door, BATCH, {"check_ins": [_scan(code, scanned, "a"), _scan(code[:-3], scanned, "b")]})\
        .get_json()["results"]
    assert results[0] == {"id": "a", "kind": "valid_now", "title": "Gültig: bitte einlassen",
                          "short_code": short_code(facts.public_id), "persons": "3 Personen dürfen eintreten.",
                          "scanned_at": "11:40",
                          "slot": f'<p class="number">valid_now {public_id_text(facts.public_id)[:4]}</p>'}
    assert (results[1]["kind"], results[1]["short_code"], results[1]["persons"]) == ("not_genuine", "", "")


def test_the_day_list_holds_todays_passes_current_facts_revocations_and_check_ins(door, make_pass, data, noon):
    code, facts = make_pass(persons=3)
    _, revoked = make_pass(public_id=bytes(range(1, 17)))
    data(lambda session: revoke(revoked.public_id, toolkit.utcnow()))
    make_pass(public_id=bytes(range(2, 18)), day=noon.date() + timedelta(days=1))
    _post(door, CHECK, {"code": code})
    response = door.get(DAY)
    assert response.headers["Cache-Control"] == "private, no-store"
    listed = response.get_json()
    assert listed["day"] == noon.date().isoformat()
    assert listed["persons_text"] == {"2": "2 Personen dürfen eintreten.", "3": "3 Personen dürfen eintreten."}
    entries = {entry["public_id"]: entry for entry in listed["passes"]}
    assert set(entries) == {public_id_text(facts.public_id), public_id_text(revoked.public_id)}
    current = entries[public_id_text(facts.public_id)]
    assert current == {"public_id": public_id_text(facts.public_id),
                       "short_code": short_code(facts.public_id).replace("-", ""), "key_id": facts.key_id,
                       "window_start": "00:00", "window_end": "23:59", "persons": 3, "revoked": False,
                       "checked_in_at": noon.isoformat()}
    assert entries[public_id_text(revoked.public_id)]["revoked"] is True


def test_the_day_list_names_the_release_of_the_door_pages_files_as_the_page_does(door, monkeypatch):
    page_version = json.loads(re.search(r'<script type="application/json" id="arrival-door-data">(.*?)</script>',
                                        door.get(DOOR).get_data(as_text=True), re.DOTALL).group(1))["version"]
    assert door.get(DAY).get_json()["version"] == page_version
    real_address = toolkit.asset_url
    # A release with another door.js: its fingerprinted address, and with it the token, changes.
    monkeypatch.setattr(toolkit, "asset_url", lambda owner, name: real_address(owner, name).replace(
        "v=", "v=0") if name == "door.js" else real_address(owner, name))
    assert door.get(DAY).get_json()["version"] not in {page_version, "", None}


def test_only_the_door_page_may_use_the_camera(door, client):
    assert door.get(DOOR).headers["Permissions-Policy"].startswith("camera=(self)")
    assert client.get("/de/arrival/").headers["Permissions-Policy"].startswith("camera=()")


def test_the_service_worker_may_control_the_door_page_of_its_language(client):
    response = client.get("/ar/arrival/door-worker.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/ar/staff/arrival/"
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_answer_carries_the_door_slots_markup_for_the_verdict(app, door, make_pass, noon, monkeypatch):
    def interpreter_desk(kind, public_id):
        return Markup('<p class="desk">{} {}</p>').format(kind, len(public_id))

    monkeypatch.setitem(app.extensions["portal.slots"].answers, "arrival.door", [("desk", interpreter_desk)])
    code, _ = make_pass()
    assert _post(door, CHECK, {"code": code}).get_json()["slot"].strip() == \
        '<p class="desk">valid_now 26</p>'
    assert _post(door, CHECK, {"code": code[:-3]}).get_json()["slot"].strip() == '<p class="desk">not_genuine 0</p>'


@pytest.mark.parametrize("body", [["code"], {"code": 7}, {"code": None}, {"code": "A" * 401}, {}])
def test_a_check_that_is_no_code_gets_a_clear_422(door, data, body):
    answer = _post(door, CHECK, body)
    assert answer.status_code == 422 and "Bitte scannen Sie die Einlasskarte" in answer.get_json()["error"]
    text = door.post(CHECK, data="code", headers={"X-CSRFToken": door.token, "Content-Type": "text/plain"})
    assert text.status_code == 422
    assert _check_ins(data) == []
