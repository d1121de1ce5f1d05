"""Clients send an urgent matter; bad input is explained and nothing a client typed is lost."""

import gzip
import re

import lxml.html
import pytest
from portal_plugins.emergency.forms import MATTER_MAX, MATTER_MIN
from portal_plugins.emergency.mail import compose
from portal_plugins.emergency.models import EmergencyRequest
from sqlalchemy import func, select

from portal import toolkit
from portal.testing import csrf_token

URL = "/de/emergency/"
GOOD = {"category": "permit", "reference": "54/3311-2025", "email": "kundin@example.org", "phone": "",
        "matter": "Mein Aufenthaltstitel läuft am Freitag ab und ich habe keinen Termin.", "language": "ar"}


def send(client, **changes):
    response = client.post(URL, data={"csrf_token": csrf_token(client, URL), **GOOD, **changes})
    response.close()
    return response


def count(database):
    with database() as db:
        return db.scalar(select(func.count()).select_from(EmergencyRequest))


def test_the_page_says_who_may_write_and_shows_the_emergency_contact(client):
    page = client.get(URL).get_data(as_text=True)
    assert "Ihr Aufenthaltstitel läuft in den nächsten Tagen ab." in page
    assert 'href="mailto:notfall@amt.example"' in page and 'href="tel:02118912345"' in page
    for why in ("Damit wir Ihre Akte schneller finden.", "Damit wir sehen, wie dringend es ist.",
                "Damit wir Ihnen antworten können.", "Damit wir Sie möglichst in einer Sprache ansprechen"):
        assert why in page
    assert 'autocomplete="email"' in page and 'autocomplete="tel"' in page


def test_the_matter_s_hint_gives_the_shortest_and_the_longest_length_the_form_takes(client):
    page = lxml.html.fromstring(client.get(URL).get_data(as_text=True))
    hint = page.get_element_by_id("matter-hint").text_content()
    assert hint.startswith("Damit wir sehen, wie dringend es ist.")
    assert hint.endswith(f"Mindestens {MATTER_MIN} und höchstens {MATTER_MAX} Zeichen.")
    assert page.get_element_by_id("matter").get("maxlength") == str(MATTER_MAX)
    # The numbers are those the check refuses a text by.
    error = send(client, matter="x" * (MATTER_MIN - 1)).get_data(as_text=True)
    assert f"Bitte schreiben Sie zwischen {MATTER_MIN} und {MATTER_MAX} Zeichen." in error
    english = lxml.html.fromstring(client.get("/en/emergency/").get_data(as_text=True))
    assert english.get_element_by_id("matter-hint").text_content().endswith(
        f"At least {MATTER_MIN} and at most {MATTER_MAX} characters.")


def test_every_page_links_to_the_form_in_the_footer(client):
    page = client.get("/en/").get_data(as_text=True)
    assert '<li><a href="/en/emergency/">Send an emergency request</a></li>' in page


def test_a_request_is_stored_with_a_readable_confirmation_number(client, database):
    response = send(client)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    number = re.search(r"NF-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", page).group(0)
    with database() as db:
        stored = db.scalars(select(EmergencyRequest)).one()
        assert (stored.confirmation, stored.category, stored.language, stored.state) == (number, "permit", "ar", "new")
        assert stored.contact_email == "kundin@example.org" and stored.contact_phone == ""


def test_a_message_as_long_as_the_box_allows_is_taken_whatever_its_line_breaks(client, database):
    # The box's maxlength counts a line break once; the browser sends it as CR LF.
    matter = "\r\n".join(["x" * 49] * 40)
    assert len(matter.replace("\r\n", "\n")) == 40 * 49 + 39 <= 2000 < len(matter)
    assert send(client, matter=matter).status_code == 302
    with database() as db:
        assert db.scalars(select(EmergencyRequest.matter)).one() == matter.replace("\r\n", "\n")


def test_bad_input_is_rejected_with_clear_messages_and_kept(client, database):
    response = send(client, category="", matter="Hilfe", email="kundin(at)example", reference="54/1<script>")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte wählen Sie aus, worum es geht." in page
    assert "Bitte schreiben Sie zwischen 20 und 2000 Zeichen." in page
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in page
    assert "Bitte nur Buchstaben, Ziffern, Leerzeichen und . / - verwenden." in page
    assert 'value="kundin(at)example"' in page and "Hilfe</textarea>" in page
    assert 'aria-describedby="matter-hint matter-error"' in page
    # The language switch leads to the same form, not to the home page, and carries what was typed.
    switch = lxml.html.fromstring(page).get_element_by_id("language-list").getparent()
    assert switch.xpath("./button") == [] and switch.xpath(".//button[@lang='en']/@formaction") == [
        URL.replace("/de/", "/en/")]
    response = send(client, email="", phone="")
    assert response.status_code == 422
    assert "Bitte geben Sie eine E-Mail-Adresse oder eine Telefonnummer an" in response.get_data(as_text=True)
    response = send(client, matter="x" * 2001)
    assert response.status_code == 422
    # Valid, but before the @ not in ASCII, which mail can carry only with SMTPUTF8: asked for another, not lost.
    response = send(client, email="иван@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vor dem @ kann unser E-Mail-System nur die Buchstaben a–z" in page and 'value="иван@example.org"' in page
    assert send(client, email="ivan@bücher.example").status_code == 302  # a domain in any script is sent as IDNA
    assert count(database) == 1


def carried_by_the_switch(page: str, language: str) -> tuple[str, dict]:
    """Return where the header's button for a language sends the form, and the fields it carries."""
    switch = lxml.html.fromstring(page).get_element_by_id("language-list").getparent()
    assert switch.tag == "form" and switch.get("method") == "post"
    return (switch.xpath(f".//button[@lang='{language}']/@formaction")[0],
            {field.get("name"): field.get("value") for field in switch.xpath("./input[@type='hidden']")})


def test_the_language_switch_after_an_error_shows_the_form_as_typed_in_the_other_language(client, database):
    typed = {"matter": "Hilfe", "email": "kundin(at)example", "phone": "0211 555", "reference": "54/3311-2025"}
    page = send(client, **typed).get_data(as_text=True)
    address, carried = carried_by_the_switch(page, "ar")
    assert address == "/ar/emergency/"
    assert {name: carried[name] for name in typed} == typed and carried["language_switch"] == "1"
    answer = client.post(address, data=carried)
    arabic = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'lang="ar"' in arabic
    # The same errors, in Arabic, and every field as typed.
    assert "Bitte schreiben Sie" not in arabic and arabic.count('class="error"') == page.count('class="error"') > 0
    assert "Hilfe</textarea>" in arabic and 'value="kundin(at)example"' in arabic and 'value="0211 555"' in arabic
    # From Arabic on to English, still as typed.
    address, carried = carried_by_the_switch(arabic, "en")
    english = client.post(address, data=carried).get_data(as_text=True)
    assert "Please write between" in english and 'value="kundin(at)example"' in english
    assert count(database) == 0


def test_a_form_carried_into_another_language_is_never_sent(client, database):
    carried = {"csrf_token": csrf_token(client, URL), **GOOD, "language_switch": "1"}
    answer = client.post("/en/emergency/", data=carried)
    page = answer.get_data(as_text=True)
    # Valid as it is, but a switch only shows it: in English, as typed, without errors, and nothing stored or sent.
    assert answer.status_code == 422 and 'value="kundin@example.org"' in page and 'class="error"' not in page
    assert count(database) == 0


def test_each_visitor_s_switch_carries_only_their_own_form(client, app):
    first = send(client, matter="Hilfe", email="erste(at)example").get_data(as_text=True)
    other = app.test_client()
    second = send(other, matter="Hilfe", email="zweite(at)example").get_data(as_text=True)
    assert carried_by_the_switch(first, "en")[1]["email"] == "erste(at)example"
    assert carried_by_the_switch(second, "en")[1]["email"] == "zweite(at)example"
    # A page answered without errors keeps its links.
    assert lxml.html.fromstring(client.get(URL).get_data(as_text=True)).xpath(
        "//ul[@id='language-list']/li/a[@hreflang='en']/@href") == ["/en/emergency/"]


def test_a_phone_number_alone_is_enough(client, database):
    assert send(client, email="", phone="+49 211 555-0100").status_code == 302
    assert count(database) == 1


def test_requests_without_a_csrf_token_are_refused(client, database):
    response = client.post(URL, data=GOOD)
    assert response.status_code == 400
    assert count(database) == 0


def test_submissions_are_rate_limited(client, database):
    statuses = [send(client).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert count(database) == 5


def filled_page(client, form_values):
    """Return what a browser sends for the form page filled in with GOOD, its own key included."""
    return form_values(client.get(URL)).to_dict() | GOOD


def confirmation_shown(client) -> str:
    page = client.get("/de/emergency/sent").get_data(as_text=True)
    return re.search(r"NF-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", page).group(0)


def test_the_same_page_sent_twice_sends_one_request_and_names_it_both_times(client, database, form_values):
    values = filled_page(client, form_values)
    assert len(values["sending_key"]) >= 22
    first = client.post(URL, data=values)
    assert first.status_code == 302
    number = confirmation_shown(client)
    # A double tap: the browser shows the second answer, and never got the session of the first.
    with client.session_transaction() as session:
        session.clear()
    again = client.post(URL, data=values | {"csrf_token": csrf_token(client, URL)})
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert confirmation_shown(client) == number
    assert count(database) == 1
    with database() as db:
        assert db.scalar(select(func.count()).select_from(toolkit.MailMessage)) == 1
    # The same words on a new page are a new request.
    assert send(client).status_code == 302 and count(database) == 2


def test_a_double_tap_waits_for_the_first_sending_and_sends_once(app, client, database, form_values, twice_at_once):
    from portal_plugins.emergency import views

    values = filled_page(client, form_values)
    other = app.test_client()
    overlapped, first, second = twice_at_once(
        views, "queue", lambda: send_values(client, values),
        lambda: send_values(other, values | {"csrf_token": csrf_token(other, URL)}))
    assert not overlapped, "the second sending went on while the first was still saving"
    assert (first.status_code, second.status_code) == (302, 303)
    assert count(database) == 1
    with other.session_transaction() as session:
        assert session["emergency_confirmation"] == confirmation_shown(client)


def send_values(client, values):
    response = client.post(URL, data=values)
    response.close()
    return response


def test_a_sending_refused_for_its_errors_does_not_keep_the_page_from_being_sent(client, database, form_values):
    values = filled_page(client, form_values)
    assert client.post(URL, data=values | {"matter": "kurz"}).status_code == 422
    assert client.post(URL, data=values).status_code == 302
    assert count(database) == 1


@pytest.mark.portal_config({"page_cache_seconds": 300})
def test_every_visitor_of_the_kept_form_page_gets_a_key_of_their_own(app):
    keys = set()
    for encoding in ("gzip", "identity", "gzip"):
        answer = app.test_client().get(URL, headers={"Accept-Encoding": encoding})
        page = gzip.decompress(answer.get_data()) if answer.content_encoding == "gzip" else answer.get_data()
        keys.add(re.search(rb'name="sending_key" type="hidden" value="([^"]+)"', page).group(1))
    assert len(keys) == 3 and not any(b"portal-" in key for key in keys)


def test_digits_typed_on_an_arabic_or_persian_keyboard_are_accepted(client, database):
    assert send(client, phone="٠٢١١ ١٢٣٤٥٦", email="", reference="۵۴/۳۳۱۱-۲۰۲۵").status_code == 302
    with database() as db:
        stored = db.scalars(select(EmergencyRequest)).one()
        assert (stored.contact_phone, stored.reference) == ("0211 123456", "54/3311-2025")


def test_the_phone_example_reads_in_order_in_arabic(client):
    url = "/ar/emergency/"
    page = client.post(url, data={"csrf_token": csrf_token(client, url), **GOOD, "phone": "x"}).get_data(as_text=True)
    assert "\u20660211 123456\u2069" in page and "\u2066+49 211 123456\u2069" in page


def test_a_client_may_ask_for_a_reply_in_a_language_the_portal_does_not_offer(client, database):
    response = send(client, language="other", other_language="")
    assert response.status_code == 422
    assert "Bitte schreiben Sie, in welcher Sprache wir antworten sollen." in response.get_data(as_text=True)
    assert count(database) == 0
    assert send(client, language="other", other_language="Tigrinya").status_code == 302
    with database() as db:
        stored = db.scalars(select(EmergencyRequest)).one()
        assert (stored.language, stored.other_language) == ("other", "Tigrinya")
        assert "Bevorzugte Sprache: andere Sprache: \u2068Tigrinya\u2069" in compose(stored)[1]


def test_words_for_another_language_are_dropped_when_an_offered_one_is_chosen(client, database):
    assert send(client, language="ar", other_language="Kurmancî").status_code == 302
    with database() as db:
        assert db.scalars(select(EmergencyRequest)).one().other_language == ""


def test_the_client_writes_in_a_direction_of_their_own(client):
    page = lxml.html.fromstring(client.get("/de/emergency/").get_data(as_text=True))
    assert page.get_element_by_id("matter").get("dir") == "auto"
    assert page.get_element_by_id("other_language").get("dir") == "auto"


@pytest.mark.portal_config({"languages": ["de", "ar", "fa_AF", "ti"]})
def test_each_language_to_answer_in_is_marked_with_its_own_language_and_direction(client):
    # Named in its own words, each option is read out with its own voice, as in the header's language list.
    for url in ("/ar/emergency/", "/de/emergency/leicht"):
        page = lxml.html.fromstring(client.get(url).get_data(as_text=True))
        options = {option.get("value"): (option.text, option.get("lang"), option.get("dir"))
                   for option in page.xpath("//select[@id='language']/option")}
        assert options["de"] == ("Deutsch", "de", "ltr")
        assert options["ar"] == ("العربية", "ar", "rtl")
        assert options["fa_AF"] == ("دری", "fa-AF", "rtl")
        assert options["ti"][1:] == ("ti", "ltr")
        # "Eine andere Sprache" is written in the page's language, like the rest of the form.
        assert options["other"][1:] == (None, None)
