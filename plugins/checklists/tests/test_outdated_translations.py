"""A translation made for source words changed since is not shown: visitors read the new source text until it fits."""

from portal_plugins.checklists.models import Question
from sqlalchemy import select

from .test_staff import EDIT, PAYSLIPS, SLUG, content, item_prefix, replace, versions

THREE_MONTHS = "Ihre Gehaltsabrechnungen der letzten drei Monate"
ARABIC_SIX_MONTHS = "كشوف راتبكم لآخر ستة أشهر"
ARABIC_THREE_MONTHS = "كشوف راتبكم لآخر ثلاثة أشهر"
TRANSLATE_AR = f"/de/staff/checklists/services/{SLUG}/translations/ar"
PUBLIC_AR = f"/ar/checklists/{SLUG}"


def _change_payslips(editor, form_values, **extra):
    values = form_values(editor.get(EDIT))
    values = replace(values, {item_prefix(values, PAYSLIPS) + "text": THREE_MONTHS, **extra})
    assert editor.post(EDIT, data=values).status_code == 302


def _shown(client, parse, address=PUBLIC_AR):
    """Return the checklist's item labels as (language of the text, text)."""
    page = parse(client.get(address))
    return [(label.xpath("string(./span/@lang)") or "ar", label.text_content().strip())
            for label in page.xpath("//ul//label")], bool(page.xpath("//p[@class='fallback-note']"))


def test_a_changed_item_is_shown_in_german_until_its_translation_is_adjusted(staff_client, defaults, data,
                                                                            form_values, client, parse):
    editor = staff_client("editor")
    labels, fallback = _shown(client, parse)
    assert ("ar", ARABIC_SIX_MONTHS) in labels and not fallback

    _change_payslips(editor, form_values)
    labels, fallback = _shown(client, parse)
    assert ("de", THREE_MONTHS) in labels and ARABIC_SIX_MONTHS not in dict(labels).values() and fallback
    # The other items keep their Arabic: only the changed one was made for other words.
    assert sum(1 for lang, _text in labels if lang == "de") == 1
    printed = client.get(f"/ar/checklists/{SLUG}/print").get_data(as_text=True)
    assert printed.count(THREE_MONTHS) == 2 and ARABIC_SIX_MONTHS not in printed

    # Staff see what to adjust: in the list of languages, on the translation page and its field.
    edit = parse(editor.get(EDIT))
    # The item's text and its hint, translated together.
    assert edit.xpath("string(//li[a[contains(@href, '/translations/ar')]])").endswith("Texten, 2 anzupassen")
    page = parse(editor.get(TRANSLATE_AR))
    assert page.xpath("//p[@class='callout']")
    field = page.xpath(f"//input[@value='{ARABIC_SIX_MONTHS}']")[0]
    assert "anzupassen" in page.xpath(f"string(//p[@id='{field.get('id')}-hint'])")
    assert len(page.xpath("//p[@class='hint'][strong]")) == 2

    values = form_values(editor.get(TRANSLATE_AR))
    name = next(name for name, value in values.items(multi=True) if value == ARABIC_SIX_MONTHS)
    assert editor.post(TRANSLATE_AR, data=replace(values, {name: ARABIC_THREE_MONTHS})).status_code == 302
    labels, fallback = _shown(client, parse)
    assert ("ar", ARABIC_THREE_MONTHS) in labels and not fallback
    assert not parse(editor.get(TRANSLATE_AR)).xpath("//p[@class='callout']")
    # Other languages still wait for theirs.
    labels, _fallback = _shown(client, parse, f"/en/checklists/{SLUG}")
    assert ("de", THREE_MONTHS) in labels


def test_a_corrected_typing_error_keeps_the_translations_when_staff_say_so(staff_client, defaults, data,
                                                                          form_values, client, parse):
    editor = staff_client("editor")
    _change_payslips(editor, form_values, translations_still_fit="y")
    labels, fallback = _shown(client, parse)
    assert ("ar", ARABIC_SIX_MONTHS) in labels and not fallback
    assert "anzupassen" not in editor.get(EDIT).get_data(as_text=True)


def test_a_translator_may_confirm_that_a_marked_translation_still_fits(staff_client, defaults, data, form_values,
                                                                      client, parse):
    editor = staff_client("editor")
    _change_payslips(editor, form_values)
    values = form_values(editor.get(TRANSLATE_AR))
    assert editor.post(TRANSLATE_AR, data=replace(values, {"marked_still_fit": "y"})).status_code == 302
    assert versions(data)[0][1:3] == ("translated", "ar")
    labels, fallback = _shown(client, parse)
    assert ("ar", ARABIC_SIX_MONTHS) in labels and not fallback
    # Confirmed for Arabic only.
    assert ("de", THREE_MONTHS) in _shown(client, parse, f"/en/checklists/{SLUG}")[0]
    assert any(item.get("written_for") for item in content(data)["items"])


def test_a_changed_question_is_asked_in_german_until_its_translation_is_adjusted(staff_client, defaults, data,
                                                                                form_values, client, parse):
    editor = staff_client("editor")
    key = data(lambda session: session.scalars(select(Question).order_by(Question.position)).first().key)
    url = f"/de/staff/checklists/questions/{key}/edit"
    values = form_values(editor.get(url))
    arabic = values["text-ar"]
    assert arabic in client.get(PUBLIC_AR).get_data(as_text=True)
    changed = values["text-de"].rstrip("?") + " (auch befristet)?"
    assert editor.post(url, data=replace(values, {"text-de": changed})).status_code == 302
    page = client.get(PUBLIC_AR).get_data(as_text=True)
    assert changed in page and arabic not in page
    form = parse(editor.get(url))
    assert "Arabisch" in form.xpath("string(//p[@class='callout'])")
    assert "anzupassen" in form.xpath("string(//legend[@lang='ar'])")

    values = form_values(editor.get(url))
    assert editor.post(url, data=replace(values, {"text-de": changed.replace("auch", "gern"),
                                                  "translations_still_fit": "y"})).status_code == 302
    assert arabic in client.get(PUBLIC_AR).get_data(as_text=True)
