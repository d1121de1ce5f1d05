from datetime import UTC, date, datetime, time, timedelta

import pytest
from portal_plugins.interpreters.models import HelpTime
from portal_plugins.interpreters.schedule import upcoming_help_times
from sqlalchemy import func, select, text
from werkzeug.datastructures import MultiDict

from portal import toolkit
from portal.testing import audit_log, csrf_token, sent_twice


def add(data, day, starts_at=time(9, 0), ends_at=time(12, 0), languages="ar fa", place="Wartebereich Erdgeschoss",
        other_languages=""):
    def create(session):
        entry = HelpTime(day=day, starts_at=starts_at, ends_at=ends_at, languages=languages, place=place,
                         other_languages=other_languages)
        session.add(entry)
        session.flush()
        return entry.id

    return data(create)


def today(app):
    with app.app_context():
        return toolkit.office_today()


def count(data):
    return data(lambda s: s.scalar(select(func.count()).select_from(HelpTime)))


def test_help_times_that_are_over_drop_off_by_themselves(app, data):
    # 10:00 UTC on 10 March 2031 is 11:00 at an office in Berlin.
    now = datetime(2031, 3, 10, 10, 0, tzinfo=UTC)
    add(data, date(2031, 3, 9), place="gestern")
    add(data, date(2031, 3, 10), time(8, 0), time(10, 30), place="heute vorbei")
    add(data, date(2031, 3, 10), time(10, 0), time(12, 0), place="heute noch")
    add(data, date(2031, 3, 11), time(7, 30), time(9, 0), place="morgen")
    places = data(lambda session: [entry.place for entry in upcoming_help_times(session, now)])
    assert places == ["heute noch", "morgen"]
    later = now + timedelta(hours=2)
    assert data(lambda session: [entry.place for entry in upcoming_help_times(session, later)]) == ["morgen"]


def test_the_public_schedule_lists_only_what_is_ahead(app, client, data, parse):
    add(data, today(app) - timedelta(days=3), place="Vergangener Ort")
    add(data, today(app) + timedelta(days=3), place="Kommender Ort", other_languages="Kurdisch", languages="ar fa ku")
    tree = parse(client.get("/de/interpreters/schedule"))
    main = tree.xpath("string(//main)")
    assert "Kommender Ort" in main and "Vergangener Ort" not in main
    assert tree.xpath("//section[@data-block]/h2")[0].text_content().strip()
    arabic = tree.xpath("//main//span[@lang='ar']")[0]
    assert (arabic.text_content(), arabic.get("dir")) == ("العربية", "rtl")
    assert "(Arabisch)" in main and "Kurdisch" in main
    # A name with brackets of its own takes the page's name after a dash: no brackets in brackets.
    assert "Kurdî (kurmancî) – Kurdisch" in main and ") (" not in main
    assert "Kommender Ort" in client.get("/de/interpreters/").get_data(as_text=True)


def test_an_arabic_visitor_reads_the_german_place_marked_as_german(app, client, data, parse):
    add(data, today(app) + timedelta(days=1), place="Wartebereich Erdgeschoss")
    tree = parse(client.get("/ar/interpreters/schedule"))
    place = tree.xpath("//main//span[text()='Wartebereich Erdgeschoss']")[0]
    assert (place.get("lang"), place.get("dir")) == ("de", "ltr")
    assert tree.xpath("//main//span[@lang='fa' and text()='فارسی']")


def test_an_empty_schedule_says_so(client, parse):
    assert "Zurzeit sind keine Zeiten geplant." in parse(client.get("/de/interpreters/schedule")).text_content()


def opening_day(app, days_ahead):
    """Return the day so many days ahead, or the next the office opens (help in the building needs it open)."""
    with app.app_context():
        return toolkit.opening_day(toolkit.office_today() + timedelta(days=days_ahead))


def next_weekday(app, weekday):
    """Return the next day after today that falls on a weekday (0 Monday)."""
    start = today(app)
    return next(start + timedelta(days=d) for d in range(1, 8) if (start + timedelta(days=d)).weekday() == weekday)


def entry_form(app, **changes):
    return {"day": opening_day(app, 2).isoformat(), "starts_at": "09:00", "ends_at": "12:00",
            "languages": ["ar", "uk"], "other_languages": "", "place": "Wartebereich Erdgeschoss", **changes}


def test_an_editor_adds_a_help_time_that_visitors_see(app, staff_client, client, data):
    editor = staff_client("editor")
    form = {**entry_form(app), "csrf_token": csrf_token(editor, "/de/staff/interpreters/help-times/new")}
    assert editor.post("/de/staff/interpreters/help-times/new", data=form).status_code == 302
    entry = data(lambda s: s.scalars(select(HelpTime)).one())
    assert (entry.languages, entry.starts_at, entry.place) == ("ar uk", time(9, 0), "Wartebereich Erdgeschoss")
    assert "Українська" in client.get("/de/interpreters/schedule").get_data(as_text=True)
    staff_list = editor.get("/de/staff/interpreters/help-times").get_data(as_text=True)
    assert "Wartebereich Erdgeschoss" in staff_list
    # Staff read language names, not codes.
    assert "Arabisch" in staff_list and "Ukrainisch" in staff_list and "AR, UK" not in staff_list
    actions = data(lambda s: s.execute(text("SELECT action, target_type FROM core_audit_entry")).all())
    assert [tuple(row) for row in actions] == [("create", "interpreters_help_time")]
    [entry] = audit_log(staff_client("admin"), "en")
    assert entry.what.startswith("Language help time added ")
    assert "Languages | After: Arabic and Ukrainian" in entry.changes
    assert [change for change in entry.changes if change.startswith("Place |")]


def test_wrong_help_times_are_refused_with_reasons_and_nothing_is_stored(app, staff_client, data, parse):
    editor = staff_client("editor")
    token = csrf_token(editor, "/de/staff/interpreters/help-times/new")
    cases = [
        ({"ends_at": "08:00"}, "ends_at", "Das Ende muss nach dem Beginn liegen."),
        ({"day": (today(app) - timedelta(days=1)).isoformat()}, "day", "Das Datum liegt in der Vergangenheit."),
        ({"languages": []}, "languages",
         "Bitte wählen Sie mindestens eine Sprache oder tragen Sie eine weitere Sprache ein."),
        ({"place": ""}, "place", "Bitte geben Sie den Ort an."),
        ({"languages": ["xx"]}, "languages", ""),
    ]
    for changes, field, message in cases:
        response = editor.post("/de/staff/interpreters/help-times/new",
                               data={**entry_form(app, **changes), "csrf_token": token})
        assert response.status_code == 422, changes
        tree = parse(response)
        assert message in tree.get_element_by_id(f"{field}-error").text_content()
        assert tree.get_element_by_id("starts_at").get("value") == "09:00"
        assert tree.get_element_by_id("place").get("value", "") == changes.get("place", "Wartebereich Erdgeschoss")
    assert count(data) == 0


NEW = "/de/staff/interpreters/help-times/new"


def error_of(tree, field):
    """Return a field's error message, without the isolates around times."""
    return tree.get_element_by_id(f"{field}-error").text_content().replace("\u2068", "").replace("\u2069", "")


def test_help_in_the_building_on_a_day_the_office_is_closed_is_refused_with_the_other_errors(app, staff_client,
                                                                                             data, parse):
    # The office opens on Monday, Tuesday and Thursday (the core's default opening hours).
    editor = staff_client("editor")
    wednesday = next_weekday(app, 2)
    form = {**entry_form(app, day=wednesday.isoformat(), place="", languages=[]), "csrf_token": csrf_token(editor, NEW)}
    response = editor.post(NEW, data=form)
    assert response.status_code == 422
    tree = parse(response)
    assert error_of(tree, "day") == ("Am Mittwoch ist das Amt geschlossen. Sprachhilfe im Haus ist nur an "
                                     "Öffnungstagen möglich: Montag, Dienstag und Donnerstag.")
    # One answer names everything to correct, not one problem after the other.
    assert error_of(tree, "place") == "Bitte geben Sie den Ort an."
    assert "mindestens eine Sprache" in error_of(tree, "languages")
    summary = tree.xpath("string(//*[@id='error-summary'])")
    assert "Am Mittwoch ist das Amt geschlossen." in summary and "Bitte geben Sie den Ort an." in summary
    assert count(data) == 0


def test_help_in_the_building_outside_the_opening_hours_is_refused_naming_that_days_hours(app, staff_client,
                                                                                          data, parse):
    editor = staff_client("editor")
    token = csrf_token(editor, NEW)
    monday, thursday = next_weekday(app, 0), next_weekday(app, 3)
    monday_hours = "Sprachhilfe im Haus muss in den Öffnungszeiten liegen. Am Montag ist das Amt geöffnet: 07:30–12:00."
    thursday_hours = ("Sprachhilfe im Haus muss in den Öffnungszeiten liegen. Am Donnerstag ist das Amt geöffnet: "
                      "07:30–12:00 und 13:30–17:00.")
    # (day, start, end, the fields at fault, message)
    cases = [(monday, "22:00", "23:00", {"starts_at", "ends_at"}, monday_hours),
             (monday, "07:00", "09:00", {"starts_at"}, monday_hours),
             (monday, "11:00", "12:30", {"ends_at"}, monday_hours),
             # Across the break at noon: the end is to change.
             (thursday, "11:00", "14:00", {"ends_at"}, thursday_hours),
             (thursday, "12:30", "15:00", {"starts_at"}, thursday_hours)]
    for day, starts_at, ends_at, at_fault, message in cases:
        response = editor.post(NEW, data={**entry_form(app, day=day.isoformat(), starts_at=starts_at,
                                                       ends_at=ends_at), "csrf_token": token})
        assert response.status_code == 422, (starts_at, ends_at)
        tree = parse(response)
        for field in ("starts_at", "ends_at"):
            errors = tree.get_element_by_id(f"{field}-error", None)
            assert (errors is not None) == (field in at_fault), (starts_at, ends_at, field)
            if errors is not None:
                assert error_of(tree, field) == message
        assert tree.get_element_by_id("starts_at").get("value") == starts_at
    assert count(data) == 0
    for starts_at, ends_at in (("07:30", "12:00"), ("13:30", "17:00")):
        response = editor.post(NEW, data={**entry_form(app, day=thursday.isoformat(), starts_at=starts_at,
                                                       ends_at=ends_at), "csrf_token": token})
        assert response.status_code == 302
    assert count(data) == 2


def test_help_by_phone_may_lie_outside_the_opening_hours_but_not_at_night(app, staff_client, client, data, parse):
    editor = staff_client("editor")
    token = csrf_token(editor, NEW)
    wednesday = next_weekday(app, 2)
    night = {**entry_form(app, day=wednesday.isoformat(), starts_at="22:00", ends_at="23:00", by_phone="y",
                          place="Telefon 0211 89-12345"), "csrf_token": token}
    tree = parse(editor.post(NEW, data=night))
    for field in ("starts_at", "ends_at"):
        assert error_of(tree, field) == "Sprachhilfe am Telefon ist nur zwischen 07:00 und 20:00 Uhr möglich."
    assert not tree.get_element_by_id("day-error", None)
    assert tree.get_element_by_id("by_phone").get("checked") is not None
    evening = {**night, "starts_at": "17:00", "ends_at": "19:00"}
    assert editor.post(NEW, data=evening).status_code == 302
    stored = data(lambda s: s.scalars(select(HelpTime)).one())
    assert (stored.day, stored.starts_at, stored.by_phone) == (wednesday, time(17, 0), True)
    assert "Telefon 0211 89-12345" in client.get("/de/interpreters/schedule").get_data(as_text=True)
    [entry] = audit_log(staff_client("admin"), "en")
    assert "Language help by phone | After: Yes" in entry.changes
    # Unticked, the same time is help in the building again, which keeps to the opening hours.
    edit = f"/de/staff/interpreters/help-times/{stored.id}"
    form = MultiDict(parse(editor.get(edit)).xpath("//form[@novalidate]")[0].form_values())
    assert form["by_phone"] == "y"
    del form["by_phone"]
    response = editor.post(edit, data=form)
    assert response.status_code == 422
    assert "Am Mittwoch ist das Amt geschlossen." in error_of(parse(response), "day")


@pytest.mark.portal_config({"plugin_settings": {"interpreters": {"phone_help_from": "09:00",
                                                                 "phone_help_until": "22:30"}}})
def test_the_hours_of_help_by_phone_come_from_the_settings(app, staff_client, parse):
    editor = staff_client("editor")
    page = parse(editor.get(NEW))
    assert "zwischen 09:00 und 22:30 Uhr" in page.get_element_by_id("by_phone-hint").text_content()
    late = {**entry_form(app, starts_at="21:00", ends_at="22:30", by_phone="y"), "csrf_token": csrf_token(editor, NEW)}
    assert editor.post(NEW, data=late).status_code == 302
    early = {**late, "starts_at": "08:00", "ends_at": "10:00"}
    assert error_of(parse(editor.post(NEW, data=early)), "starts_at") == (
        "Sprachhilfe am Telefon ist nur zwischen 09:00 und 22:30 Uhr möglich.")


def test_an_arabic_editor_reads_the_opening_hours_in_arabic_in_reading_order(app, staff_client, parse):
    editor = staff_client("editor")
    url = "/ar/staff/interpreters/help-times/new"
    form = {**entry_form(app, day=next_weekday(app, 3).isoformat(), starts_at="18:00", ends_at="19:00"),
            "csrf_token": csrf_token(editor, url)}
    message = parse(editor.post(url, data=form)).get_element_by_id("starts_at-error").text_content()
    assert "أوقات الدوام" in message and "الخميس" in message
    # Each span of hours stays in reading order inside the right-to-left sentence.
    assert "\u206807:30–12:00\u2069" in message and "\u206813:30–17:00\u2069" in message


@pytest.mark.portal_config({"office": {"opening_hours": []}})
def test_without_opening_hours_help_in_the_building_may_be_any_time(app, staff_client, data):
    editor = staff_client("editor")
    form = {**entry_form(app, day=next_weekday(app, 6).isoformat(), starts_at="18:00", ends_at="19:00"),
            "csrf_token": csrf_token(editor, NEW)}
    assert editor.post(NEW, data=form).status_code == 302
    assert count(data) == 1


def test_the_second_of_two_editors_gets_a_conflict(app, staff_client, data, parse):
    entry_id = add(data, opening_day(app, 4))
    url = f"/de/staff/interpreters/help-times/{entry_id}"
    first, second = staff_client("editor"), staff_client("editor")
    first_form = MultiDict(parse(first.get(url)).xpath("//form[@novalidate]")[0].form_values())
    second_page = parse(second.get(url))
    second_form = second_page.xpath("//form[@novalidate]")[0].form_values()
    assert ("languages", "ar") in second_form and ("languages", "fa") in second_form
    first_form["place"] = "Empfang"
    assert first.post(url, data=first_form).status_code == 302
    changed = MultiDict([(k, "Raum 12" if k == "place" else v) for k, v in second_form])
    response = second.post(url, data=changed)
    assert response.status_code == 409
    tree = parse(response)
    assert "Empfang" in tree.xpath("string(//section[@role='alert'])")
    assert tree.get_element_by_id("place").get("value") == "Raum 12"
    assert data(lambda s: s.get(HelpTime, entry_id).place) == "Empfang"
    # Having seen the colleague's change, the editor may delete it from the same page.
    delete = dict(tree.xpath("//form[contains(@class, 'interpreters-delete-form')]")[0].form_values())
    deleted = second.post(f"{url}/delete", data=delete, follow_redirects=True)
    assert "Die Zeit der Sprachhilfe ist gelöscht." in deleted.get_data(as_text=True)
    assert count(data) == 0


def test_a_colleague_saving_between_check_and_write_gives_a_conflict(app, staff_client, data, parse,
                                                                     colleague_saves_first):
    entry_id = add(data, opening_day(app, 4))
    url = f"/de/staff/interpreters/help-times/{entry_id}"
    editor = staff_client("editor")
    form = MultiDict(parse(editor.get(url)).xpath("//form[@novalidate]")[0].form_values())
    form["place"] = "Raum 12"
    colleague_saves_first(HelpTime, lambda s: setattr(s.get(HelpTime, entry_id), "place", "Empfang"))
    response = editor.post(url, data=form)
    assert response.status_code == 409
    tree = parse(response)
    assert "Empfang" in tree.xpath("string(//section[@role='alert'])")
    assert tree.get_element_by_id("place").get("value") == "Raum 12"
    assert data(lambda s: (s.get(HelpTime, entry_id).place, s.get(HelpTime, entry_id).version)) == ("Empfang", 2)


def test_a_delete_racing_a_colleague_keeps_the_help_time(app, staff_client, data, parse, colleague_saves_first):
    entry_id = add(data, opening_day(app, 4))
    editor = staff_client("editor")
    page = parse(editor.get(f"/de/staff/interpreters/help-times/{entry_id}"))
    form = dict(page.xpath("//form[contains(@class, 'interpreters-delete-form')]")[0].form_values())
    colleague_saves_first(HelpTime, lambda s: setattr(s.get(HelpTime, entry_id), "place", "Empfang"))
    response = editor.post(f"/de/staff/interpreters/help-times/{entry_id}/delete", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/help-times/{entry_id}")
    assert data(lambda s: s.get(HelpTime, entry_id).place) == "Empfang"


SAVED = "Die Zeit der Sprachhilfe ist gespeichert."


def audited(data, action: str) -> int:
    return data(lambda s: s.scalar(text("SELECT count(*) FROM core_audit_entry WHERE action = :action"),
                                   {"action": action}))


def test_a_page_sent_twice_saves_one_help_time_and_answers_as_its_first_sending(app, staff_client, data, form_values):
    editor = staff_client("editor")
    values = form_values(editor.get(NEW)).to_dict() | entry_form(app)
    first = editor.post(NEW, data=values)
    assert first.status_code == 302 and SAVED in editor.get(first.headers["Location"]).get_data(as_text=True)
    again = editor.post(NEW, data=values)
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert SAVED in editor.get(again.headers["Location"]).get_data(as_text=True)
    assert count(data) == 1 and audited(data, "create") == 1
    # An edit sent twice is saved once; the second answer is the first's, not a colleague's conflict.
    entry_id = data(lambda s: s.scalars(select(HelpTime.id)).one())
    url = f"/de/staff/interpreters/help-times/{entry_id}"
    edit = form_values(editor.get(url)).to_dict() | {"place": "Empfang", "languages": ["ar", "uk"]}
    first = editor.post(url, data=edit)
    assert first.status_code == 302 and SAVED in editor.get(first.headers["Location"]).get_data(as_text=True)
    again = editor.post(url, data=edit)
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert SAVED in editor.get(again.headers["Location"]).get_data(as_text=True)
    assert data(lambda s: (s.get(HelpTime, entry_id).place, s.get(HelpTime, entry_id).version)) == ("Empfang", 2)
    assert audited(data, "update") == 1


def test_a_help_time_page_refused_as_a_conflict_is_saved_when_sent_again(app, staff_client, data, form_values):
    entry_id = add(data, opening_day(app, 4))
    url = f"/de/staff/interpreters/help-times/{entry_id}"
    editor, colleague = staff_client("editor"), staff_client("editor")
    mine = form_values(editor.get(url)).to_dict() | {"place": "Raum 12", "languages": ["ar", "fa"]}
    theirs = form_values(colleague.get(url)).to_dict() | {"place": "Empfang", "languages": ["ar", "fa"]}
    assert colleague.post(url, data=theirs).status_code == 302
    conflict = editor.post(url, data=mine)
    assert conflict.status_code == 409
    again = form_values(conflict)
    assert again["sending_key"] == mine["sending_key"] and again["version"] == "2"
    assert editor.post(url, data=again).status_code == 302
    assert data(lambda s: (s.get(HelpTime, entry_id).place, s.get(HelpTime, entry_id).languages)) == ("Raum 12",
                                                                                                      "ar fa")


def test_an_editor_deletes_a_help_time(app, staff_client, data, parse):
    entry_id = add(data, opening_day(app, 4))
    editor = staff_client("editor")
    page = parse(editor.get(f"/de/staff/interpreters/help-times/{entry_id}"))
    form = dict(page.xpath("//form[contains(@class, 'interpreters-delete-form')]")[0].form_values())
    response = editor.post(f"/de/staff/interpreters/help-times/{entry_id}/delete", data=form, follow_redirects=True)
    assert "Die Zeit der Sprachhilfe ist gelöscht." in response.get_data(as_text=True)
    assert count(data) == 0


def test_a_help_time_delete_sent_twice_is_answered_as_the_first(app, staff_client, data, parse):
    entry_id = add(data, opening_day(app, 4))
    editor = staff_client("editor")
    page = parse(editor.get(f"/de/staff/interpreters/help-times/{entry_id}"))
    form = dict(page.xpath("//form[contains(@class, 'interpreters-delete-form')]")[0].form_values())
    first, again = sent_twice(editor, f"/de/staff/interpreters/help-times/{entry_id}/delete", form)
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert "Die Zeit der Sprachhilfe ist gelöscht." in editor.get(again.headers["Location"]).get_data(as_text=True)
    assert count(data) == 0 and audited(data, "delete") == 1


def test_a_help_time_deleted_before_its_form_was_sent_is_named_by_its_day_and_hours(app, staff_client, data,
                                                                                     form_values):
    day = opening_day(app, 4)
    entry_id = add(data, day, starts_at=time(9, 0), ends_at=time(12, 0))
    editor = staff_client("editor")
    url = f"/de/staff/interpreters/help-times/{entry_id}"
    form = form_values(editor.get(url))
    data(lambda s: s.delete(s.get(HelpTime, entry_id)))
    gone = editor.post(url, data=form)
    assert gone.status_code == 410
    assert f"Jemand hat den Eintrag „{day.isoformat()} 09:00–12:00“ gelöscht" in gone.get_data(as_text=True)
