"""A form that failed only for the moment comes back on the error page, ready to be sent again (portal/keptforms.py)."""

import math
import re

import lxml.html
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal import create_app
from portal.migrate import upgrade_all
from portal.testing import (
    NARROW_PHONE,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    browser_sign_in,
    csrf_token,
    sign_in,
)
from tests.support import DatabaseOutage, nu_html_errors

URL = "/de/emergency/"
MATTER = "Mein Aufenthaltstitel läuft am Freitag ab und ich habe keinen Termin."
TYPED = {"category": "permit", "reference": "54/3311-2025", "email": "kundin@example.org", "phone": "",
         "matter": MATTER, "language": "ar"}


@pytest.fixture(scope="module")
def portal_config():
    return {"plugins": ["emergency", "notices"], "languages": ["de", "en", "ar"]}


def offered_form(response) -> dict:
    """Return the fields of the error page's form that sends the input again, by name."""
    forms = lxml.html.fromstring(response.get_data(as_text=True)).xpath("//form[@id='send-again']")
    assert forms, "the error page offers no form to send again"
    assert forms[0].get("action") == URL
    return dict(forms[0].form_values())


def emergency_requests(database) -> list[str]:
    from portal_plugins.emergency.models import EmergencyRequest

    with database() as db:
        return list(db.scalars(select(EmergencyRequest.matter)))


def test_a_public_form_whose_token_expired_is_kept_and_goes_through_with_one_click(app, database):
    stale_token = csrf_token(app.test_client(), URL)
    # Another browser, or the same after its cookie was deleted: the form's token is no longer valid.
    browser = app.test_client()
    refused = browser.post(URL, data={"csrf_token": stale_token, **TYPED})
    assert refused.status_code == 400
    assert refused.headers["Cache-Control"] == "no-store"
    assert "Ihre Eingaben sind nicht verloren" in refused.get_data(as_text=True)
    offered = offered_form(refused)
    assert {name: offered[name] for name in TYPED} == TYPED
    assert offered["csrf_token"] != stale_token and offered["sent_again"] == "1"
    assert emergency_requests(database) == []

    sent = browser.post(URL, data=offered)
    assert sent.status_code == 302 and "/emergency/sent" in sent.headers["Location"]
    assert emergency_requests(database) == [MATTER]


def test_a_form_over_the_rate_limit_is_kept_to_be_sent_again_later(app, database):
    client = app.test_client()
    # An address of its own, so that the other tests' forms do not count towards its limit.
    client.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    for _sent in range(5):
        assert client.post(URL, data={"csrf_token": csrf_token(client, URL), **TYPED}).status_code == 302
    limited = client.post(URL, data={"csrf_token": csrf_token(client, URL), **TYPED, "matter": MATTER + " Bitte!"})
    assert limited.status_code == 429
    page = limited.get_data(as_text=True)
    assert "nach der Wartezeit mit der Schaltfläche unten" in page
    # The page says how long, as the header does (read a moment apart, a second may have passed).
    waited = int(limited.headers["Retry-After"])
    said = re.search(r"Bitte warten Sie (\d+) Minuten", page)
    assert said and int(said.group(1)) in {math.ceil(waited / 60), math.ceil((waited + 1) / 60)}
    assert offered_form(limited)["matter"] == MATTER + " Bitte!"
    assert len(emergency_requests(database)) == 5


def test_a_copy_refused_again_asks_to_allow_the_cookie_and_keeps_the_input(app, database):
    offered = offered_form(app.test_client().post(URL, data=TYPED))
    # A browser that keeps no cookie sends the copy without the cookie its token belongs to.
    again = app.test_client().post(URL, data=offered)
    assert again.status_code == 400
    assert "Bitte erlauben Sie Cookies für diese Seite" in again.get_data(as_text=True)
    assert offered_form(again)["matter"] == MATTER
    assert emergency_requests(database) == []


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://elsewhere.example"}, {"Origin": "null"}],
                         ids=["cross-site", "same-site", "other-origin", "opaque-origin"])
def test_a_form_another_site_sent_gets_no_offer_and_no_new_cookie(app, headers):
    # A new session's cookie would replace the one of the person another site made send the form.
    response = app.test_client().post(URL, data=TYPED, headers=headers)
    assert response.status_code == 400
    assert 'id="send-again"' not in response.get_data(as_text=True)
    session_cookie = app.config["SESSION_COOKIE_NAME"] + "="
    assert not [cookie for cookie in response.headers.getlist("Set-Cookie") if cookie.startswith(session_cookie)]


def test_a_form_sent_from_the_portals_own_page_is_offered(app):
    for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"}):
        assert offered_form(app.test_client().post(URL, data=TYPED, headers=headers))["matter"] == MATTER


def test_the_page_with_the_offer_is_valid_html(app, tmp_path):
    first = app.test_client().post("/ar/emergency/", data=TYPED)
    again = app.test_client().post(URL, data=offered_form(app.test_client().post(URL, data=TYPED)))
    assert nu_html_errors({"offer": first.get_data(as_text=True), "cookie": again.get_data(as_text=True)},
                          tmp_path) == []


def test_the_offer_is_in_the_visitors_language(app):
    response = app.test_client().post("/ar/emergency/", data=TYPED)
    page = lxml.html.fromstring(response.get_data(as_text=True))
    assert page.get("dir") == "rtl"
    assert page.xpath("//form[@id='send-again']//button")[0].text_content() == "إرسال المدخلات مرة أخرى"


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://elsewhere.example"}],
                         ids=["no-proof", "cross-site", "same-site", "other-origin"])
def test_a_staff_form_that_failed_its_check_is_not_offered_again(app, make_staff, headers):
    # Another site may have sent it in the staff member's name: offering it back would make the forgery one click.
    editor = app.test_client()
    sign_in(editor, make_staff("editor"))
    response = editor.post("/de/staff/notices/new", data={"titles-de": "Geschlossen", "csrf_token": "forged"},
                           headers=headers)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="send-again"' not in page and "Geschlossen" not in page


def notice_titles(database) -> list[str]:
    from portal_plugins.notices.models import NoticeText

    with database() as db:
        return list(db.scalars(select(NoticeText.title).where(NoticeText.lang == "de")))


@pytest.mark.parametrize("proof", [{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"}],
                         ids=["fetch-metadata", "origin"])
def test_a_staff_form_from_before_signing_in_again_is_offered_and_saved(app, make_staff, database, form_values,
                                                                       proof):
    editor, account = app.test_client(), make_staff("editor")
    sign_in(editor, account)
    typed = form_values(editor.get("/de/staff/notices/new"))
    typed["titles-de"], typed["bodies-de"] = "Heute geschlossen", "Wegen eines Wasserschadens."
    # Signing in again, as in another window of the same browser, starts a new session: the form's token is stale.
    sign_in(editor, account)
    refused = editor.post("/de/staff/notices/new", data=typed, headers=proof)
    assert refused.status_code == 400
    assert "hat sich Ihre Anmeldung geändert" in refused.get_data(as_text=True)
    form = lxml.html.fromstring(refused.get_data(as_text=True)).xpath("//form[@id='send-again']")[0]
    assert form.get("action") == "/de/staff/notices/new"
    assert notice_titles(database) == []
    assert editor.post(form.get("action"), data=dict(form.form_values())).status_code == 302
    assert notice_titles(database) == ["Heute geschlossen"]


def test_a_form_sent_during_a_database_outage_is_kept_until_the_database_is_back(database_url, tmp_path):
    outage = DatabaseOutage(database_url, tmp_path)
    app = create_app({"instance_path": str(tmp_path), "plugins": ["emergency"], "secret_key": "x" * 32,
                      "database_url": outage.url})
    with app.app_context():
        upgrade_all()
    engine = app.extensions["portal.db"].engine
    client = app.test_client()
    token = csrf_token(client, URL)
    try:
        outage.start(engine)
        answer = client.post(URL, data={"csrf_token": token, **TYPED})
        assert answer.status_code == 503 and answer.headers["Retry-After"]
        assert "in einigen Minuten mit der Schaltfläche unten" in answer.get_data(as_text=True)
        offered = offered_form(answer)
    finally:
        outage.end(engine)
    assert client.post(URL, data=offered).status_code == 302
    from portal_plugins.emergency.models import EmergencyRequest

    with app.app_context():
        session = app.extensions["portal.db"].session
        assert session.scalar(select(func.count()).select_from(EmergencyRequest).where(
            EmergencyRequest.matter == MATTER)) == 1
        session.remove()
    outage.close()
    engine.dispose()


@pytest.mark.browser
def test_in_a_browser_that_lost_its_cookie_the_input_goes_through_with_one_click(live_server, browser, database):
    context = browser.new_context(**NARROW_PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/emergency/")
    page.check("input[name=category][value=permit]")
    page.fill("#matter", MATTER)
    page.fill("#email", "kundin@example.org")
    context.clear_cookies()
    page.click("main form button[type=submit]")
    assert page.locator("h1").inner_text() == "الطلب غير صحيح"
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.click("#send-again button")
    assert "/ar/emergency/sent" in page.url
    assert emergency_requests(database) == [MATTER]
    context.close()


@pytest.mark.browser
def test_in_a_browser_a_staff_form_from_before_signing_in_again_in_another_tab_is_saved(live_server, browser,
                                                                                       make_staff, database):
    context = browser.new_context(**PHONE)
    account = make_staff("editor")
    writing = context.new_page()
    browser_sign_in(writing, live_server.url, account)
    writing.goto(f"{live_server.url}/de/staff/notices/new")
    writing.fill("#titles-de", "Heute geschlossen")
    writing.fill("#bodies-de", "Wegen eines Wasserschadens.")
    browser_sign_in(context.new_page(), live_server.url, account)
    writing.click("button[value=publish]")
    # Chromium says the form came from the portal's own page (Sec-Fetch-Site), so the input is offered back.
    expect(writing.locator("#send-again")).to_be_visible()
    assert_accessible(writing)
    writing.click("#send-again button")
    writing.wait_for_url(re.compile(r"/de/staff/notices/\d+$"))
    assert notice_titles(database) == ["Heute geschlossen"]
    context.close()


@pytest.mark.browser
def test_in_a_browser_a_sign_in_page_from_before_signing_in_in_another_tab_leads_on(live_server, browser, make_staff):
    context = browser.new_context(**PHONE)
    account = make_staff("editor")
    waiting = context.new_page()
    waiting.goto(f"{live_server.url}/de/staff/login?next=/de/staff/notices/")
    browser_sign_in(context.new_page(), live_server.url, account)
    waiting.fill("input[name=email]", account.email)
    waiting.fill("input[name=password]", "vertippt")
    waiting.get_by_role("button", name="Anmelden").click()
    # Already signed in in the other tab: the page asked for, not an error about the form.
    waiting.wait_for_url(f"{live_server.url}/de/staff/notices/")
    context.close()

    # Signed in and out again in the other tab: the sign-in page asks for the password again and keeps the address.
    context = browser.new_context(**PHONE)
    waiting = context.new_page()
    waiting.goto(f"{live_server.url}/de/staff/login")
    other = context.new_page()
    browser_sign_in(other, live_server.url, account)
    other.get_by_role("button", name="Abmelden").click()
    waiting.fill("input[name=email]", account.email)
    waiting.fill("input[name=password]", "vertippt")
    waiting.get_by_role("button", name="Anmelden").click()
    expect(waiting.locator("main .callout")).to_contain_text("Bitte geben Sie Ihr Passwort noch einmal ein.")
    expect(waiting.locator("input[name=email]")).to_have_value(account.email)
    expect(waiting.locator("input[name=password]")).to_have_value("")
    assert_accessible(waiting)
    context.close()


def test_only_a_form_is_read_to_tell_a_language_switch(app):
    from flask import request

    from portal.keptforms import KeptForm, is_language_switch

    with app.test_request_context("/de/appointments/api/v1/lookup", method="POST", json={"reference": "M-100001"}):
        # An API's JSON body is never parsed as a form to find out: that work would fall on every API request.
        assert not is_language_switch() and "form" not in request.__dict__
    with app.test_request_context("/de/emergency/", method="POST", data={KeptForm.LANGUAGE_SWITCH: "1"}):
        assert is_language_switch()
