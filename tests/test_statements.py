"""The core's statements: accessibility statement in every configuration, Leichte Sprache."""

import re

import lxml.html
import pytest


def statement_text(client, lang: str = "de") -> str:
    """Return the accessibility statement's main text with whitespace collapsed."""
    page = lxml.html.fromstring(client.get(f"/{lang}/accessibility").get_data(as_text=True))
    return re.sub(r"\s+", " ", page.xpath("//main")[0].text_content())


def test_the_default_statement_is_coherent(client):
    text = statement_text(client)
    assert "teilweise" in text
    # Partly compliant: neither "no barriers known" nor a pointer to a list that is not there.
    assert "keine Barrieren bekannt" not in text and "unten" not in text
    assert "Eine Liste der Einschränkungen erstellen wir noch." in text


@pytest.mark.parametrize("status, sentence", [
    ("full", "erfüllt die Anforderungen vollständig."),
    ("partial", "erfüllt die Anforderungen teilweise."),
    ("none", "erfüllt die Anforderungen noch nicht."),
])
@pytest.mark.parametrize("limitations", [[], ["Die Videos haben noch keine Untertitel."]])
def test_every_status_with_and_without_limitations_reads_coherently(app, client, monkeypatch, status, sentence,
                                                                     limitations):
    statement = app.config["PORTAL"]["accessibility"]
    monkeypatch.setitem(statement, "status", status)
    monkeypatch.setitem(statement, "known_limitations", limitations)
    text = statement_text(client)
    assert sentence in text
    # Only a statement with limitations points to a list below.
    assert ("unten" in text) == bool(limitations)
    assert ("Die Videos haben noch keine Untertitel." in text) == bool(limitations)
    assert ("keine Barrieren bekannt" in text) == (status == "full" and not limitations)
    assert ("Eine Liste der Einschränkungen erstellen wir noch." in text) == (status != "full" and not limitations)
    # Partly or not compliant never claims that no barrier is known.
    if status != "full":
        assert "keine Barrieren bekannt" not in text


@pytest.mark.parametrize("lang, directions", [
    ("de", ("rechts", "links")), ("en", ("right", "left")), ("tr", ("sağ", "sol")), ("ar", ("يمين", "يسار")),
])
def test_easy_language_describes_the_language_switch_by_what_it_is_not_where(client, lang, directions):
    page = lxml.html.fromstring(client.get(f"/{lang}/easy-language").get_data(as_text=True))
    words = set(re.findall(r"\w+", page.xpath("//main")[0].text_content().lower()))
    assert not [word for word in directions if word in words or f"ال{word}" in words]


@pytest.mark.parametrize("lang, wrong", [("de", "Stadt Landeshauptstadt"), ("en", "City of")])
def test_the_statement_names_the_municipality_as_configured(make_app, lang, wrong):
    portal = make_app(municipality={"name": "Landeshauptstadt Düsseldorf"})
    text = statement_text(portal.test_client(), lang)
    assert "Amt für Migration und Integration, Landeshauptstadt Düsseldorf." in text
    assert wrong not in text


@pytest.mark.parametrize("lang, not_reviewed, reviewed", [
    ("de", "Diese Erklärung wurde noch nicht geprüft.", "Diese Erklärung wurde zuletzt am 1. Oktober 2026 geprüft."),
    ("en", "This statement has not been reviewed yet.", "This statement was last reviewed on October 1, 2026."),
])
def test_a_statement_never_reviewed_says_so_and_a_review_date_shows(make_app, lang, not_reviewed, reviewed):
    text = statement_text(make_app().test_client(), lang)
    assert not_reviewed in text and "zuletzt am" not in text and "last reviewed" not in text
    text = statement_text(make_app(accessibility={"last_review": "2026-10-01"}).test_client(), lang)
    assert reviewed in text and not_reviewed not in text


def test_the_leichte_sprache_page_says_when_the_statement_was_reviewed(make_app):
    def easy_text(portal) -> str:
        page = lxml.html.fromstring(portal.test_client().get("/de/easy-language").get_data(as_text=True))
        return re.sub(r"\s+", " ", page.xpath("//main")[0].text_content())

    assert "Das Amt hat die Erklärung noch nicht geprüft." in easy_text(make_app())
    text = easy_text(make_app(accessibility={"last_review": "2026-10-01"}))
    assert "Das Amt hat die Erklärung zuletzt am 1. Oktober 2026 geprüft." in text and "noch nicht" not in text
