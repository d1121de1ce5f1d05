"""An office that writes in English while its site opens in German: English is required, shown and marked."""

import pytest

from portal.testing import csrf_token

NEW = "/de/staff/notices/new"


@pytest.fixture(scope="module")
def portal_config():
    return {"plugins": ["notices"], "languages": ["de", "en", "tr"], "default_language": "de",
            "fallback_languages": ["en"], "office": {"name": "Migration Office"}}


def notice_form(editor, **texts) -> dict:
    return {"csrf_token": csrf_token(editor, NEW), "category": "opening", "priority": "normal",
            "starts_at": "2026-01-05T08:00", "ends_at": "", "action": "publish", **texts}


def test_the_source_language_is_required_first_and_shown_where_a_language_is_missing(staff_client, client, parse):
    editor = staff_client("editor")
    form = parse(editor.get(NEW))
    assert [field.get("name") for field in form.xpath("//input[starts-with(@name, 'titles-')]")] == [
        "titles-en", "titles-de", "titles-tr"]
    refused = editor.post(NEW, data=notice_form(editor, **{"titles-de": "Wieder geöffnet", "bodies-de": "Mit Termin."}))
    assert refused.status_code == 422 and "Bitte geben Sie einen Titel ein." in refused.get_data(as_text=True)
    saved = editor.post(NEW, data=notice_form(editor, **{"titles-en": "Open again", "bodies-en": "By appointment."}))
    assert saved.status_code == 302
    assert "Open again" in parse(editor.get("/de/staff/notices/")).xpath("string(//table)")

    turkish = parse(client.get("/tr/notices/"))
    title = turkish.xpath("//main//h2[contains(., 'Open again')]")[0]
    assert (title.get("lang"), title.get("dir")) == ("en", "ltr")
    assert turkish.xpath("//*[contains(@class, 'fallback-note')]")


def test_names_the_office_wrote_are_marked_as_its_source_language(client, parse):
    names = parse(client.get("/de/")).xpath("//*[normalize-space(text()) = 'Migration Office']")
    # The brand in the header, the heading of the home page and the footer.
    assert len(names) == 3 and {name.get("lang") for name in names} == {"en"}


def test_a_notice_saved_in_german_before_the_office_wrote_in_english_keeps_its_title(staff_client, make_notice,
                                                                                     parse):
    notice_id = make_notice({"de": ("Wieder geöffnet", "Nur mit Termin.")})
    editor = staff_client("editor")
    for path in ("/de/staff/notices/", "/de/staff/notices/languages", f"/de/staff/notices/{notice_id}/delete"):
        assert "Wieder geöffnet" in parse(editor.get(path)).xpath("string(//main)"), path
