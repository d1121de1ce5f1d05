from datetime import UTC, date, datetime, time, timedelta

from portal_plugins.interpreters.models import HelpTime
from portal_plugins.interpreters.schedule import upcoming_help_times
from sqlalchemy import func, select, text
from werkzeug.datastructures import MultiDict

from portal import toolkit
from portal.testing import audit_log, csrf_token


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


def entry_form(app, **changes):
    day = today(app) + timedelta(days=2)
    return {"day": day.isoformat(), "starts_at": "09:00", "ends_at": "12:00", "languages": ["ar", "uk"],
            "other_languages": "", "place": "Wartebereich Erdgeschoss", **changes}


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


def test_the_second_of_two_editors_gets_a_conflict(app, staff_client, data, parse):
    entry_id = add(data, today(app) + timedelta(days=4))
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


def test_a_colleague_saving_between_check_and_write_gives_a_conflict(app, staff_client, data, parse,
                                                                     colleague_saves_first):
    entry_id = add(data, today(app) + timedelta(days=4))
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
    entry_id = add(data, today(app) + timedelta(days=4))
    editor = staff_client("editor")
    page = parse(editor.get(f"/de/staff/interpreters/help-times/{entry_id}"))
    form = dict(page.xpath("//form[contains(@class, 'interpreters-delete-form')]")[0].form_values())
    colleague_saves_first(HelpTime, lambda s: setattr(s.get(HelpTime, entry_id), "place", "Empfang"))
    response = editor.post(f"/de/staff/interpreters/help-times/{entry_id}/delete", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/help-times/{entry_id}")
    assert data(lambda s: s.get(HelpTime, entry_id).place) == "Empfang"


def test_an_editor_deletes_a_help_time(app, staff_client, data, parse):
    entry_id = add(data, today(app) + timedelta(days=4))
    editor = staff_client("editor")
    page = parse(editor.get(f"/de/staff/interpreters/help-times/{entry_id}"))
    form = dict(page.xpath("//form[contains(@class, 'interpreters-delete-form')]")[0].form_values())
    response = editor.post(f"/de/staff/interpreters/help-times/{entry_id}/delete", data=form, follow_redirects=True)
    assert "Die Zeit der Sprachhilfe ist gelöscht." in response.get_data(as_text=True)
    assert count(data) == 0
