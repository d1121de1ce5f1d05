"""The emergency form in Leichte Sprache: the normal form's fields and checks, posted to its view, answered in kind."""

import lxml.html
from portal_plugins.emergency.models import EmergencyRequest
from sqlalchemy import select

from portal import toolkit
from portal.testing import assert_easy_to_read, csrf_token, easy_page_text

EASY_URL = "/de/emergency/leicht"
FORM = {"category": "lost", "reference": "", "email": "kunde@example.org", "phone": "",
        "matter": "Mein Pass ist gestern in der Bahn gestohlen worden.", "language": "de", "leicht": "1"}


def post(client, url="/de/emergency/", **changes):
    return client.post(url, data={"csrf_token": csrf_token(client, EASY_URL), **FORM, **changes})


def test_the_easy_form_has_the_normal_form_s_fields_and_posts_to_its_view(client):
    easy = lxml.html.fromstring(client.get(EASY_URL).get_data(as_text=True))
    normal = lxml.html.fromstring(client.get("/de/emergency/").get_data(as_text=True))
    names = "//form[@method='post']//*[@name and not(@type='hidden')]/@name"
    assert sorted(set(easy.xpath(names))) == sorted(set(normal.xpath(names)))
    assert easy.xpath("//form[@method='post']/@action") == ["/de/emergency/"]
    assert easy.xpath("//input[@name='leicht']/@value") == ["1"]


def test_a_refused_easy_form_answers_in_leichte_sprache_and_keeps_the_input(client, database):
    response = post(client, matter="Zu kurz", email="", phone="", category="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    text = easy_page_text(html)
    assert "Wählen Sie bei Schritt 1 einen Notfall aus." in text
    assert "Schreiben Sie bei Schritt 3 mindestens 20 Zeichen." in text
    assert "Schreiben Sie Ihre E-Mail-Adresse oder Ihre Telefon-Nummer." in text
    assert "Bitte beschreiben Sie" not in html
    page = lxml.html.fromstring(html)
    assert page.xpath("//textarea[@name='matter']")[0].text.strip() == "Zu kurz"
    assert page.xpath("//*[@id='error-summary']//a/@href")[:2] == ["#category-0", "#matter"]
    assert_easy_to_read(html)
    with database() as db:
        assert db.scalars(select(EmergencyRequest)).all() == []


def test_the_language_switch_of_a_refused_easy_form_leads_to_the_everyday_form_with_what_was_typed(client):
    refused = lxml.html.fromstring(post(client, matter="Zu kurz").get_data(as_text=True))
    switch = refused.xpath("//div[@id='language-switch']//form")[0]
    fields = dict(switch.form_values())
    assert fields["leicht"] == "1" and fields["language_switch"]
    arabic = switch.xpath(".//button[@lang='ar']/@formaction")[0]
    answer = client.post(arabic, data=fields)
    page = lxml.html.fromstring(answer.get_data(as_text=True))
    assert answer.status_code == 422 and page.xpath("//html/@lang") == ["ar"]
    assert not page.xpath("//*[contains(concat(' ', @class, ' '), ' easy ')]")
    assert page.xpath("//textarea[@name='matter']")[0].text.strip() == "Zu kurz"


def test_a_wrong_address_or_phone_number_is_named_in_leichte_sprache(client):
    text = easy_page_text(post(client, email="kunde@", phone="abc").get_data(as_text=True))
    assert "Die E-Mail-Adresse ist nicht richtig." in text
    assert "Die Telefon-Nummer ist nicht richtig." in text


def test_an_easy_request_is_stored_sent_and_confirmed_in_leichte_sprache(client, database):
    response = post(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/de/emergency/leicht/gesendet")
    page = client.get(response.headers["Location"])
    with database() as db:
        entry = db.scalars(select(EmergencyRequest)).one()
        assert entry.category == "lost"
        assert db.scalars(select(toolkit.MailMessage)).one()
    assert entry.confirmation in page.get_data(as_text=True)
    assert "Schreiben Sie die Nummer auf." in easy_page_text(page.get_data(as_text=True))


def test_the_confirmation_without_a_request_leads_back_to_the_form(client):
    response = client.get("/de/emergency/leicht/gesendet")
    assert response.status_code == 302 and response.headers["Location"].endswith(EASY_URL)


def test_the_normal_form_still_answers_in_the_visitor_s_language(client):
    response = client.post("/en/emergency/", data={"csrf_token": csrf_token(client, "/en/emergency/"),
                                                   **FORM, "leicht": "", "matter": ""})
    assert response.status_code == 422
    assert "Please" in response.get_data(as_text=True)
    assert "Schritt 3" not in response.get_data(as_text=True)
