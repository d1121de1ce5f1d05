"""Right-to-left pages keep numbers, addresses, the office's German names and shipped Latin terms in reading order."""

import json
import re
from pathlib import Path

import lxml.html
import pytest
from flask import render_template_string

from portal.config import DEFAULTS
from portal.i18n import text_direction

PLUGINS = Path(__file__).parent.parent / "plugins"

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


def _texts_by_language(node, lang=None):
    """Yield (language, text) for every text of a shipped content file, however deep it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            code = key if key in DEFAULTS["languages"] else lang
            yield from _texts_by_language(value, code)
    elif isinstance(node, list):
        for value in node:
            yield from _texts_by_language(value, lang)
    elif isinstance(node, str) and lang:
        yield lang, node


def test_a_latin_term_in_right_to_left_shipped_text_never_breaks_at_its_hyphen_or_slash():
    # Broken there, a line of Arabic ends in "(-EC" or "EC-Karte (/": the browser orders each line on its own.
    latin_run = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ0-9][A-Za-zÀ-ÖØ-öø-ÿ0-9 .\-/]*[A-Za-zÀ-ÖØ-öø-ÿ0-9]")
    checked, breakable = 0, []
    for path in sorted(PLUGINS.glob("*/content/*.json")):
        for lang, text in _texts_by_language(json.loads(path.read_text(encoding="utf-8"))):
            if text_direction(lang) != "rtl":
                continue
            checked += 1
            breakable += [(path.parent.parent.name, lang, run) for run in latin_run.findall(text)
                          if re.search(r"[A-Za-z]", run) and ("-" in run or " /" in run or "/ " in run)]
    assert checked > 100 and not breakable, breakable


def _right_to_left_texts():
    """Yield (where, text) for every shipped right-to-left text: catalogs and content files."""
    from babel.messages.pofile import read_po

    for path in sorted([*PLUGINS.glob("*/translations/*/LC_MESSAGES/messages.po"),
                        *(PLUGINS.parent / "translations").glob("*/LC_MESSAGES/messages.po")]):
        if text_direction(path.parent.parent.name) == "rtl":
            for message in read_po(path.open("rb")):
                if not message.id:
                    continue  # the catalog's header
                for text in ([message.string] if isinstance(message.string, str) else message.string):
                    yield path.parent.parent.name, text
    for path in sorted(PLUGINS.glob("*/content/*.json")):
        for lang, text in _texts_by_language(json.loads(path.read_text(encoding="utf-8"))):
            if text_direction(lang) == "rtl":
                yield lang, text


def test_an_example_number_with_a_hyphen_in_right_to_left_text_keeps_its_order():
    # After Arabic letters, "54/12-2026" shows as "2026-54/12": digits there join across "/" but not across "-".
    # A file ending after Arabic letters, "(.ics)", shows as "(ics.)" the same way.
    number = re.compile(r"(?<![\u2066\d])\d+(?:[./]\d+)*-\d[\d./-]*(?![\d\u2069])|(?<!\u2066)\.ics\b")
    found = [(lang, text) for lang, text in _right_to_left_texts() if number.search(text)]
    assert not found, found


def test_what_staff_wrote_is_marked_with_its_language_only_on_a_page_in_another(app):
    with app.test_request_context("/ar/"):
        app.preprocess_request()
        assert render_template_string("{{ written_in('Umzug <neu>', 'de') }}") == \
            '<bdi lang="de" dir="ltr">Umzug &lt;neu&gt;</bdi>'
    with app.test_request_context("/de/"):
        app.preprocess_request()
        assert render_template_string("{{ written_in('Umzug <neu>', 'de') }}") == "Umzug &lt;neu&gt;"
