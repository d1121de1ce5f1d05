"""Texts in several languages: staff edits, the shipped versions a stored text lacks, the source language named."""

from datetime import date

import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import text

from portal.toolkit import (
    Translated,
    edited_texts,
    mark_source_names,
    missing_shipped_versions,
    outdated_languages,
    pick_translation,
    source_fingerprint,
    stamp_translations,
)

SHIPPED = {"de": "Bitte tragen Sie eine Maske.", "en": "Please wear a mask.", "ar": "يرجى ارتداء كمامة.",
           "ps": "مهرباني وکړئ ماسک واغوندئ."}


@pytest.mark.portal_config({"languages": ["de", "en", "ar"]})
def test_the_enabled_languages_a_stored_text_lacks_come_from_the_shipped_text(app):
    stored = {"de": "Bitte tragen Sie eine Maske.", "en": "Masks, please."}
    with app.app_context():
        assert missing_shipped_versions(stored, SHIPPED) == {"ar": "يرجى ارتداء كمامة."}
        assert missing_shipped_versions({**stored, "ar": "كمامة من فضلكم."}, SHIPPED) == {}


@pytest.mark.portal_config({"languages": ["de", "en", "ar"]})
def test_a_version_staff_removed_is_kept_empty_and_not_shipped_again(app):
    stored = {"de": "Bitte tragen Sie eine Maske.", "en": "Please wear a mask.", "ar": "يرجى ارتداء كمامة.",
              "ps": "مهرباني وکړئ ماسک واغوندئ."}
    with app.app_context():
        edited = edited_texts(stored, {"de": "Bitte tragen Sie eine Maske.", "en": " Masks, please. ", "ar": "  "},
                              ["de", "en", "ar"])
        # Pashto is not among the form's languages: its version stays as it was.
        assert edited == {"de": "Bitte tragen Sie eine Maske.", "en": "Masks, please.", "ar": "",
                          "ps": "مهرباني وکړئ ماسک واغوندئ."}
        assert missing_shipped_versions(edited, SHIPPED) == {}
        # A language left blank that never had a version is not marked: a later release may ship one.
        assert edited_texts({"de": "Maske"}, {"de": "Maske", "en": ""}, ["de", "en"]) == {"de": "Maske"}
        assert edited_texts({"de": "Maske", "en": "Mask"}, {"en": ""}, ["en"]) == {"de": "Maske", "en": ""}


def test_a_text_staff_changed_in_the_source_language_gets_no_shipped_version(app):
    with app.app_context():
        assert missing_shipped_versions({"de": "Bitte tragen Sie eine FFP2-Maske."}, SHIPPED) == {}
        assert missing_shipped_versions({}, SHIPPED) == {}
        assert missing_shipped_versions({"de": "Bitte tragen Sie eine Maske."}, SHIPPED) == {
            "en": "Please wear a mask.", "ar": "يرجى ارتداء كمامة.", "ps": "مهرباني وکړئ ماسک واغوندئ."}


@pytest.mark.portal_config({"languages": ["de", "en", "ar"], "fallback_languages": ["en"]})
@pytest.mark.parametrize("lang, sentence", [
    ("de", "Die Oberfläche ist auf Deutsch geschrieben, die Inhalte auf Englisch."),
    ("ar", "الواجهة مكتوبة بالألمانية، والمحتوى باللغة الإنجليزية."),
])
def test_the_translation_report_names_the_source_language_of_the_content(staff_client, lang, sentence):
    page = staff_client("editor").get(f"/{lang}/staff/translations/")
    assert page.status_code == 200
    assert sentence in page.get_data(as_text=True)


def test_the_translation_report_says_once_that_interface_and_content_are_german(staff_client):
    page = staff_client("editor").get("/de/staff/translations/").get_data(as_text=True)
    assert "Beide sind auf Deutsch geschrieben." in page
    assert "die Inhalte auf" not in page


@pytest.mark.portal_config({"languages": ["de", "en", "ar"], "fallback_languages": ["en"]})
def test_a_text_without_the_source_language_is_shown_in_a_language_it_has(app):
    with app.test_request_context("/ar/"):
        # Saved while German was the source language: the office writes in English now.
        assert pick_translation({"de": "Maske tragen", "ps": "ماسک"}, "ar") == Translated("de", "Maske tragen", "ar")
        assert pick_translation({"ps": "ماسک"}, "ar") == Translated("ps", "ماسک", "ar")
        assert pick_translation({"en": "Masks", "de": "Masken"}, "ar") == Translated("en", "Masks", "ar")
        assert pick_translation({"de": "", "en": ""}, "ar") is None


@pytest.mark.portal_config({"plugins": ["hygiene", "interpreters"], "languages": ["de", "en", "ar"]})
def test_the_translation_report_names_areas_and_kinds_in_the_readers_words(app, staff_client, parse):
    app.test_cli_runner().invoke(args=["hygiene", "load-defaults"])
    tables = parse(staff_client("editor").get("/en/staff/translations/")).xpath("//table")
    interface, content = ([[cell.text_content().strip() for cell in row.xpath("td")[:3]]
                           for row in table.xpath("tbody/tr")] for table in tables)
    # Each language by its own name, as the language switch names it.
    assert ["Portal", "Interface", "العربية"] in interface and ["Language help", "Interface", "English"] in interface
    assert ["Hygiene rules", "Hygiene rules", "English"] in content
    assert ["Language help", "Glossary", "العربية"] in content


@pytest.mark.portal_config({"plugins": ["hygiene"], "languages": ["de", "en", "ar"]})
@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_translation_report_writes_shares_as_the_readers_language_does(app, staff_client, parse, lang):
    app.test_cli_runner().invoke(args=["hygiene", "load-defaults"])
    session = app.extensions["portal.db"].session
    with app.app_context():  # one rule loses its English text
        session.execute(text(
            "UPDATE hygiene_rule SET text = json_remove(text, '$.en') WHERE id = (SELECT min(id) FROM hygiene_rule)"
            if session.get_bind().dialect.name == "sqlite" else
            "UPDATE hygiene_rule SET text = (text::jsonb - 'en')::json WHERE id = (SELECT min(id) FROM hygiene_rule)"))
        rules = session.scalar(text("SELECT count(*) FROM hygiene_rule"))
        session.commit()
    share = f"{round(100 * (rules - 1) / rules, 1):g}"
    expected = {"de": share.replace(".", ",") + "\u00a0%", "en": share + "%"}[lang]
    rows = parse(staff_client("editor").get(f"/{lang}/staff/translations/")).xpath("//table")[1].xpath("tbody/tr")
    english = [row for row in rows if row.xpath("string(td[3])").strip() in ("Englisch", "English")]
    assert [row.xpath("string(td[5])").strip() for row in english] == [expected]
    assert english[0].xpath("string(td[4])").strip() == f"{rules - 1}\u00a0/\u00a0{rules}"


def test_a_translation_is_outdated_once_the_source_words_it_was_made_for_change(app):
    before = {"de": "Maske tragen.", "en": "Wear a mask."}
    with app.app_context():
        made = stamp_translations({}, before, {}, source_fingerprint("Maske tragen."))
        assert outdated_languages(made) == set()
        changed = stamp_translations(before, {**before, "de": "FFP2-Maske tragen."}, made,
                                     source_fingerprint("FFP2-Maske tragen."))
        assert outdated_languages(changed) == {"en"}
        adjusted = {"de": "FFP2-Maske tragen.", "en": "Wear an FFP2 mask."}
        assert outdated_languages(stamp_translations(
            {**before, "de": "FFP2-Maske tragen."}, adjusted, changed, source_fingerprint("FFP2-Maske tragen."))) \
            == set()


def test_a_translation_from_before_fingerprints_is_current_until_the_source_words_change(app):
    stored = {"de": "Maske tragen.", "en": "Wear a mask."}
    unknown = {"de": None, "en": None}
    with app.app_context():
        fingerprint = source_fingerprint("Maske tragen.")
        # A save that leaves the source words alone cannot tell: the translation stays current.
        assert outdated_languages(stamp_translations(stored, {**stored, "en": "Wear a mask."}, unknown,
                                                     fingerprint)) == set()
        changed = stamp_translations(stored, {**stored, "de": "FFP2-Maske tragen."}, unknown,
                                     source_fingerprint("FFP2-Maske tragen."))
        assert outdated_languages(changed) == {"en"}
        # Still outdated after a later save that changes something else.
        again = stamp_translations({**stored, "de": "FFP2-Maske tragen."}, {**stored, "de": "FFP2-Maske tragen.",
                                                                            "fr": "Masque FFP2."}, changed,
                                   source_fingerprint("FFP2-Maske tragen."))
        assert outdated_languages(again) == {"en"}


@pytest.mark.parametrize(("lang", "width", "shown"), [
    ("ps", "full", "دوشنبه، 14 دسمبر 2026"),
    ("ckb", "full", "دووشەممە، 14 کانونی یەکەم 2026"),
    ("ckb", "medium", "14 کانونی یەکەم 2026"),
    ("de", "full", "Montag, 14. Dezember 2026"),
])
def test_dates_read_in_order_with_the_language_s_own_commas(app, lang, width, shown):
    with app.test_request_context(), force_locale(lang):
        assert render_template_string("{{ day|date(width) }}", day=date(2026, 12, 14), width=width) == shown


def test_a_name_is_marked_where_the_translation_quotes_it_word_for_word_from_the_source_text(app):
    source = "Eine Bescheinigung der Deutschen Rentenversicherung (DRV) und das Zusatzblatt"
    with app.test_request_context("/ar/"):
        def marked(text: str) -> str:
            return str(mark_source_names(text, "ar", source))

        assert marked("شهادة (Deutsche Rentenversicherung)") == (
            'شهادة (<bdi lang="de" dir="ltr">Deutsche Rentenversicherung</bdi>)')
        assert marked("«\u00a0Zusatzblatt\u00a0» و (DRV)") == (
            '«\u00a0<bdi lang="de" dir="ltr">Zusatzblatt</bdi>\u00a0» و (<bdi lang="de" dir="ltr">DRV</bdi>)')
        # Words the source text does not have, words glued to a bracket, numbers: the translation's own.
        for own in ("(Blue Card)", "(Deutsche Rente)", "Zusatz(blatt)", "(2025)", "(Rentenversicherung Deutsche)"):
            assert marked(own) == own
        assert marked("<b>(Zusatzblatt)</b>") == '&lt;b&gt;(<bdi lang="de" dir="ltr">Zusatzblatt</bdi>)&lt;/b&gt;'
        # A text in the source language, or one without a source text, has no names of another language.
        assert str(mark_source_names("(Zusatzblatt)", "de", source)) == "(Zusatzblatt)"
        assert str(mark_source_names("(Zusatzblatt)", "ar", "")) == "(Zusatzblatt)"
