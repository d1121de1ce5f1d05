"""The public lookup: matching rules, one answer for every mismatch, htmx and plain pages, rate limits."""

from __future__ import annotations

import hmac
import re
from datetime import date

import lxml.html
import pytest
from flask_babel import force_locale, gettext
from portal_plugins.appointments import matching
from sqlalchemy import event

from portal.testing import csrf_token

URL = "/de/appointments/"


def post_lookup(client, reference="M-100001", birth_date=date(1985, 3, 27), lang="de", htmx=False, address=None,
                **extra):
    url = f"/{lang}/appointments/"
    data = {"csrf_token": csrf_token(client, url), "reference": reference, "day": str(birth_date.day),
            "month": str(birth_date.month), "year": str(birth_date.year)} | extra
    headers = {"HX-Request": "true"} if htmx else {}
    environ = {"REMOTE_ADDR": address} if address else {}
    # A browser follows the found appointment's redirect to its result page.
    return client.post(url, data=data, headers=headers, environ_base=environ, follow_redirects=True)


def main_content(response) -> str:
    """Return the page's main element without the form's per-request CSRF token."""
    html = response.get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", main)


def test_reference_and_birth_date_together_show_the_appointment(client, add_appointment):
    add_appointment(room="2.14")
    response = post_lookup(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Termin steht fest" in page
    assert "Verlängerung der Aufenthaltserlaubnis" in page
    assert "Wacker Hof, Raum 2.14" in page
    assert "Es darf 1 Person kommen." in page
    assert 'download>In meinen Kalender (.ics)</a>' in page
    assert "1985" not in page.split("<main")[1].split("<form")[0], "the date of birth is never shown back"


def test_reference_is_matched_without_spaces_and_in_any_case(client, add_appointment):
    add_appointment("M-100001")
    assert "Termin steht fest" in post_lookup(client, reference=" m-100 001 ").get_data(as_text=True)


@pytest.mark.parametrize("reference, birth_date", [
    ("M-999999", date(1985, 3, 27)),  # unknown reference
    ("M-100001", date(1985, 3, 28)),  # wrong date of birth
    ("M-100002", date(1985, 3, 27)),  # another client's reference with this date of birth
])
def test_every_mismatch_gets_the_same_answer(client, add_appointment, reference, birth_date):
    add_appointment("M-100001")
    add_appointment("M-100002", date(1990, 1, 1))
    response = post_lookup(client, reference=reference, birth_date=birth_date)
    assert response.status_code == 404
    page = main_content(response)
    assert "Wir haben zu diesen Angaben keinen Termin gefunden." in page
    # The answer differs only in the echoed input, never in what was wrong.
    def without_input(html, entered_reference, entered_day):
        return html.replace(f'value="{entered_reference}"', 'value="REF"').replace(f'value="{entered_day}"',
                                                                                   'value="D"')

    baseline = main_content(post_lookup(client, reference="M-000000", birth_date=date(1985, 3, 27)))
    assert without_input(page, reference, birth_date.day) == without_input(baseline, "M-000000", 27)


def test_wrong_reference_and_wrong_birth_date_take_the_same_code_path(app, add_appointment, monkeypatch):
    add_appointment("M-100001")
    statements, comparisons = [], []
    engine = app.extensions["portal.db"].engine

    def record_statement(_conn, _cursor, statement, parameters, _context, _executemany):
        if "appointments_appointment" in statement:
            statements.append(statement)

    compare_digest = hmac.compare_digest

    def record_comparison(stored, expected):
        comparisons.append((len(stored), len(expected)))
        return compare_digest(stored, expected)

    monkeypatch.setattr(hmac, "compare_digest", record_comparison)
    event.listen(engine, "before_cursor_execute", record_statement)
    try:
        paths = []
        for reference, birth_date in (("M-999999", date(1985, 3, 27)), ("M-100001", date(1985, 3, 28))):
            statements.clear()
            comparisons.clear()
            with app.test_request_context():
                found = matching.find_appointment(reference, birth_date)
            assert found is None
            paths.append((list(statements), list(comparisons)))
    finally:
        event.remove(engine, "before_cursor_execute", record_statement)
    assert paths[0] == paths[1]
    assert len(paths[0][0]) == 1 and "WHERE replace(" in paths[0][0][0]
    assert paths[0][1] == [(64, 64)]


def test_the_date_of_birth_is_stored_only_as_a_keyed_hash(app, database, add_appointment):
    from portal_plugins.appointments.models import Appointment

    add_appointment("M-100001", date(1985, 3, 27))
    with database() as session:
        stored = session.query(Appointment).one()
    assert "1985" not in stored.birth_key and len(stored.birth_key) == 64
    with app.test_request_context():
        assert stored.birth_key == matching.birth_key("M-100001", date(1985, 3, 27))
        app.config["SECRET_KEY"], secret = "another-key", app.config["SECRET_KEY"]
        try:
            assert stored.birth_key != matching.birth_key("M-100001", date(1985, 3, 27))
        finally:
            app.config["SECRET_KEY"] = secret


def test_invalid_input_keeps_the_values_and_answers_422(client, add_appointment):
    add_appointment()
    response = post_lookup(client, reference="M-100001", birth_date=date(1985, 3, 27), day="31", month="2")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dieses Datum gibt es nicht." in page
    assert 'value="M-100001"' in page and 'value="31"' in page and 'value="1985"' in page
    assert 'aria-describedby="birth_date-hint birth_date-error"' in page and 'aria-invalid="true"' in page
    response = post_lookup(client, reference="")
    assert response.status_code == 422
    assert "Bitte geben Sie die Vorgangsnummer ein." in response.get_data(as_text=True)


def test_the_language_switch_after_an_error_keeps_the_input_and_uses_up_no_lookup(app, client, add_appointment):
    add_appointment()
    settings = app.config["PORTAL"]["plugin_settings"]["appointments"]
    settings["rate_limit_per_address"] = "2 per 10 minutes"
    try:
        refused = post_lookup(client, day="31", month="2", address="10.0.2.1")
        assert refused.status_code == 422
        page = lxml.html.fromstring(refused.get_data(as_text=True))
        switch = page.get_element_by_id("language-list").getparent()
        carried = {field.get("name"): field.get("value") for field in switch.xpath("./input[@type='hidden']")}
        assert {name: carried[name] for name in ("reference", "day", "month", "year")} == {
            "reference": "M-100001", "day": "31", "month": "2", "year": "1985"}
        for _ in range(3):
            answer = client.post(switch.xpath(".//button[@lang='tr']/@formaction")[0], data=carried,
                                 environ_base={"REMOTE_ADDR": "10.0.2.1"})
            turkish = answer.get_data(as_text=True)
            assert answer.status_code == 422 and 'value="31"' in turkish and 'value="M-100001"' in turkish
            assert "Dieses Datum gibt es nicht." not in turkish and 'id="birth_date-error"' in turkish
        # Only the first, refused lookup counted: one more miss fits the limit of two, the next does not.
        assert post_lookup(client, birth_date=date(1985, 3, 28), address="10.0.2.1").status_code == 404
        assert post_lookup(client, birth_date=date(1985, 3, 28), address="10.0.2.1").status_code == 429
    finally:
        settings["rate_limit_per_address"] = "30 per 10 minutes"


def test_qr_link_fills_in_the_reference_and_asks_for_the_birth_date(client):
    page = client.get("/tr/appointments/?ref=m-100001").get_data(as_text=True)
    assert 'name="reference" spellcheck="false" type="text" value="M-100001"' in page
    assert re.search(r'<input[^>]*autocomplete="bday-day"[^>]*autofocus', page)


def test_htmx_gets_the_result_fragment_with_an_announcement(client, add_appointment):
    add_appointment()
    response = post_lookup(client, htmx=True)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in fragment
    assert 'id="lookup-announcement"' in fragment and 'hx-swap-oob="innerHTML"' in fragment
    assert "Termin gefunden." in fragment
    assert 'id="appointment-title" data-focus-after-swap' in fragment
    assert response.headers["Cache-Control"] == "no-store"
    # The fragment is the result's page at the address htmx puts in the address bar: it prints itself, no link
    # leads to what is shown already.
    result = fragment.split('<div id="language-switch"', 1)[0]  # the header's switch, sent out of band, leads there
    assert "data-print hidden" in result and f'href="{response.headers["HX-Push-Url"]}"' not in result


def test_htmx_not_found_is_swapped_in_with_the_form(client):
    response = post_lookup(client, reference="M-424242", htmx=True)
    fragment = response.get_data(as_text=True)
    # htmx swaps only 2xx answers, so the fragment says "not found" with status 200.
    assert response.status_code == 200
    assert "Kein Termin gefunden." in fragment and "keinen Termin gefunden" in fragment
    assert 'value="M-424242"' in fragment


def test_result_is_shown_in_the_visitors_language(client, add_appointment):
    add_appointment(status="postponed", days=None)
    page = post_lookup(client, lang="tr").get_data(as_text=True)
    assert '<html lang="tr" dir="ltr">' in page
    assert "Ertelendi" in page
    assert "Takviminize ekleyin" not in page, "a postponed appointment has no date to put in a calendar"


def test_result_page_offers_the_slot_for_other_plugins(app, client, add_appointment):
    from markupsafe import Markup

    calls = []

    def checklist_stand_in(service, location):
        calls.append({"service": service, "location": location})
        return Markup('<section class="stand-in-checklist"><h3>Checkliste</h3></section>')

    answers = app.extensions["portal.slots"].answers.setdefault("appointments.result", [])
    answers.append(("stand-in", checklist_stand_in))
    try:
        add_appointment(building="Wacker Hof", service="naturalisation-certificate-handover")
        page = post_lookup(client).get_data(as_text=True)
    finally:
        answers.remove(("stand-in", checklist_stand_in))
    assert calls == [{"service": "naturalisation-certificate-handover", "location": "Wacker Hof"}]
    assert '<section class="stand-in-checklist">' in page


def test_per_reference_limit_holds_across_addresses(app, client, add_appointment):
    app.config["PORTAL"]["plugin_settings"]["appointments"]["rate_limit_per_reference"] = "3 per hour"
    try:
        add_appointment("M-100001")
        codes = [post_lookup(client, birth_date=date(1985, 3, 20 + i), address=f"10.0.0.{i}").status_code
                 for i in range(3)]
        assert codes == [404, 404, 404]
        blocked = post_lookup(client, lang="tr", address="10.0.0.9")
        assert blocked.status_code == 429
        assert "Retry-After" in blocked.headers
        page = blocked.get_data(as_text=True)
        with app.test_request_context("/tr/"), force_locale("tr"):
            core_title = gettext("Abfrage vorübergehend gesperrt")
        assert '<html lang="tr"' in page and core_title in page
        # The failures may have been anyone's: the page does not say that this visitor sent too many.
        page = post_lookup(client, address="10.0.0.8").get_data(as_text=True)
        assert "vielleicht nicht von Ihnen" in page and "Sie haben in kurzer Zeit" not in page
        assert "<h1>Abfrage vorübergehend gesperrt</h1>" in page and "Zu viele Anfragen" not in page
        # Another reference from the same addresses is not blocked.
        assert post_lookup(client, reference="M-100002", address="10.0.0.1").status_code == 404
    finally:
        app.config["PORTAL"]["plugin_settings"]["appointments"]["rate_limit_per_reference"] = "10 per hour"


def test_per_address_limit_holds_across_references(app, client):
    settings = app.config["PORTAL"]["plugin_settings"]["appointments"]
    settings["rate_limit_per_address"] = "3 per 10 minutes"
    try:
        codes = [post_lookup(client, reference=f"M-20000{i}", address="10.0.1.1").status_code for i in range(4)]
        assert codes == [404, 404, 404, 429]
        refused = post_lookup(client, reference="M-200009", address="10.0.1.1").get_data(as_text=True)
        assert "Sie haben in kurzer Zeit zu viele Anfragen gestellt." in refused
        assert post_lookup(client, reference="M-300000", address="10.0.1.2").status_code == 404
    finally:
        settings["rate_limit_per_address"] = "30 per 10 minutes"


def test_htmx_gets_the_rate_limit_in_place_with_the_input_kept(app, client):
    settings = app.config["PORTAL"]["plugin_settings"]["appointments"]
    settings["rate_limit_per_reference"] = "1 per hour"
    try:
        assert post_lookup(client, reference="M-777777", htmx=True).status_code == 200
        response = post_lookup(client, reference="M-777777", birth_date=date(1970, 5, 6), htmx=True)
        fragment = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in fragment
        assert "Bitte warten Sie 60 Minuten" in fragment
        assert 'value="M-777777"' in fragment and 'value="1970"' in fragment
        assert "Retry-After" in response.headers
    finally:
        settings["rate_limit_per_reference"] = "10 per hour"


def test_successful_lookups_do_not_use_up_the_limits(app, client, add_appointment):
    settings = app.config["PORTAL"]["plugin_settings"]["appointments"]
    settings["rate_limit_per_reference"] = "2 per hour"
    try:
        add_appointment()
        assert [post_lookup(client).status_code for _ in range(4)] == [200, 200, 200, 200]
    finally:
        settings["rate_limit_per_reference"] = "10 per hour"


def test_checklists_and_hygiene_plugins_answer_the_result_slot(make_app, app):
    """With the real plugins enabled, the result shows what to bring and the rules in force.

    `app` is requested for its clean-up: both apps share the test database.
    """
    portal = make_app(plugins=["appointments", "checklists", "hygiene"])
    assert portal.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    client = portal.test_client()
    page = post_lookup(client, reference="M-100001", birth_date=date(1985, 3, 27)).get_data(as_text=True)
    assert "Termin steht fest" in page
    assert 'class="callout checklists-box"' in page
    assert 'href="/de/checklists/residence-permit-extension"' in page
    assert 'class="callout hygiene-summary"' in page


def test_a_found_appointment_answers_at_its_own_address_and_the_switch_keeps_it(client, add_appointment):
    add_appointment()
    url = "/ar/appointments/"
    data = {"csrf_token": csrf_token(client, url), "reference": "M-100001", "day": "27", "month": "3", "year": "1985"}
    found = client.post(url, data=data)
    assert found.status_code == 303
    token = re.fullmatch(r"/ar/appointments/result/([^/?]+)", found.headers["Location"]).group(1)
    page = client.get(found.headers["Location"]).get_data(as_text=True)
    assert "M-100001" in page and f'href="/en/appointments/result/{token}" hreflang="en"' in page
    # With script the form's answer swaps in place, and the address bar and the header's switch follow it.
    swapped = client.post(url, data=data, headers={"HX-Request": "true"})
    pushed = swapped.headers["HX-Push-Url"]
    assert swapped.status_code == 200 and pushed.startswith("/ar/appointments/result/")
    fragment = swapped.get_data(as_text=True)
    assert '<div id="language-switch" hx-swap-oob="true">' in fragment
    assert f'href="/en/{pushed.removeprefix("/ar/")}" hreflang="en"' in fragment
    # An answer without a result of its own changes neither.
    missed = client.post(url, data=data | {"year": "1986"}, headers={"HX-Request": "true"})
    assert "HX-Push-Url" not in missed.headers and "language-list" not in missed.get_data(as_text=True)
    # An answer with the form's errors makes the switch carry the fields, as the page without script does.
    refused = client.post(url, data=data | {"day": "31", "month": "2"}, headers={"HX-Request": "true"})
    switch = lxml.html.fromstring(refused.get_data(as_text=True)).xpath("//div[@id='language-switch']")[0]
    assert switch.get("hx-swap-oob") == "true" and "HX-Push-Url" not in refused.headers
    carried = {field.get("name"): field.get("value") for field in switch.xpath(".//input[@data-carried-field]")}
    assert {name: carried[name] for name in ("reference", "day", "month", "year")} == {
        "reference": "M-100001", "day": "31", "month": "2", "year": "1985"}
    assert switch.xpath(".//button[@lang='en']/@formaction") == ["/en/appointments/"]


def test_a_wrong_date_after_the_letter_s_qr_code_keeps_the_reference_for_another_language(client, add_appointment):
    add_appointment("M-100004", date(1985, 3, 27))
    url = "/ar/appointments/?ref=M-100004"
    page = client.get(url).get_data(as_text=True)
    assert 'action="/ar/appointments/?ref=M-100004"' in page
    answer = client.post(url, data={"csrf_token": csrf_token(client, url), "reference": "M-100004", "day": "28",
                                    "month": "3", "year": "1985"})
    assert answer.status_code == 404
    # Without JavaScript the answer is the form again: its language links still lead to the letter's reference.
    switch = re.search(r'<a href="([^"]+)" hreflang="de"', answer.get_data(as_text=True)).group(1)
    assert switch == "/de/appointments/?ref=M-100004"
    assert 'value="M-100004"' in client.get(switch).get_data(as_text=True)


# Cyrillic and Greek letters that look like Latin ones, both cases, as the brief of the reviewers lists them.
LOOKALIKES = [("АВЕКМНОРСТУХ", "ABEKMHOPCTYX"), ("авекмнорстух", "ABEKMHOPCTYX"),
              ("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"), ("αβεζηικμνορτυχ", "ABEZHIKMNOPTYX")]


@pytest.mark.parametrize("typed, latin", LOOKALIKES)
def test_letters_that_look_latin_become_latin(typed, latin):
    assert matching.normalize_reference(typed) == latin


@pytest.mark.parametrize("typed", ["М-100001", "м-100001", "Μ-100001", "μ 100001"])
def test_a_reference_typed_on_a_cyrillic_or_greek_keyboard_is_found(client, add_appointment, typed):
    add_appointment("M-100001")
    response = post_lookup(client, reference=typed)
    assert response.status_code == 200 and "Termin steht fest" in response.get_data(as_text=True)


def test_a_cyrillic_reference_with_several_lookalikes_finds_the_latin_one(client, add_appointment):
    add_appointment("KX-2026/07")
    assert "Termin steht fest" in post_lookup(client, reference="кх-2026/07").get_data(as_text=True)


def test_a_reference_typed_in_cyrillic_counts_against_the_latin_references_limit(app, client, add_appointment):
    app.config["PORTAL"]["plugin_settings"]["appointments"]["rate_limit_per_reference"] = "2 per hour"
    try:
        add_appointment("M-100001")
        assert post_lookup(client, reference="М-100001", birth_date=date(1985, 3, 20)).status_code == 404
        assert post_lookup(client, reference="M-100001", birth_date=date(1985, 3, 21)).status_code == 404
        # The lock is the Latin reference's, however it was typed.
        assert post_lookup(client, reference="м-100001").status_code == 429
    finally:
        app.config["PORTAL"]["plugin_settings"]["appointments"]["rate_limit_per_reference"] = "10 per hour"


@pytest.mark.parametrize("typed", ["Д-100001", "MÜ-100001", "Ж100001"])
def test_a_letter_of_another_script_is_named_as_such(client, add_appointment, typed):
    add_appointment("M-100001")
    response = post_lookup(client, reference=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "lateinischen Buchstaben (A bis Z) geschrieben, zum Beispiel M-100001" in page
    assert "3 bis 32 Buchstaben" not in page
    assert f'value="{typed.upper()}"' in page, "what was typed is kept"
    with_lookalike = post_lookup(client, reference="МД-100001", lang="uk").get_data(as_text=True)
    assert "латинськими літерами" in with_lookalike and 'value="MД-100001"' in with_lookalike


def test_a_result_swapped_in_by_htmx_brings_the_result_pages_title_and_heading(client, add_appointment):
    add_appointment()
    fragment = post_lookup(client, lang="en", htmx=True).get_data(as_text=True)
    # htmx makes a <title> at the top of the fragment the document's; the heading is the page's only h1.
    assert re.search(r"^\s*<title>Your appointment – [^<]+</title>", fragment.split("</p>", 1)[1])
    assert '<h1 id="appointment-title" data-focus-after-swap>Your appointment</h1>' in fragment
    assert "Check appointment" not in fragment
    result_page = post_lookup(client, lang="en").get_data(as_text=True)
    assert re.search(r"<title>([^<]+)</title>", result_page).group(1) == \
        re.search(r"<title>([^<]+)</title>", fragment).group(1)
    # The form keeps its own title and heading, and a form with errors brings no title.
    form = client.get("/en/appointments/").get_data(as_text=True)
    assert "<title>Check appointment – " in form and "<h1>Check appointment</h1>" in form
    missed = post_lookup(client, lang="en", reference="M-424242", htmx=True).get_data(as_text=True)
    assert "<title>" not in missed and "<h1>Check appointment</h1>" in missed


@pytest.mark.parametrize("lang, heading", [("de", "Link abgelaufen oder ungültig"),
                                           ("en", "Link expired or not valid")])
def test_an_expired_or_invalid_result_link_says_so_in_its_heading(app, client, add_appointment, monkeypatch, lang,
                                                                   heading):
    add_appointment()
    path = post_lookup(client, lang=lang).request.path
    for answer in (client.get(f"/{lang}/appointments/result/forged"), client.get(path + "x")):
        page = answer.get_data(as_text=True)
        assert answer.status_code == 404
        assert f"<h1>{heading}</h1>" in page and f"<title>{heading} – " in page
    monkeypatch.setitem(app.config["PORTAL"]["plugin_settings"]["appointments"], "result_link_minutes", 1)
    import time as clock
    real_time = clock.time
    monkeypatch.setattr(clock, "time", lambda: real_time() + 120)
    expired = client.get(path)
    assert expired.status_code == 404 and f"<h1>{heading}</h1>" in expired.get_data(as_text=True)
    assert client.get(path + "/appointment.ics").status_code == 404


@pytest.mark.parametrize("status, days", [("invited", 3), ("scheduled", 3), ("ready_for_collection", 3)])
def test_what_to_bring_does_not_make_the_paper_letter_the_only_way_in(client, add_appointment, status, days):
    add_appointment(status=status, days=days)
    page = post_lookup(client).get_data(as_text=True)
    assert "(oder den Einlasscode auf Ihrem Handy)" in page and "Pass oder Ausweis" in page
    assert "Am Eingang wird Ihre Einladung kontrolliert." in page
    assert "der Brief kontrolliert" not in page
