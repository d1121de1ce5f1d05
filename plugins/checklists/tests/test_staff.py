import json

import pytest
from portal_plugins.checklists.models import Question, Service, ServiceVersion
from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict

from portal.testing import audit_log, sent_twice

SLUG = "residence-permit-extension"
EDIT = f"/de/staff/checklists/services/{SLUG}/edit"
PAYSLIPS = "Ihre Gehaltsabrechnungen der letzten sechs Monate"


def service(session, slug: str = SLUG) -> Service:
    return session.scalars(select(Service).filter_by(slug=slug)).one()


def content(data, slug: str = SLUG) -> dict:
    return data(lambda session: service(session, slug).content)


def versions(data, slug: str = SLUG) -> list[tuple[int, str, str, str]]:
    """Return (number, action, detail, author) of each version, newest first."""
    return data(lambda session: [(v.number, v.action, v.detail, v.created_by) for v in service(session, slug).versions])


def replace(values: MultiDict, changes: dict[str, str]) -> MultiDict:
    """Return form values with some fields set (added when the form had no such field)."""
    result = values.copy()
    for name, value in changes.items():
        result.setlist(name, [value])
    return result


def without(values: MultiDict, *names: str) -> MultiDict:
    """Return form values without some fields, as when a checkbox is not ticked."""
    result = values.copy()
    for name in names:
        result.poplist(name)
    return result


def item_prefix(values: MultiDict, text: str) -> str:
    """Return the field prefix (items-N-) of the item whose German text is `text`."""
    name = next(name for name, value in values.items(multi=True) if name.endswith("-text") and value == text)
    return name[: -len("text")]


def test_edit_saves_a_new_version_with_author_and_audit(staff_client, defaults, data, form_values, parse):
    editor = staff_client("editor")
    values = form_values(editor.get(EDIT))
    payslips = item_prefix(values, PAYSLIPS)
    values = replace(values, {
        payslips + "text": "Ihre Gehaltsabrechnungen der letzten drei Monate",
        payslips + "condition": "",
        "items-12-text": "Ihr Nachweis über einen Integrationskurs",
        "items-12-condition": "married",
    })
    response = editor.post(EDIT, data=values)
    assert response.status_code == 302
    saved = content(data)
    items = {item["text"]["de"]: item for item in saved["items"]}
    changed = items["Ihre Gehaltsabrechnungen der letzten drei Monate"]
    assert changed["condition"] is None
    # Translations stay with the item when its German text changes.
    assert changed["text"]["ar"] == "كشوف راتبكم لآخر ستة أشهر"
    assert items["Ihr Nachweis über einen Integrationskurs"]["condition"] == "married"
    number, action, _detail, author = versions(data)[0]
    assert (number, action) == (2, "edited") and author.startswith("editor-")
    assert data(lambda session: session.scalars(select(ServiceVersion).filter_by(number=2)).one().content) == saved
    audit = data(lambda session: session.execute(text(
        "SELECT action, before, after FROM core_audit_entry WHERE target_type = 'checklists_service'")).all())
    # Raw SQL gives JSON back parsed on PostgreSQL and as text on SQLite.
    parsed = [(action, *(value if isinstance(value, dict) else json.loads(value) for value in (before, after)))
              for action, before, after in audit]
    assert parsed == [("edited", {"version": 1}, {"version": 2})]


def test_removing_an_item_and_hiding_the_checklist(staff_client, defaults, data, form_values, client):
    editor = staff_client("editor")
    values = form_values(editor.get(EDIT))
    payslips = item_prefix(values, PAYSLIPS)
    values = replace(without(values, "published"), {payslips + "remove": "y"})
    assert editor.post(EDIT, data=values).status_code == 302
    saved = content(data)
    assert PAYSLIPS not in [item["text"]["de"] for item in saved["items"]]
    assert saved["published"] is False
    assert client.get(f"/de/checklists/{SLUG}").status_code == 404


def test_saving_without_changes_makes_no_version(staff_client, defaults, data, form_values):
    editor = staff_client("editor")
    assert editor.post(EDIT, data=form_values(editor.get(EDIT))).status_code == 302
    assert len(versions(data)) == 1


def test_invalid_input_is_refused_with_every_error_in_one_answer(staff_client, defaults, data, form_values, parse):
    editor = staff_client("editor")
    values = form_values(editor.get(EDIT))
    payslips = item_prefix(values, PAYSLIPS)
    payslips_number = int(payslips.split("-")[1]) + 1
    values = replace(values, {"title": "", "items-0-condition": "x", "items-2-position": "1000", payslips + "text": "",
                              "items-12-hint": "Ein Hinweis ohne Unterlage", "items-13-condition": "married"})
    response = editor.post(EDIT, data=values)
    assert response.status_code == 422
    tree = parse(response)
    # The form's own checks and those of the rows answer together, not one round after the other.
    errors = {error.get("id"): error.text_content() for error in tree.xpath("//p[@class='error']")}
    assert set(errors) == {"title-error", "items-0-condition-error", "items-2-position-error",
                           f"{payslips}text-error", "items-12-text-error", "items-13-text-error"}
    # An emptied item may be removed; a new row has nothing to remove: it needs the name, or nothing at all.
    assert errors[f"{payslips}text-error"] == "Bitte nennen Sie die Unterlage, oder kreuzen Sie „entfernen“ an."
    assert errors["items-12-text-error"] == errors["items-13-text-error"] == (
        "Bitte nennen Sie die Unterlage, zu der diese Angaben gehören. Soll die Zeile nichts hinzufügen, lassen Sie "
        "sie ganz leer.")
    # The summary names the item of each error and leads to its field.
    summary = {link.get("href"): link.text_content().split(":")[0]
               for link in tree.xpath("//div[@id='error-summary']//a")}
    assert summary == {"#title": "Titel", "#items-0-condition": "Unterlage 1 – Gilt für",
                       "#items-2-position": "Unterlage 3 – Reihenfolge",
                       f"#{payslips}text": f"Unterlage {payslips_number} – Bezeichnung",
                       "#items-12-text": "Neue Unterlage 1 – Bezeichnung",
                       "#items-13-text": "Neue Unterlage 2 – Bezeichnung"}
    # Beside the row's legend the label shows the field's name; the row's is there for screen readers.
    position = tree.xpath("//fieldset[legend='Unterlage 3']//label[@for='items-2-position']")[0]
    assert position.xpath("string(span[@class='visually-hidden'])") == "Unterlage 3 – "
    assert position.text_content() == "Unterlage 3 – Reihenfolge"
    assert tree.xpath("//fieldset[.//input[@name='items-13-text']]/legend")[0].text_content() == "Neue Unterlage 2"
    # What the editor typed is still in the form.
    assert tree.xpath("//textarea[@name='items-12-hint']")[0].text_content().strip() == "Ein Hinweis ohne Unterlage"
    assert len(versions(data)) == 1

    values = replace(values, {"title": "Verlängerung", "items-0-condition": "", "items-2-position": "3",
                              payslips + "remove": "y", "items-12-text": "Ein Nachweis", "items-13-condition": ""})
    assert editor.post(EDIT, data=values).status_code == 302
    saved = [item["text"]["de"] for item in content(data)["items"]]
    assert "Ein Nachweis" in saved and PAYSLIPS not in saved and len(saved) == 12


def test_wtforms_messages_in_a_row_speak_the_page_s_language(staff_client, defaults, form_values):
    editor = staff_client("editor")
    response = editor.post(EDIT, data=replace(form_values(editor.get(EDIT)), {"items-0-position": "0"}))
    assert response.status_code == 422
    assert "Bitte geben Sie eine Zahl von 1 bis 999 ein." in response.get_data(as_text=True)


def test_translation_is_saved_as_a_version_and_empty_fields_fall_back(app, staff_client, defaults, data, form_values,
                                                                     client, parse):
    editor = staff_client("editor")
    url = f"/de/staff/checklists/services/{SLUG}/translations/ar"
    page = editor.get(url)
    tree = parse(page)
    title_input = tree.xpath("//input[@name='title']")[0]
    assert (title_input.get("lang"), title_input.get("dir")) == ("ar", "rtl")
    values = form_values(page)
    payslips = next(name for name, value in values.items(multi=True) if value == "كشوف راتبكم لآخر ستة أشهر")
    values = replace(values, {"title": "تجديد الإقامة", payslips: ""})
    response = editor.post(url, data=values)
    assert response.status_code == 422
    assert "nicht nur den Hinweis" in response.get_data(as_text=True)
    values = replace(values, {payslips.replace("-text", "-hint"): ""})
    assert editor.post(url, data=values).status_code == 302
    assert content(data)["title"]["ar"] == "تجديد الإقامة"
    assert versions(data)[0][:3] == (2, "translated", "ar")
    translated = audit_log(staff_client("admin"), "en")[0]
    assert translated.what.startswith("Checklist translation changed ") and translated.summary == SLUG
    assert translated.changes == ["Version | Before: 1 | After: 2", "Translation | After: Arabic"]
    public = parse(client.get(f"/ar/checklists/{SLUG}"))
    assert public.xpath("//p[@class='fallback-note']")
    assert public.xpath(f"//label/span[@lang='de'][contains(., '{PAYSLIPS}')]")
    # The shipped translation staff removed does not come back with the next load of the defaults.
    loaded = app.test_cli_runner().invoke(args=["checklists", "load-defaults"]).output
    assert "shipped translations added to stored texts: 0" in loaded
    assert next(item for item in content(data)["items"] if item["text"]["de"] == PAYSLIPS)["text"]["ar"] == ""


def test_a_translation_with_wrong_fields_and_rows_names_them_all_at_once(staff_client, defaults, data, form_values,
                                                                         parse):
    editor = staff_client("editor")
    url = f"/de/staff/checklists/services/{SLUG}/translations/ar"
    values = replace(form_values(editor.get(url)), {"title": "ع" * 151, "items-0-text": ""})
    response = editor.post(url, data=values)
    assert response.status_code == 422
    summary = {link.get("href"): link.text_content().split(":")[0]
               for link in parse(response).xpath("//div[@id='error-summary']//a")}
    assert summary == {"#title": "Titel", "#items-0-text": "Unterlage 1 – Bezeichnung"}
    assert len(versions(data)) == 1


def test_a_translation_page_marks_its_fields_with_the_language_tag(staff_client, defaults, parse):
    tree = parse(staff_client("editor").get(f"/de/staff/checklists/services/{SLUG}/translations/fa_AF"))
    fields = tree.xpath("//form//input[@lang] | //form//textarea[@lang]")
    assert len(fields) > 2 and {(field.get("lang"), field.get("dir")) for field in fields} == {("fa-AF", "rtl")}


def test_compare_shows_what_changed_word_by_word(staff_client, defaults, data, form_values, parse):
    editor = staff_client("editor")
    values = form_values(editor.get(EDIT))
    payslips = item_prefix(values, PAYSLIPS)
    values = replace(values, {payslips + "text": "Ihre Gehaltsabrechnungen der letzten drei Monate",
                              "items-12-text": "Ein Nachweis über Ihre Deutschkenntnisse"})
    values = replace(values, {item_prefix(values, "Ihr Mietvertrag") + "remove": "y"})
    assert editor.post(EDIT, data=values).status_code == 302
    response = editor.get(f"/de/staff/checklists/services/{SLUG}/compare?a=2&b=1")
    assert response.status_code == 200
    tree = parse(response)
    changed = tree.xpath("//section[contains(@class, 'diff-item--changed')]")[0]
    assert [node.text_content() for node in changed.xpath(".//del")] == ["gelöscht: sechs"]
    assert [node.text_content() for node in changed.xpath(".//ins")] == ["neu: drei"]
    added = tree.xpath("//section[contains(@class, 'diff-item--added')]//h3")[0].text_content()
    assert "Ein Nachweis über Ihre Deutschkenntnisse" in added
    removed = tree.xpath("//section[contains(@class, 'diff-item--removed')]//h3")[0].text_content()
    assert "Ihr Mietvertrag" in removed


def test_restore_brings_an_old_version_back_as_a_new_one(staff_client, defaults, data, form_values):
    editor = staff_client("editor")
    original = content(data)
    values = replace(form_values(editor.get(EDIT)), {"title": "Aufenthaltserlaubnis verlängern"})
    editor.post(EDIT, data=values)
    assert content(data)["title"]["de"] == "Aufenthaltserlaubnis verlängern"
    versions_page = editor.get(f"/de/staff/checklists/services/{SLUG}/versions")
    # The shipped first version is the portal's own, named in words.
    assert "<td>Portal (automatisch)</td>" in versions_page.get_data(as_text=True)
    token = versions_page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = editor.post(f"/de/staff/checklists/services/{SLUG}/versions/1/restore",
                           data={"csrf_token": token, "version": "2"})
    assert response.status_code == 302
    assert content(data) == original
    assert versions(data)[0][:3] == (3, "restored", "1")
    restored = audit_log(staff_client("admin"), "en")[0]
    assert restored.what.startswith("Earlier version of the checklist restored ")
    assert restored.changes == ["Version | Before: 2 | After: 3", "Restored version | After: 1"]
    # The restore was based on version 2; a second click on the stale page changes nothing.
    editor.post(f"/de/staff/checklists/services/{SLUG}/versions/2/restore", data={"csrf_token": token, "version": "2"})
    assert len(versions(data)) == 3
    assert "inzwischen geändert" in editor.get(f"/de/staff/checklists/services/{SLUG}/versions").get_data(as_text=True)


def test_second_editor_gets_a_conflict_and_keeps_their_input(staff_client, defaults, data, form_values, parse):
    first, second = staff_client("editor"), staff_client("editor")
    first_values = form_values(first.get(EDIT))
    second_values = form_values(second.get(EDIT))
    assert first.post(EDIT, data=replace(first_values, {"title": "Titel der ersten Person"})).status_code == 302
    response = second.post(EDIT, data=replace(second_values, {"summary": "Beschreibung der zweiten Person"}))
    assert response.status_code == 409
    tree = parse(response)
    alert = tree.xpath("//section[@role='alert']")[0].text_content()
    assert "Version 2" in alert and "nicht verloren" in alert and "Titel der ersten Person" in alert
    assert tree.xpath("//textarea[@name='summary']")[0].text_content().strip() == "Beschreibung der zweiten Person"
    assert tree.xpath("//input[@name='version']")[0].get("value") == "2"
    assert content(data)["title"]["de"] == "Titel der ersten Person"
    # Saving again, after reading the message, goes over the first person's version.
    assert second.post(EDIT, data=form_values(response)).status_code == 302
    assert len(versions(data)) == 3
    assert content(data)["summary"]["de"] == "Beschreibung der zweiten Person"


def test_a_colleague_saving_between_check_and_write_gives_a_conflict(staff_client, defaults, data, form_values,
                                                                     parse, colleague_saves_first):
    editor = staff_client("editor")
    values = replace(form_values(editor.get(EDIT)), {"summary": "Meine Beschreibung"})

    def colleague(session):
        stored = service(session)
        stored.content = {**stored.content, "title": {**stored.content["title"], "de": "Titel der Kollegin"}}
        session.add(ServiceVersion(service_id=stored.id, number=2, content=stored.content, action="edited",
                                   created_by="kollegin@amt.example"))

    colleague_saves_first(Service, colleague)
    response = editor.post(EDIT, data=values)
    assert response.status_code == 409
    tree = parse(response)
    assert "Titel der Kollegin" in tree.xpath("//section[@role='alert']")[0].text_content()
    assert tree.xpath("//textarea[@name='summary']")[0].text_content().strip() == "Meine Beschreibung"
    assert tree.xpath("//input[@name='version']")[0].get("value") == "2"
    assert [number for number, *_rest in versions(data)] == [2, 1]
    assert content(data)["title"]["de"] == "Titel der Kollegin"


def test_translation_conflict(staff_client, defaults, data, form_values):
    first, second = staff_client("editor"), staff_client("editor")
    url = f"/de/staff/checklists/services/{SLUG}/translations/en"
    first_values, second_values = form_values(first.get(url)), form_values(second.get(url))
    assert first.post(url, data=replace(first_values, {"title": "Renewing a permit"})).status_code == 302
    response = second.post(url, data=replace(second_values, {"title": "Permit renewal"}))
    assert response.status_code == 409
    assert content(data)["title"]["en"] == "Renewing a permit"


def test_new_checklist_starts_hidden(staff_client, defaults, data, form_values, client):
    editor = staff_client("editor")
    token_page = editor.get("/de/staff/checklists/services/new")
    values = replace(form_values(token_page), {"slug": "Blaue Karte!", "title": "Blaue Karte"})
    assert editor.post("/de/staff/checklists/services/new", data=values).status_code == 422
    values = replace(values, {"slug": "residence-permit-extension"})
    assert "gibt es schon" in editor.post("/de/staff/checklists/services/new", data=values).get_data(as_text=True)
    # /de/checklists/leicht is the Leichte Sprache page: a checklist there could never be opened.
    values = replace(values, {"slug": "leicht"})
    assert "gibt es schon" in editor.post("/de/staff/checklists/services/new", data=values).get_data(as_text=True)
    values = replace(values, {"slug": "parking-permit", "title": "Parkausweis"})
    assert editor.post("/de/staff/checklists/services/new", data=values).status_code == 302
    assert versions(data, "parking-permit")[0][:2] == (1, "created")
    assert client.get("/de/checklists/parking-permit").status_code == 404


def test_questions_are_created_and_edited_with_conflict_check(staff_client, defaults, data, form_values, parse):
    first, second = staff_client("editor"), staff_client("editor")
    values = replace(form_values(first.get("/de/staff/checklists/questions/new")),
                     {"key": "refugee", "text-de": "Haben Sie eine Anerkennung als Flüchtling?"})
    response = first.post("/de/staff/checklists/questions/new", data=values)
    assert response.status_code == 422
    assert parse(response).xpath("//p[@id='label-de-error']")
    values = replace(values, {"label-de": "Wenn Sie als Flüchtling anerkannt sind",
                              "text-en": "Are you a recognised refugee?"})
    assert first.post("/de/staff/checklists/questions/new", data=values).status_code == 302
    saved = data(lambda session: session.scalars(select(Question).filter_by(key="refugee")).one().text)
    assert saved == {"de": "Haben Sie eine Anerkennung als Flüchtling?", "en": "Are you a recognised refugee?"}
    url = "/de/staff/checklists/questions/refugee/edit"
    first_values, second_values = form_values(first.get(url)), form_values(second.get(url))
    assert first.post(url, data=replace(first_values, {"text-ar": "هل أنت لاجئ معترف به؟"})).status_code == 302
    response = second.post(url, data=replace(second_values, {"position": "1"}))
    assert response.status_code == 409
    assert parse(response).xpath("//input[@name='position']")[0].get("value") == "1"
    assert "هل أنت لاجئ معترف به؟" in parse(response).xpath("//section[@role='alert']")[0].text_content()
    changed = audit_log(staff_client("admin"), "en")[0]
    assert changed.what.startswith("Question changed ")
    assert changed.changes == ["Version | Before: 1 | After: 2", "Question (Arabic) | After: هل أنت لاجئ معترف به؟"]


def test_a_new_question_with_a_wrong_key_and_no_texts_names_every_error_at_once(staff_client, defaults, form_values,
                                                                                parse):
    editor = staff_client("editor")
    values = replace(form_values(editor.get("/de/staff/checklists/questions/new")), {"key": "Flüchtling"})
    response = editor.post("/de/staff/checklists/questions/new", data=values)
    assert response.status_code == 422
    errors = {error.get("id") for error in parse(response).xpath("//p[@class='error']")}
    assert errors == {"key-error", "text-de-error", "label-de-error"}


def test_a_question_saved_by_a_colleague_between_check_and_write_is_a_conflict(staff_client, defaults, data,
                                                                              form_values, parse,
                                                                              colleague_saves_first):
    editor = staff_client("editor")
    key = data(lambda session: session.scalars(select(Question.key)).first())
    url = f"/de/staff/checklists/questions/{key}/edit"
    values = replace(form_values(editor.get(url)), {"position": "7"})
    colleague_saves_first(Question, lambda session: setattr(
        session.scalars(select(Question).filter_by(key=key)).one(), "position", 9))
    response = editor.post(url, data=values)
    assert response.status_code == 409
    assert parse(response).xpath("//input[@name='position']")[0].get("value") == "7"
    assert data(lambda session: session.scalars(select(Question.position).filter_by(key=key)).one()) == 9


def test_only_editors_reach_the_staff_pages(staff_client, defaults):
    assert staff_client("caseworker").get(EDIT).status_code == 403
    assert staff_client("admin").get(EDIT).status_code == 200
    assert staff_client("editor").get("/de/staff/checklists/").status_code == 200


NEW_SERVICE = "/de/staff/checklists/services/new"
NEW_QUESTION = "/de/staff/checklists/questions/new"


def audit_actions(data, target_type: str) -> list[str]:
    query = text("SELECT action FROM core_audit_entry WHERE target_type = :type ORDER BY id")
    return data(lambda session: session.scalars(query, {"type": target_type}).all())


def test_a_new_checklist_sent_twice_is_made_once_and_answered_as_its_first_sending(staff_client, defaults, data,
                                                                                  form_values):
    editor = staff_client("editor")
    values = form_values(editor.get(NEW_SERVICE)).to_dict() | {"slug": "parking-permit", "title": "Parkausweis"}
    first, again = sent_twice(editor, NEW_SERVICE, values)
    assert first.status_code == 302
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert "Die Checkliste ist angelegt." in editor.get(again.headers["Location"]).get_data(as_text=True)
    assert versions(data, "parking-permit")[0][:2] == (1, "created")
    assert audit_actions(data, "checklists_service") == ["create"]


def test_an_edit_sent_twice_is_saved_once_and_answered_as_saved(staff_client, defaults, data, form_values):
    editor = staff_client("editor")
    # Only a title: the second sending finds it saved already, and is answered as saved, not with "no changes".
    values = form_values(editor.get(EDIT)).to_dict() | {"title": "Aufenthaltserlaubnis verlängern lassen"}
    first, again = sent_twice(editor, EDIT, values)
    assert (first.status_code, again.status_code, again.headers["Location"]) == (302, 303, first.headers["Location"])
    assert "Gespeichert als Version 2." in editor.get(EDIT).get_data(as_text=True)
    # A new item: the second sending would add it again under a new key.
    course = "Ihr Nachweis über einen Integrationskurs"
    first, again = sent_twice(editor, EDIT, form_values(editor.get(EDIT)).to_dict() | {"items-12-text": course})
    assert (first.status_code, again.status_code) == (302, 303)
    assert "Gespeichert als Version 3." in editor.get(EDIT).get_data(as_text=True)
    assert [item["text"]["de"] for item in content(data)["items"]].count(course) == 1
    assert [number for number, *_rest in versions(data)] == [3, 2, 1]
    assert audit_actions(data, "checklists_service") == ["edited", "edited"]


def test_a_translation_page_sent_twice_is_saved_once_and_answered_as_saved(staff_client, defaults, data, form_values):
    editor = staff_client("editor")
    url = f"/de/staff/checklists/services/{SLUG}/translations/en"
    values = form_values(editor.get(url)).to_dict() | {"title": "Extending a residence permit"}
    first, again = sent_twice(editor, url, values)
    assert (first.status_code, again.status_code, again.headers["Location"]) == (302, 303, first.headers["Location"])
    assert "Gespeichert als Version 2." in editor.get(url).get_data(as_text=True)
    assert [number for number, *_rest in versions(data)] == [2, 1]


def test_a_checklist_refused_as_a_conflict_is_saved_when_sent_again(staff_client, defaults, data, form_values):
    editor, colleague = staff_client("editor"), staff_client("editor")
    mine = form_values(editor.get(EDIT)).to_dict() | {"summary": "Meine Beschreibung"}
    theirs = form_values(colleague.get(EDIT)).to_dict() | {"title": "Titel der Kollegin"}
    assert colleague.post(EDIT, data=theirs).status_code == 302
    conflict = editor.post(EDIT, data=mine)
    assert conflict.status_code == 409
    again = form_values(conflict).to_dict()
    assert again["sending_key"] == mine["sending_key"] and again["version"] == "2"
    assert editor.post(EDIT, data=again).status_code == 302
    assert content(data)["summary"]["de"] == "Meine Beschreibung"


def test_a_question_sent_twice_is_made_and_changed_once(staff_client, defaults, data, form_values):
    editor = staff_client("editor")
    values = form_values(editor.get(NEW_QUESTION)).to_dict() | {
        "key": "refugee", "text-de": "Haben Sie eine Anerkennung als Flüchtling?",
        "label-de": "Wenn Sie als Flüchtling anerkannt sind"}
    first, again = sent_twice(editor, NEW_QUESTION, values)
    assert first.status_code == 302
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert "Die Frage ist gespeichert." in editor.get(again.headers["Location"]).get_data(as_text=True)
    url = "/de/staff/checklists/questions/refugee/edit"
    values = form_values(editor.get(url)).to_dict() | {"position": "7"}
    first, again = sent_twice(editor, url, values)
    assert (first.status_code, again.status_code, again.headers["Location"]) == (302, 303, first.headers["Location"])
    assert "Die Frage ist gespeichert." in editor.get(again.headers["Location"]).get_data(as_text=True)
    assert data(lambda session: session.scalars(select(Question.version).filter_by(key="refugee")).one()) == 2
    assert audit_actions(data, "checklists_question") == ["create", "update"]
    # A question refused as a conflict keeps its page's key, and is saved when sent again.
    colleague = staff_client("editor")
    mine = form_values(editor.get(url)).to_dict() | {"position": "8"}
    assert colleague.post(url, data=form_values(colleague.get(url)).to_dict() | {"position": "9"}).status_code == 302
    conflict = editor.post(url, data=mine)
    assert conflict.status_code == 409
    again = form_values(conflict).to_dict()
    assert again["sending_key"] == mine["sending_key"] and again["version"] == "3"
    assert editor.post(url, data=again).status_code == 302
    assert data(lambda session: session.scalars(select(Question.position).filter_by(key="refugee")).one()) == 8


@pytest.mark.parametrize(("url", "held", "values", "message"), [
    (NEW_SERVICE, "ServiceVersion", {"slug": "parking-permit", "title": "Parkausweis"},
     "Eine Checkliste mit diesem Kurznamen gibt es schon."),
    (NEW_QUESTION, "stamp", {"key": "refugee", "text-de": "Anerkannt?", "label-de": "Wenn anerkannt"},
     "Diesen Schlüssel gibt es schon."),
], ids=["checklist", "question"])
def test_a_name_given_by_two_editors_at_once_is_taken_once(app, staff_client, defaults, data, form_values,
                                                           twice_at_once, url, held, values, message):
    from portal_plugins.checklists import staff_views

    editors = staff_client("editor"), staff_client("editor")
    pages = [form_values(editor.get(url)).to_dict() | values for editor in editors]
    # Both have looked the name up and found it free (on PostgreSQL; SQLite lets one write at a time) when they save.
    _overlapped, first, second = twice_at_once(staff_views, held, lambda: editors[0].post(url, data=pages[0]),
                                               lambda: editors[1].post(url, data=pages[1]))
    refused = first if first.status_code == 422 else second
    assert sorted([first.status_code, second.status_code]) == [302, 422]
    assert message in refused.get_data(as_text=True)
