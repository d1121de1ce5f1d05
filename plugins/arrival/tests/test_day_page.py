"""The day at the door for caseworkers: per hour windows opening and check-ins, early arrivals and no-shows."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import lxml.html
import pytest
from portal_plugins.arrival.door import issue, revoke
from portal_plugins.arrival.models import ArrivalPass
from portal_plugins.arrival.passes import PassFacts, public_id_text
from sqlalchemy import update

from portal import toolkit

DAY_PAGE = "/de/staff/arrival/day/"


@pytest.fixture
def passes(app, data, today, signing_key):
    """Return add(number, start, end, checked_in=None, revoked=False, day=today): a pass as issued, perhaps used."""
    key_id, private_key = signing_key()

    def add(number, start, end, checked_in=None, revoked=False, day=today):
        facts = PassFacts(key_id=key_id, public_id=bytes([number] * 16), day=day, window_start=start,
                          window_end=end, persons=1)

        def write(session):
            issue(facts, private_key, "residence")
            if checked_in is not None:
                moment = datetime.combine(day, checked_in, toolkit.office_zone())
                session.execute(update(ArrivalPass).where(ArrivalPass.public_id == public_id_text(facts.public_id))
                                .values(checked_in_at=moment))
            if revoked:
                revoke(facts.public_id, toolkit.utcnow())

        data(write)

    return add


@pytest.fixture
def two_pm(app, monkeypatch, today):
    with app.app_context():
        moment = datetime.combine(today, time(14), toolkit.office_zone())
    monkeypatch.setattr(toolkit, "office_now", lambda moment_=None: moment)


def cells(response):
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    totals = [dd.text_content().strip() for dd in tree.xpath("//main//dd")]
    rows = [[cell.text_content().strip() for cell in row.xpath("./th|./td")] for row in tree.xpath("//tbody/tr")]
    return totals, rows


def test_counts_per_hour_early_arrivals_and_no_shows(staff_client, passes, two_pm, today):
    passes(1, time(9, 0), time(10, 0), checked_in=time(9, 10))
    passes(2, time(9, 30), time(10, 30))                                   # no-show: window over at 14:00
    passes(3, time(11, 0), time(12, 0), checked_in=time(10, 50))          # moved later after it came in: early
    passes(4, time(15, 0), time(16, 0))                                   # still to come
    passes(5, time(9, 0), time(10, 0), revoked=True)                      # cancelled: left out
    passes(6, time(9, 0), time(10, 0), day=today + timedelta(days=1))     # another day
    response = staff_client("caseworker").get(DAY_PAGE)
    assert response.status_code == 200
    totals, rows = cells(response)
    assert totals == ["4", "2", "1", "1", "1"]
    assert rows == [["09:00–09:59", "2", "1"], ["10:00–10:59", "0", "1"], ["11:00–11:59", "1", "0"],
                    ["12:00–12:59", "0", "0"], ["13:00–13:59", "0", "0"], ["14:00–14:59", "0", "0"],
                    ["15:00–15:59", "1", "0"]]
    html = response.get_data(as_text=True)
    assert "<caption" in html and "ARRIVAL" not in html


def test_another_day_is_chosen_with_the_date_picker(staff_client, passes, two_pm, today):
    tomorrow = today + timedelta(days=1)
    passes(6, time(9, 0), time(10, 0), day=tomorrow)
    totals, rows = cells(staff_client("caseworker").get(DAY_PAGE, query_string={"day": tomorrow.isoformat()}))
    assert totals == ["1", "0", "0", "0", "1"]
    assert rows == [["09:00–09:59", "1", "0"]]


def test_a_bad_date_is_refused_and_today_shown(staff_client):
    response = staff_client("caseworker").get(DAY_PAGE, query_string={"day": "morgen"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte ein Datum angeben, zum Beispiel 31.07.2026." in page and 'value="morgen"' in page


def test_a_day_typed_without_a_date_picker_is_read(staff_client, today):
    tomorrow = today + timedelta(days=1)
    response = staff_client("caseworker").get(DAY_PAGE, query_string={"day": f"{tomorrow:%d.%m.%Y}"})
    assert response.status_code == 200 and f'value="{tomorrow.isoformat()}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("role, status", [("caseworker", 200), ("admin", 200), ("door", 403), ("editor", 403)])
def test_caseworkers_and_admins_see_the_day_and_the_door_does_not(staff_client, role, status):
    client = staff_client(role)
    assert client.get(DAY_PAGE).status_code == status
    assert ('href="/de/staff/arrival/day/"' in client.get("/de/staff/").get_data(as_text=True)) == (status == 200)
