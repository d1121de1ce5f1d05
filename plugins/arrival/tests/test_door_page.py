"""The door page: only the door role (and admins) use it; each verdict in words; a check-in names device and account."""

from datetime import date, datetime, time, timedelta

import pytest
from portal_plugins.arrival.door import revoke
from portal_plugins.arrival.models import ArrivalPass
from portal_plugins.arrival.passes import short_code
from sqlalchemy import select

from portal import toolkit
from portal.testing import csrf_token

DOOR = "/de/staff/arrival/"


@pytest.fixture(autouse=True)
def noon_at_the_office(app, monkeypatch):
    """Judge passes at noon office time, so windows late in the day stay in the future whenever the tests run."""
    with app.app_context():
        noon = datetime.combine(toolkit.office_today(), time(12), toolkit.office_zone())
    monkeypatch.setattr(toolkit, "office_now", lambda moment=None: noon)


def _check(client, code, device="Eingang A"):
    """Send a pass as the page without script does, and follow the answer to the page that shows the verdict."""
    return client.post(DOOR, data={"csrf_token": csrf_token(client, DOOR), "code": code, "device": device},
                       follow_redirects=True)


def _check_ins(data):
    return data(lambda session: [(row.checked_in_device, row.checked_in_by)
                                 for row in session.scalars(select(ArrivalPass)) if row.checked_in_at])


@pytest.mark.parametrize("role", ["caseworker", "editor"])
def test_other_roles_do_not_see_the_door(staff_client, role):
    client = staff_client(role)
    assert client.get(DOOR).status_code == 403
    assert "Einlass" not in client.get("/de/staff/").get_data(as_text=True)


def test_the_door_role_sees_the_door_and_no_other_staff_page(staff_client):
    client = staff_client("door")
    assert 'href="/de/staff/arrival/"' in client.get("/de/staff/").get_data(as_text=True)
    for page in ("/de/staff/accounts", "/de/staff/audit", "/de/staff/translations/"):
        assert client.get(page).status_code in (403, 404), page


def test_the_verdict_shows_once_at_the_pages_own_address(staff_client, make_pass, data):
    code, _ = make_pass()
    client = staff_client("door")
    answer = client.post(DOOR, data={"csrf_token": csrf_token(client, DOOR), "code": code, "device": "Eingang A"})
    # A redirect: reloading the page or going back shows it again without checking the pass a second time.
    # Its anchor brings the field to the top with the verdict below it.
    assert answer.status_code == 303 and answer.headers["Location"] == DOOR + "#arrival-door-form"
    first = client.get(DOOR).get_data(as_text=True)
    assert "Gültig: bitte einlassen" in first and 'value="Eingang A"' in first
    reloaded = client.get(DOOR).get_data(as_text=True)
    assert "arrival-verdict--" not in reloaded and 'value="Eingang A"' in reloaded
    assert len(_check_ins(data)) == 1


def test_a_valid_pass_checks_in_once_with_device_and_account(staff_client, make_pass, make_staff, data):
    code, _ = make_pass()
    client = staff_client("door")
    page = _check(client, code).get_data(as_text=True)
    assert "Gültig: bitte einlassen" in page and "2 Personen dürfen eintreten." in page
    assert 'value="Eingang A"' in client.get(DOOR).get_data(as_text=True)
    again = _check(client, code).get_data(as_text=True)
    assert "Schon eingecheckt" in again and "Eingecheckt um" in again
    [(device, staff_id)] = _check_ins(data)
    assert device == "Eingang A" and staff_id is not None


@pytest.mark.parametrize(("changes", "typed", "words"), [
    ({}, lambda code, facts: code[:-4], "Nicht gültig"),
    ({}, lambda code, facts: "HTTPS://EXAMPLE.ORG/P/" + code, "Nicht gültig"),
    ({"window_start": time(23, 58)}, lambda code, facts: code, "Zu früh"),
    ({}, lambda code, facts: short_code(facts.public_id)[:-1] + "Z", "Nicht gültig"),
])
def test_each_verdict_in_words_and_nothing_checked_in(staff_client, make_pass, data, changes, typed, words):
    code, facts = make_pass(**changes)
    client = staff_client("door")
    response = _check(client, typed(code, facts))
    assert response.status_code == 200 and words in response.get_data(as_text=True)
    assert _check_ins(data) == []


def test_another_day_and_cancelled_passes(staff_client, make_pass, data):
    client = staff_client("door")
    code, facts = make_pass(day=date.today() + timedelta(days=3))
    assert "Anderer Tag" in _check(client, code).get_data(as_text=True)
    data(lambda session: revoke(facts.public_id, toolkit.utcnow()))
    assert "Geändert oder abgesagt" in _check(client, short_code(facts.public_id)).get_data(as_text=True)
    assert _check_ins(data) == []


def test_an_empty_code_is_refused_with_a_message(staff_client):
    response = _check(staff_client("door"), "  ")
    assert response.status_code == 422
    assert "Bitte scannen Sie die Einlasskarte" in response.get_data(as_text=True)
