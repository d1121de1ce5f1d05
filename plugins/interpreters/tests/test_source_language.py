"""An office that writes in English: its glossary terms, the pages' sentences and the staff form follow."""

import pytest
from portal_plugins.interpreters import portal_translation_content
from portal_plugins.interpreters.glossary import load_shipped_glossary, refresh_search_text, shipped_terms
from portal_plugins.interpreters.models import GlossaryTerm, GlossaryTranslation
from sqlalchemy import select

pytestmark = pytest.mark.portal_config({"languages": ["de", "en", "ar"], "fallback_languages": ["en"]})


def stored_term(data, slug: str) -> tuple[str, dict[str, str]]:
    """Return a stored term's own word and its translations' words by language."""
    def read(session):
        term = session.scalars(select(GlossaryTerm).filter_by(slug=slug)).one()
        return term.term, {translation.lang: translation.term for translation in term.translations}

    return data(read)


def test_the_shipped_glossary_is_loaded_with_the_source_language_as_each_terms_own(app, data):
    added = data(load_shipped_glossary)
    assert len(added.terms) == len(shipped_terms())
    word, translations = stored_term(data, "einbuergerung")
    assert word == "naturalisation"
    assert translations["de"] == "Einbürgerung" and "en" not in translations
    assert (data(load_shipped_glossary).terms, data(load_shipped_glossary).versions) == ([], [])
    with app.test_request_context("/de/"):
        assert {status.lang: status.translated for status in portal_translation_content()} == {
            "de": len(shipped_terms()), "en": len(shipped_terms()), "ar": len(shipped_terms())}


def test_a_german_page_gives_the_english_word_and_german_is_still_found_without_umlauts(client, data, parse):
    data(load_shipped_glossary)
    page = parse(client.get("/de/interpreters/glossary?q=Einbuergerung"))
    assert page.xpath("string(//article[@id='term-einbuergerung']/h2)") == "Einbürgerung"
    source = page.xpath("//article[@id='term-einbuergerung']//p[@class='interpreters-glossary-term__source']")[0]
    assert source.text_content() == "Auf Englisch: naturalisation"
    assert source.xpath("span/@lang") == ["en"]
    english = parse(client.get("/en/interpreters/glossary?q=naturalisation"))
    assert english.xpath("string(//article[@id='term-einbuergerung']/h2)") == "naturalisation"
    assert not english.xpath("//p[@class='interpreters-glossary-term__source']")


@pytest.mark.parametrize("lang, sentences, german", [
    ("de", ["Sie sprechen wenig Englisch?", "auf Englisch und in Ihrer Sprache.",
            "Sie sprechen Englisch und eine weitere Sprache"], "Deutsch"),
    ("ar", ["لا تتحدثون الإنجليزية جيدًا؟", "باللغة الإنجليزية وبلغتكم.", "هل تتحدثون الإنجليزية ولغة أخرى"],
     "الألمانية"),
])
def test_the_initiatives_page_names_the_offices_language(client, parse, lang, sentences, german):
    main = " ".join(parse(client.get(f"/{lang}/interpreters/")).xpath("string(//main)").split())
    assert [sentence for sentence in sentences if sentence not in main] == []
    assert german not in main


def test_staff_write_a_term_in_the_source_language_and_translate_it_into_the_others(staff_client, data, parse,
                                                                                   form_values):
    editor = staff_client("editor")
    form = editor.get("/de/staff/interpreters/glossary/new")
    page = parse(form)
    assert page.xpath("string(//label[@for='term'])").strip() == "Begriff auf Englisch"
    assert page.xpath("string(//label[@for='explanation'])").strip() == "Erklärung auf Englisch"
    assert (page.get_element_by_id("term").get("lang"), page.get_element_by_id("term").get("dir")) == ("en", "ltr")
    assert sorted(name for name in form_values(form) if name.startswith("terms-")) == ["terms-ar", "terms-de"]
    values = form_values(form)
    for name, value in {"term": "Transition certificate", "explanation": "A paper that is valid for a short time.",
                        "terms-de": "Übergangsbescheinigung", "explanations-de": "Ein Papier, das kurz gilt."}.items():
        values[name] = value
    assert editor.post("/de/staff/interpreters/glossary/new", data=values).status_code == 302
    assert stored_term(data, "transition-certificate") == ("Transition certificate",
                                                           {"de": "Übergangsbescheinigung"})
    staff_list = parse(editor.get("/de/staff/interpreters/glossary"))
    assert staff_list.xpath("//td[.='Transition certificate']/@lang") == ["en"]


def add_german_terms(session) -> int:
    """Store two terms as they were saved while German was the source language; return the first one's id."""
    naturalisation = GlossaryTerm(slug="einbuergerung", lang="de", term="Einbürgerung",
                                  explanation="Man bekommt die deutsche Staatsangehörigkeit.")
    naturalisation.translations = [
        GlossaryTranslation(lang="en", term="naturalisation", explanation="You become a German citizen."),
        GlossaryTranslation(lang="ar", term="التجنّس", explanation="تحصلون على الجنسية الألمانية.")]
    toleration = GlossaryTerm(slug="duldung", lang="de", term="Duldung", explanation="Die Abschiebung ist ausgesetzt.")
    session.add_all([naturalisation, toleration])
    for term in (naturalisation, toleration):
        refresh_search_text(term)
    session.flush()
    return naturalisation.id


def test_terms_saved_while_german_was_the_source_keep_their_languages(app, data, client, parse, staff_client):
    data(add_german_terms)
    english = parse(client.get("/en/interpreters/glossary"))
    assert english.xpath("string(//article[@id='term-einbuergerung']/h2)") == "naturalisation"
    # No English version: the German one shows, marked as German, with the note that it is not translated.
    toleration = english.xpath("//article[@id='term-duldung']")[0]
    assert toleration.xpath("h2/@lang") == ["de"] and toleration.xpath("string(h2)") == "Duldung"
    assert toleration.xpath("p[@class='fallback-note']")
    german = parse(client.get("/de/interpreters/glossary?q=Einbuergerung"))
    assert german.xpath("string(//article[@id='term-einbuergerung']/h2)") == "Einbürgerung"
    assert german.xpath("string(//p[@class='interpreters-glossary-term__source'])") == "Auf Englisch: naturalisation"
    assert not german.xpath("//article[@id='term-duldung']//p[@class='interpreters-glossary-term__source']")
    with app.test_request_context("/de/"):
        report = {status.lang: status.translated for status in portal_translation_content()}
    assert report == {"de": 2, "en": 1, "ar": 1}  # the term saved only in German lacks the source language's words
    listed = parse(staff_client("editor").get("/de/staff/interpreters/glossary"))
    row = listed.xpath("//tr[td[1]='Duldung']")[0]
    assert row.xpath("string(td[2])") == "1/2; fehlt: English (Englisch) und العربية (Arabisch)"
    assert listed.xpath("string(//tr[td[1]='Einbürgerung']/td[2])") == "2/2"


def test_saving_such_a_term_makes_the_source_language_its_own(app, staff_client, data, parse, form_values):
    term_id = data(add_german_terms)
    editor = staff_client("editor")
    url = f"/de/staff/interpreters/glossary/{term_id}"
    form = editor.get(url)
    page = parse(form)
    assert page.get_element_by_id("term").get("value") == "naturalisation"
    assert page.get_element_by_id("terms-de").get("value") == "Einbürgerung"
    assert editor.post(url, data=form_values(form)).status_code == 302

    def stored(session):
        term = session.get(GlossaryTerm, term_id)
        return term.lang, term.term, {translation.lang: translation.term for translation in term.translations}

    assert data(stored) == ("en", "naturalisation", {"de": "Einbürgerung", "ar": "التجنّس"})
