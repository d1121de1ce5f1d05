"""An office writing in another language than German names that language for the letter's first page."""

import pytest


@pytest.fixture(scope="module")
def portal_config():
    return {"plugins": ["naturalisation"], "languages": ["de", "en", "tr"], "default_language": "en",
            "fallback_languages": ["en"]}


@pytest.mark.parametrize("lang, only, hint", [
    ("en", "English only", "The letter is always in English; a translation goes on a second page."),
    ("de", "Nur Englisch", "Das Schreiben ist immer auf Englisch; eine Übersetzung kommt auf eine zweite Seite."),
])
def test_the_case_form_names_the_source_language(staff_client, parse, lang, only, hint):
    form = parse(staff_client("caseworker").get(f"/{lang}/staff/naturalisation/cases/new"))
    options = form.xpath("//select[@name='letter_language']/option")
    choices = [(option.get("value"), option.text_content()) for option in options]
    assert choices[0] == ("", only)
    assert [value for value, _ in choices[1:]] == ["de", "tr"]
    assert hint in form.xpath("string(//main)")
