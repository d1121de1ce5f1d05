"""An office without German on its site writes its rules in the first fallback language."""

import pytest
from portal_plugins.hygiene.models import Rule
from portal_plugins.hygiene.rules import translation_status
from sqlalchemy import select

from portal.testing import sign_in

NEW = "/en/staff/hygiene/rules/new"


@pytest.fixture
def portal_config():
    return {"plugins": ["hygiene"], "languages": ["tr", "en", "ar"], "default_language": "en",
            "fallback_languages": ["en"]}


def test_rules_are_written_in_the_configured_source_language(app, make_staff, data, form_values, client):
    editor = app.test_client()
    sign_in(editor, make_staff("editor"), lang="en")
    form = editor.get(NEW)
    assert form.status_code == 200
    values = form_values(form)
    values.setlist("text-tr", ["Lütfen maske takın."])
    response = editor.post(NEW, data=values)
    assert response.status_code == 422
    assert "English" in response.get_data(as_text=True)
    values.setlist("text-en", ["Please wear a mask."])
    assert editor.post(NEW, data=values).status_code == 302
    assert data(lambda session: session.scalars(select(Rule.text)).one()) == {
        "tr": "Lütfen maske takın.", "en": "Please wear a mask."}
    assert "Please wear a mask." in client.get("/ar/hygiene/").get_data(as_text=True)
    assert editor.get("/en/staff/hygiene/").status_code == 200


def test_the_fallback_note_the_poster_and_the_hint_name_the_source_language(app, make_staff, form_values, client,
                                                                            parse):
    editor = app.test_client()
    sign_in(editor, make_staff("editor"), lang="en")
    form = editor.get(NEW)
    assert "The text in English is required" in form.get_data(as_text=True)
    values = form_values(form)
    values.setlist("text-en", ["Card payment only."])
    assert editor.post(NEW, data=values).status_code == 302

    arabic = parse(client.get("/ar/hygiene/"))
    assert arabic.xpath("string(//p[@class='fallback-note'])") == (
        "بعض القواعد غير متوفرة بلغتكم بعد. وهي معروضة هنا باللغة الإنجليزية.")
    assert arabic.xpath("//*[@lang='en'][@dir='ltr'][contains(., 'Card payment only.')]")

    poster = parse(client.get("/tr/hygiene/poster?languages=ar"))
    assert "Afiş bugün geçerli olan kuralları İngilizce ve seçtiğiniz dillerde gösterir." in poster.xpath(
        "string(//main)")
    source = poster.xpath("//p[contains(@class, 'hygiene-poster__source')]")
    assert [(line.text_content(), line.get("lang")) for line in source] == [("Card payment only.", "en")]
    assert poster.xpath("//p[contains(@class, 'hygiene-poster__office')]/@lang") == ["en"]
    assert not poster.xpath("//*[@lang='de']")


def test_a_rule_saved_before_the_source_language_changed_still_shows(add_rule, client, parse):
    # Written when the office still wrote in Turkish; English, the source language now, is missing.
    add_rule("mask", text={"tr": "Lütfen maske takın."})
    page = parse(client.get("/ar/hygiene/"))
    assert page.xpath("//*[@lang='tr'][contains(., 'Lütfen maske takın.')]")


def test_a_rule_saved_before_the_source_language_changed_counts_as_missing_in_it(app, add_rule):
    add_rule("mask", text={"tr": "Lütfen maske takın."})
    add_rule("payment", text={"en": "Card payment only.", "tr": "Yalnızca kartla ödeme."})
    with app.test_request_context("/en/"):
        status = {entry.lang: (entry.translated, entry.total) for entry in translation_status()}
    assert status == {"en": (1, 2), "tr": (2, 2), "ar": (0, 2)}
