"""Right-to-left pages keep numbers, addresses and the office's German names in reading order."""

import lxml.html
import pytest

from portal.config import DEFAULTS

CONTACT_PAGES = ["/ar/", "/ar/accessibility", "/ar/easy-language", "/ar/sign-language", "/ar/emergency/",
                 "/ar/interpreters/", "/ar/interpreters/guide"]


@pytest.fixture
def portal(make_app, app):
    """Every first-party plugin, with every phone number and address the pages can show."""
    return make_app(plugins=DEFAULTS["plugins"], office={
        "phone": "0211 89-12345", "email": "amt@stadt.example", "emergency_email": "notfall@stadt.example",
        "emergency_phone": "0211 89-99999", "locations": ["Wacker Hof", "Nebenstelle Benrath"]})


def test_phone_numbers_and_e_mail_addresses_are_isolated_left_to_right(portal):
    client = portal.test_client()
    for url in CONTACT_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        links = lxml.html.fromstring(response.get_data(as_text=True)).xpath(
            "//a[starts-with(@href, 'tel:') or starts-with(@href, 'mailto:')]")
        assert links, f"{url} shows no phone number or address"
        wrong = [link.get("href") for link in links if link.get("dir") != "ltr"]
        assert not wrong, f"{url}: {wrong} not isolated left to right"


def test_inputs_for_numbers_and_addresses_are_left_to_right(portal):
    client = portal.test_client()
    for url in ("/ar/emergency/", "/ar/naturalisation/", "/ar/appointments/"):
        tree = lxml.html.fromstring(client.get(url).get_data(as_text=True))
        inputs = tree.xpath("//input[@type='tel' or @type='email' or @name='reference']")
        assert inputs, url
        assert all(field.get("dir") == "ltr" for field in inputs), \
            f"{url}: {[field.get('name') for field in inputs if field.get('dir') != 'ltr']}"


def test_the_office_s_names_inside_arabic_sentences_are_isolated_and_marked_german(portal):
    client = portal.test_client()
    office = f'<bdi lang="de">{DEFAULTS["office"]["name"]}</bdi>'
    for url in ("/ar/accessibility", "/ar/easy-language", "/ar/interpreters/"):
        assert office in client.get(url).get_data(as_text=True), url


def test_what_staff_wrote_in_the_statement_is_marked_german(make_app, app):
    portal = make_app(accessibility={"known_limitations": ["Alte PDF-Formulare sind nicht barrierefrei."]})
    tree = lxml.html.fromstring(portal.test_client().get("/ar/accessibility").get_data(as_text=True))
    limitation = tree.xpath("//li[contains(., 'PDF-Formulare')]")[0]
    body = tree.xpath("//span[contains(., 'Schlichtungsstelle nach')]")[0]
    assert (limitation.get("lang"), limitation.get("dir")) == ("de", "ltr") == (body.get("lang"), body.get("dir"))
