"""An office without German on its site writes its checklists in the first fallback language, and every page says so."""

import pytest
from portal_plugins.checklists.checklist import translation_status
from portal_plugins.checklists.models import Service
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.testing import sign_in

SLUG = "residence-permit-extension"
TITLE = "Extending your residence permit"


@pytest.fixture(scope="module")
def portal_config():
    return {"plugins": ["checklists"], "languages": ["tr", "en", "ar"], "default_language": "en",
            "fallback_languages": ["en"]}


@pytest.fixture
def editor(app, make_staff):
    client = app.test_client()
    sign_in(client, make_staff("editor"), lang="en")
    return client


def test_staff_pages_show_the_texts_of_the_source_language(editor, defaults, form_values, parse):
    new = form_values(editor.get("/en/staff/checklists/services/new"))
    new.setlist("slug", ["parking-permit"])
    new.setlist("title", ["Parking permit"])
    assert editor.post("/en/staff/checklists/services/new", data=new).status_code == 302
    listed = [cell.text_content() for cell in parse(editor.get("/en/staff/checklists/")).xpath("//td")]
    assert TITLE in listed and "Parking permit" in listed

    assert TITLE in parse(editor.get(f"/en/staff/checklists/services/{SLUG}/edit")).findtext(".//h1")
    assert TITLE in parse(editor.get(f"/en/staff/checklists/services/{SLUG}/versions")).findtext(".//h1")

    translate = parse(editor.get(f"/en/staff/checklists/services/{SLUG}/translations/tr"))
    assert TITLE in translate.xpath("string(//h1)")
    source_hints = translate.xpath("//form//*[@lang='en']")
    assert TITLE in [hint.text_content() for hint in source_hints]
    assert all(hint.get("dir") == "ltr" for hint in source_hints)
    assert "English: " in translate.xpath("string(//form[contains(@class, 'checklists-edit')])")
    assert not translate.xpath("//form//*[@lang='de']")


def test_the_bilingual_print_pairs_the_source_language_with_the_visitors(client, defaults, parse):
    turkish = parse(client.get(f"/tr/checklists/{SLUG}"))
    button = turkish.xpath("//a[contains(@href, '/print')]")[0]
    assert button.text_content() == "İki dilde yazdır: İngilizce ve Türkçe"

    english = parse(client.get(f"/en/checklists/{SLUG}"))
    assert english.xpath("//p[@class='hint'][. = 'Bilingual print view (English and a second language):']")
    offered = [link.get("hreflang") for link in english.xpath("//ul[@class='checklists-languages']//a")]
    assert offered == ["tr", "ar"]
    printed = parse(client.get(f"/tr/checklists/{SLUG}/print"))
    assert {cell.get("lang") for cell in printed.xpath("//*[@lang]") if cell.get("lang") in ("en", "de")} == {"en"}


def test_item_names_in_a_comparison_are_marked_as_the_source_language(editor, defaults, form_values, parse):
    edit = f"/en/staff/checklists/services/{SLUG}/edit"
    values: MultiDict = form_values(editor.get(edit))
    first_text = next(name for name in values if name.endswith("-text"))
    values.setlist(first_text, [values[first_text] + " (originals)"])
    assert editor.post(edit, data=values).status_code == 302
    comparison = parse(editor.get(f"/en/staff/checklists/services/{SLUG}/compare?a=1&b=2"))
    names = comparison.xpath("//section[contains(@class, 'checklists-diff-item')]//h3/span[@lang]")
    assert names and {name.get("lang") for name in names} == {"en"}


def test_notes_and_hints_name_the_source_language(editor, client, defaults, form_values, parse):
    assert "Texts in English" in [heading.text_content() for heading in
                                  parse(editor.get(f"/en/staff/checklists/services/{SLUG}/edit")).xpath("//h2")]
    translate = f"/en/staff/checklists/services/{SLUG}/translations/tr"
    values: MultiDict = form_values(editor.get(translate))
    assert "Visitors see empty fields in English, with a note." in editor.get(translate).get_data(as_text=True)
    values.setlist("title", [""])
    assert editor.post(translate, data=values).status_code == 302

    turkish = parse(client.get(f"/tr/checklists/{SLUG}"))
    assert turkish.findtext(".//h1") == TITLE
    assert turkish.xpath("string(//p[@class='fallback-note'])") == (
        "Bazı metinler henüz sizin dilinizde yok. Bunlar burada İngilizce gösteriliyor.")
    printed = parse(client.get(f"/tr/checklists/{SLUG}/print"))
    assert "Bu görünüm listeyi İngilizce ve sizin dilinizde yan yana gösterir." in printed.xpath("string(//main)")
    # Leichte Sprache is German whatever the source language, and its link says so; nothing else names German.
    pages = turkish.xpath("string(//main)") + printed.xpath("string(//main)")
    assert "Almanca" not in pages.replace("Kolay dil (Almanca)", "")


def test_a_title_saved_before_the_source_language_changed_shows_on_staff_pages(editor, defaults, data, parse):
    def written_in_turkish(session):
        service = session.scalars(select(Service).filter_by(slug=SLUG)).one()
        service.content = {**service.content, "title": {"tr": "Oturma izninin uzatılması"}}

    data(written_in_turkish)
    listed = [cell.text_content() for cell in parse(editor.get("/en/staff/checklists/")).xpath("//td")]
    assert "Oturma izninin uzatılması" in listed
    # Marked as Turkish on the English page, for screen readers to speak it so.
    index = parse(editor.get("/en/staff/checklists/"))
    assert index.xpath("//td/bdi[@lang='tr']/text()") == ["Oturma izninin uzatılması"]
    translate = parse(editor.get(f"/en/staff/checklists/services/{SLUG}/translations/ar"))
    assert [hint.text_content() for hint in translate.xpath("//form//*[@lang='tr']")] == ["Oturma izninin uzatılması"]
    assert "Turkish: " in translate.xpath("string(//form[contains(@class, 'checklists-edit')])")


def test_a_text_saved_before_the_source_language_changed_counts_as_missing_in_it(app, defaults, data):
    def written_in_turkish(session):
        service = session.scalars(select(Service).filter_by(slug=SLUG)).one()
        service.content = {**service.content, "title": {"tr": "Oturma izninin uzatılması"}}

    with app.test_request_context("/en/"):
        before = {entry.lang: (entry.translated, entry.total) for entry in translation_status()}
    data(written_in_turkish)
    with app.test_request_context("/en/"):
        after = {entry.lang: (entry.translated, entry.total) for entry in translation_status()}
    english, total = before["en"]
    assert english == total and after["en"] == (total - 1, total)
    assert after["tr"] == before["tr"]
