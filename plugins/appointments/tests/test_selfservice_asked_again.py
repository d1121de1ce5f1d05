"""A self-service form sent after its token expired keeps what was typed and acts once the date of birth matches."""

from __future__ import annotations

import time as clock

import lxml.html
import pytest
from itsdangerous.timed import TimestampSigner
from playwright.sync_api import expect
from portal_plugins.appointments.selfservice_models import ClientRequest, ShortNoticeEntry
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.testing import PHONE, csrf_token

from .conftest import BIRTH_DATE
from .test_selfservice_browser import answered, check, look_up, open_action

ASKED_AGAIN = "Diese Seite war lange geöffnet."


@pytest.fixture
def expired(monkeypatch):
    """Return expired(): from then on the tokens handed out before are two hours old (the links work for one)."""
    def expire():
        # The signer's clock alone, so that the live server and the browser's driver keep the real one.
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _signer: int(clock.time()) + 7200)

    return expire


def count(database, model) -> int:
    with database() as session:
        return session.scalar(select(func.count()).select_from(model))


def send_again(client, page: str, **boxes):
    """Send the form of an asking-again page as it stands, with the date of birth's boxes filled in."""
    form = lxml.html.fromstring(page).xpath("//form[@class='form']")[0]
    fields = MultiDict(form.form_values())
    for name, value in boxes.items():
        fields[name] = value
    return client.post(form.get("action"), data=fields, follow_redirects=True)


def birth_boxes(day: int, month: int, year: int) -> dict:
    return {"birth_day": str(day), "birth_month": str(month), "birth_year": str(year)}


def test_a_note_typed_on_an_expired_page_is_kept_and_sent_once_the_date_of_birth_matches(
        client, database, add_appointment, open_result, act, expired):
    add_appointment()
    _html, token = open_result(client)
    expired()
    answer = act(client, "new-date", token, reason="work", weekdays=["mon", "thu"], day_times="morning",
                 note="nicht vor 10 Uhr")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and ASKED_AGAIN in page
    # What was typed comes back; which appointment it is stays unsaid until the date of birth matched.
    tree = lxml.html.fromstring(page)
    assert tree.xpath("//form[@class='form']//input[@name='note']/@value") == ["nicht vor 10 Uhr"]
    assert tree.xpath("//form[@class='form']//input[@name='reason'][@checked]/@value") == ["work"]
    assert tree.xpath("//form[@class='form']//input[@name='weekdays'][@checked]/@value") == ["mon", "thu"]
    assert "M-100001" not in page and "Wacker Hof" not in page
    assert 'href="#birth_date"' in page and count(database, ClientRequest) == 0

    wrong = send_again(client, page, **birth_boxes(28, 3, 1985))
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Dieses Geburtsdatum passt nicht zu dem Termin." in page
    assert 'value="nicht vor 10 Uhr"' in page and "M-100001" not in page and count(database, ClientRequest) == 0

    right = send_again(client, page, **birth_boxes(BIRTH_DATE.day, BIRTH_DATE.month, BIRTH_DATE.year))
    page = right.get_data(as_text=True)
    assert right.status_code == 200 and "Danke! Wir suchen einen neuen Termin" in page and "M-100001" in page
    with database() as session:
        stored = session.scalars(select(ClientRequest)).one()
    assert (stored.kind, stored.note, stored.weekdays) == ("new_date", "nicht vor 10 Uhr", "mon,thu")


def test_errors_in_the_form_itself_come_back_with_the_date_of_birth_typed(client, database, add_appointment,
                                                                          open_result, act, expired):
    add_appointment()
    _html, token = open_result(client)
    expired()
    page = act(client, "remind", token, email="kein-at-zeichen").get_data(as_text=True)
    assert 'href="#email"' in page and 'href="#birth_date"' in page
    answer = send_again(client, page, **birth_boxes(BIRTH_DATE.day, BIRTH_DATE.month, BIRTH_DATE.year))
    page = answer.get_data(as_text=True)
    tree = lxml.html.fromstring(page)
    assert answer.status_code == 422 and 'href="#email"' in page and ASKED_AGAIN not in page
    assert tree.xpath("//form[@class='form']//input[@name='birth_year']/@value") == [str(BIRTH_DATE.year)]
    assert tree.xpath("//form[@class='form']//input[@name='email']/@value") == ["kein-at-zeichen"]


def test_the_permit_date_and_the_date_of_birth_have_boxes_of_their_own(client, database, add_appointment, open_result,
                                                                     act, expired):
    add_appointment()
    _html, token = open_result(client)
    expired()
    page = act(client, "short-notice", token, email="kunde@example.org", day="1", month="6",
               year="2099").get_data(as_text=True)
    tree = lxml.html.fromstring(page)
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids)) and {"birth_day", "day"} <= set(ids)
    assert tree.xpath("//form[@class='form']//input[@name='year']/@value") == ["2099"]
    answer = send_again(client, page, **birth_boxes(BIRTH_DATE.day, BIRTH_DATE.month, BIRTH_DATE.year))
    assert answer.status_code == 200 and "Sie stehen auf der Liste" in answer.get_data(as_text=True)
    with database() as session:
        entry = session.scalars(select(ShortNoticeEntry)).one()
    assert (entry.email, entry.permit_expires.year) == ("kunde@example.org", 2099)


def test_wrong_dates_of_birth_count_against_the_lookup_limit_and_the_form_survives_it(
        app, client, database, add_appointment, open_result, act, expired, monkeypatch):
    add_appointment()
    _html, token = open_result(client)
    monkeypatch.setitem(app.config["PORTAL"]["plugin_settings"]["appointments"], "rate_limit_per_address",
                        "2 per minute")
    expired()
    page = act(client, "new-date", token, reason="work", note="Notiz").get_data(as_text=True)
    codes = []
    for day in (1, 2, 3):
        answer = send_again(client, page, **birth_boxes(day, 1, 1990))
        codes.append(answer.status_code)
        page = answer.get_data(as_text=True)
    assert codes == [422, 422, 429]
    # Refused by the limit, the form still holds the note, and says why.
    assert 'value="Notiz"' in page and "zu viele Anfragen" in page and count(database, ClientRequest) == 0


@pytest.mark.parametrize("token", ["", "forged.token.value"])
def test_a_forged_token_is_not_asked_about(client, database, add_appointment, act, token):
    add_appointment()
    assert act(client, "confirm", token).status_code == 404
    data = {"token": token, "csrf_token": csrf_token(client, "/de/appointments/"),
            **birth_boxes(BIRTH_DATE.day, BIRTH_DATE.month, BIRTH_DATE.year)}
    assert client.post("/de/appointments/self-service/confirm/again", data=data).status_code == 404
    assert count(database, ClientRequest) == 0


def test_the_asking_again_page_switches_language_with_what_was_typed(client, add_appointment, open_result, act,
                                                                     expired):
    add_appointment()
    _html, token = open_result(client)
    expired()
    page = act(client, "new-date", token, reason="work", note="nicht vor 10 Uhr").get_data(as_text=True)
    switch = lxml.html.fromstring(page).get_element_by_id("language-list").getparent()
    address = switch.xpath(".//button[@lang='ar']/@formaction")[0]
    arabic = client.post(address, data={field.get("name"): field.get("value")
                                        for field in switch.xpath("./input[@type='hidden']")})
    text = arabic.get_data(as_text=True)
    assert arabic.status_code == 422 and 'lang="ar"' in text and 'value="nicht vor 10 Uhr"' in text
    assert 'id="birth_date-error"' in text


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "javascript"), [("de", True), ("ar", True), ("ar", False)])
def test_a_phone_keeps_the_note_across_the_expired_page(browser, live_server, database, add_appointment, expired,
                                                        lang, javascript):
    add_appointment("M-100001", days=10)
    narrow = {**PHONE, "viewport": {"width": 320, "height": 640}}
    page = browser.new_context(**narrow, java_script_enabled=javascript).new_page()
    look_up(page, live_server.url, lang)
    open_action(page, "new-date")
    page.check("input[value=work]")
    page.fill("#note", "nicht vor 10 Uhr")
    expired()
    page.click("main form button[type=submit]")
    expect(page.locator("#birth_date-error")).to_be_visible()
    assert page.input_value("#note") == "nicht vor 10 Uhr"
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    check(page, javascript)  # no sideways scrolling at 320 px; axe-core with the script
    for box, value in zip(("#birth_day", "#birth_month", "#birth_year"), ("27", "3", "1985"), strict=True):
        page.fill(box, value)
    page.click("main form button[type=submit]")
    answered(page)
    if lang == "de":
        expect(page.locator("main .flashes")).to_contain_text("Wir suchen einen neuen Termin")
    assert count(database, ClientRequest) == 1
