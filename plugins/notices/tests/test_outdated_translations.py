"""A translation made for source words changed since is not shown as current: visitors read the new source text."""

import re

from .test_staff import NEW, edit_url, form_data

GERMAN_NOW = "Ab Montag nur mit Termin: Rathausstraße 2."


def _create(editor) -> int:
    response = editor.post(NEW, data=form_data(
        editor, NEW, starts_at="2026-01-05T08:00", title_de="Umzug", body_de="Ab Montag: Wacker Hof.",
        title_ar="انتقال", body_ar="اعتبارًا من الاثنين: فاكر هوف.", action="publish"))
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _save(editor, notice_id, form_values, **changes):
    values = form_values(editor.get(edit_url(notice_id)))
    for name, value in changes.items():
        values.setlist(name, [value])
    values.setlist("action", ["save"])
    assert editor.post(edit_url(notice_id), data=values).status_code == 302


def test_a_changed_source_text_sends_readers_of_its_translations_to_it_until_they_are_adjusted(
        staff_client, client, form_values, parse):
    editor = staff_client("editor")
    notice_id = _create(editor)
    assert "فاكر هوف" in client.get(f"/ar/notices/{notice_id}").get_data(as_text=True)

    _save(editor, notice_id, form_values, **{"bodies-de": GERMAN_NOW})
    page = parse(client.get(f"/ar/notices/{notice_id}"))
    body = page.xpath("//div[contains(@class, 'notices-item__body')]")[0]
    assert body.get("lang") == "de" and GERMAN_NOW in body.text_content()
    assert "فاكر هوف" not in page.text_content()
    assert page.xpath("//p[@class='fallback-note']")[0].text_content().strip() == (
        "تم تعديل هذا الإشعار، ويجري الآن تحديث ترجمته. حتى ذلك الحين يُعرض هنا باللغة: الألمانية.")
    for address in ("/ar/notices/", "/ar/", "/ar/notices/feed.atom"):  # the kept notices of home and banner too
        shown = client.get(address).get_data(as_text=True)
        assert GERMAN_NOW in shown and "فاكر هوف" not in shown, address
    # Staff see which translation to adjust, on the form and in the languages' table.
    form = parse(editor.get(edit_url(notice_id)))
    assert "Arabisch" in form.xpath("string(//p[@class='notices-outdated'])")
    assert "anzupassen" in form.xpath("string(//details[.//textarea[@name='bodies-ar']]/summary)")
    table = parse(editor.get("/de/staff/notices/languages"))
    codes = [header.text_content() for header in table.xpath("//thead//abbr")]
    cells = dict(zip(codes, (cell.text_content() for cell in table.xpath("//tbody/tr[1]/td")), strict=False))
    assert (cells["de"], cells["ar"], cells["tr"]) == ("✓vorhanden", "anzupassen", "fehlt")

    _save(editor, notice_id, form_values, **{"bodies-ar": "اعتبارًا من الاثنين بموعد فقط."})
    page = client.get(f"/ar/notices/{notice_id}").get_data(as_text=True)
    assert "بموعد فقط" in page and "fallback-note" not in page
    assert "notices-outdated" not in editor.get(edit_url(notice_id)).get_data(as_text=True)


def test_a_corrected_typing_error_keeps_the_translations_current_when_staff_say_so(
        staff_client, client, form_values):
    editor = staff_client("editor")
    notice_id = _create(editor)
    _save(editor, notice_id, form_values, **{"bodies-de": "Ab Montag: Wacker-Hof.", "translations_still_fit": "y"})
    page = client.get(f"/ar/notices/{notice_id}").get_data(as_text=True)
    assert "فاكر هوف" in page and "fallback-note" not in page
    # The box is a statement about one save, never kept for the next.
    assert 'name="translations_still_fit" checked' not in editor.get(edit_url(notice_id)).get_data(as_text=True)


def test_the_demo_notices_translations_are_outdated_once_their_german_text_changes(
        app, staff_client, client, form_values):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    editor = staff_client("editor")
    listing = editor.get("/de/staff/notices/").get_data(as_text=True)
    notice_id = int(re.search(r"/de/staff/notices/(\d+)\"", listing).group(1))
    _save(editor, notice_id, form_values, **{"bodies-de": GERMAN_NOW})
    assert GERMAN_NOW in client.get(f"/en/notices/{notice_id}").get_data(as_text=True)
