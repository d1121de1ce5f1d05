"""The staff page: adding and changing closures through versioned saves, and a colleague's save first."""

from datetime import timedelta

import pytest
from portal_plugin_closures.models import Closure
from sqlalchemy import select

from portal.testing import audit_log, csrf_token

EDIT = "/de/staff/closures/{}/edit"


def form(token, version, first, last, german="Betriebsausflug", english="Staff outing"):
    return {"csrf_token": token, "version": "" if version is None else str(version), "starts_on": first.isoformat(),
            "ends_on": last.isoformat(), "reason-de": german, "reason-en": english}


def stored(data, closure_id):
    return data(lambda session: session.get(Closure, closure_id))


def test_the_staff_page_needs_the_editor_role(client, staff_client):
    assert client.get("/de/staff/closures/").status_code in (302, 401)
    assert staff_client("caseworker").get("/de/staff/closures/").status_code == 403
    assert staff_client("editor").get("/de/staff/closures/").status_code == 200


def test_an_editor_adds_a_closure(staff_client, data, today):
    editor = staff_client("editor")
    token = csrf_token(editor, "/de/staff/closures/new")
    response = editor.post("/de/staff/closures/new", data=form(token, None, today, today + timedelta(days=1)))
    assert response.status_code == 302
    closure = data(lambda session: session.scalars(select(Closure)).one())
    assert closure.reason == {"de": "Betriebsausflug", "en": "Staff outing"} and closure.version == 1
    assert "Betriebsausflug" in editor.get("/de/staff/closures/").get_data(as_text=True)


def test_the_audit_log_tells_the_change_in_the_readers_words(staff_client, add_closure, today):
    closure_id = add_closure(4)
    editor = staff_client("editor")
    token = csrf_token(editor, EDIT.format(closure_id))
    assert editor.post(EDIT.format(closure_id), data=form(token, 1, today, today + timedelta(days=2),
                                                          english="Staff training")).status_code == 302
    [entry] = audit_log(staff_client("admin"), "en")
    assert entry.what == f"Closure changed {closure_id}"
    assert entry.changes[-1] == "Reason (English) | Before: Staff outing | After: Staff training"


@pytest.mark.portal_config({"fallback_languages": ["en"]})
def test_the_reason_is_required_in_the_source_language_the_office_writes_in(staff_client, data, today):
    editor = staff_client("editor")
    token = csrf_token(editor, "/de/staff/closures/new")
    refused = editor.post("/de/staff/closures/new", data=form(token, None, today, today, english=""))
    assert refused.status_code == 422 and "Bitte geben Sie den Grund in dieser Sprache an." in refused.get_data(
        as_text=True)
    response = editor.post("/de/staff/closures/new", data=form(token, None, today, today, german=""))
    assert response.status_code == 302
    assert '<td lang="en" dir="ltr">Staff outing</td>' in editor.get("/de/staff/closures/").get_data(as_text=True)


def test_bad_input_is_refused_with_a_message_and_kept(staff_client, add_closure, data, today):
    closure_id = add_closure(4)
    editor = staff_client("editor")
    token = csrf_token(editor, EDIT.format(closure_id))
    response = editor.post(EDIT.format(closure_id), data=form(token, 1, today + timedelta(days=5), today,
                                                              german="", english="Kept text"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Der letzte Tag darf nicht vor dem ersten liegen." in page
    assert "Bitte geben Sie den Grund in dieser Sprache an." in page
    assert "Bitte korrigieren Sie die markierten Angaben." in page and "Kept text" in page
    assert stored(data, closure_id).reason["de"] == "Betriebsausflug"


def test_days_typed_without_a_date_picker_are_read_and_a_day_not_in_the_calendar_is_named(staff_client, data,
                                                                                            today):
    editor = staff_client("editor")
    token = csrf_token(editor, "/de/staff/closures/new")
    typed = form(token, None, today, today) | {"starts_on": f"{today:%d.%m.%Y}", "ends_on": "31.02.2027"}
    refused = editor.post("/de/staff/closures/new", data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Dieses Datum gibt es nicht." in page and 'value="31.02.2027"' in page
    assert editor.post("/de/staff/closures/new", data=typed | {"ends_on": f"{today:%d.%m.%Y}"}).status_code == 302
    assert data(lambda session: session.scalars(select(Closure.ends_on)).one()) == today


def test_the_list_scrolls_in_a_box_of_its_own_named_by_its_caption(staff_client, add_closure, parse):
    add_closure(4)
    [box] = parse(staff_client("editor").get("/de/staff/closures/")).xpath("//main//table/..")
    assert (box.get("class"), box.get("role"), box.get("tabindex")) == ("table-wrap", "region", "0")
    assert box.xpath("string(table/caption[@id=$id])", id=box.get("aria-labelledby")) == "Eingetragene Schließtage"


def test_an_edit_saves_and_bumps_the_version(staff_client, add_closure, data, today):
    closure_id = add_closure(4)
    editor = staff_client("editor")
    token = csrf_token(editor, EDIT.format(closure_id))
    day = today + timedelta(days=6)
    assert editor.post(EDIT.format(closure_id), data=form(token, 1, day, day, german="Umzug")).status_code == 302
    closure = stored(data, closure_id)
    assert (closure.starts_on, closure.reason["de"], closure.version) == (day, "Umzug", 2)


def test_a_colleague_who_saved_after_the_form_was_loaded_gives_the_conflict_page(staff_client, add_closure, data,
                                                                                today):
    closure_id = add_closure(4)
    first, second = staff_client("editor"), staff_client("editor")
    token = csrf_token(first, EDIT.format(closure_id))
    second_token = csrf_token(second, EDIT.format(closure_id))
    assert second.post(EDIT.format(closure_id), data=form(second_token, 1, today, today, german="Zweite"))\
        .status_code == 302
    response = first.post(EDIT.format(closure_id), data=form(token, 1, today, today, german="Erste"))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Jemand anderes hat inzwischen gespeichert" in page and "Zweite" in page and "Erste" in page
    assert stored(data, closure_id).reason["de"] == "Zweite"
    # The form now carries the stored version: saving again knowingly replaces the colleague's text.
    assert 'name="version" type="hidden" value="2"' in page
    assert first.post(EDIT.format(closure_id), data=form(token, 2, today, today, german="Erste")).status_code == 302
    assert stored(data, closure_id).reason["de"] == "Erste"


def test_a_colleague_who_saves_between_check_and_write_gives_the_conflict_page(staff_client, add_closure, data,
                                                                               colleague_saves_first, today):
    closure_id = add_closure(4)
    editor = staff_client("editor")
    token = csrf_token(editor, EDIT.format(closure_id))

    def colleague(session):
        session.get(Closure, closure_id).reason = {"de": "Vom Kollegen"}

    colleague_saves_first(Closure, colleague)
    response = editor.post(EDIT.format(closure_id), data=form(token, 1, today, today, german="Meins"))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Vom Kollegen" in page and "Meins" in page
    assert stored(data, closure_id).reason == {"de": "Vom Kollegen"}


def test_a_page_sent_twice_saves_once(staff_client, data, today, form_values):
    editor = staff_client("editor")
    page = form_values(editor.get("/de/staff/closures/new")).to_dict()
    values = page | form(page["csrf_token"], None, today, today + timedelta(days=1))
    first, again = (editor.post("/de/staff/closures/new", data=values) for _ in range(2))
    assert (first.status_code, again.status_code) == (302, 303)
    closure = data(lambda session: session.scalars(select(Closure)).one())
    edit = form_values(editor.get(EDIT.format(closure.id))).to_dict() | {"reason-de": "Umzug"}
    first, again = (editor.post(EDIT.format(closure.id), data=edit) for _ in range(2))
    assert (first.status_code, again.status_code) == (302, 303)
    assert stored(data, closure.id).version == 2
