from datetime import timedelta
from decimal import Decimal

import pytest
from portal_plugins.hygiene.models import Rule
from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict

from portal.testing import audit_log, sent_twice

NEW = "/de/staff/hygiene/rules/new"
# The default configuration has one location, the example office two: the staff pages must work with both.
pytestmark = pytest.mark.parametrize("locations", [["Wacker Hof"], ["Wacker Hof", "Nebenstelle Benrath"]],
                                     indirect=True, ids=["one-location", "two-locations"])


def replace(values: MultiDict, changes: dict[str, str]) -> MultiDict:
    result = values.copy()
    for name, value in changes.items():
        result.setlist(name, [value])
    return result


def rule_fields(data, rule_id: int) -> dict:
    return data(lambda session: {key: value for key, value in vars(session.get(Rule, rule_id)).items()
                                 if not key.startswith("_")})


def audit_entries(data) -> list[tuple[str, str]]:
    """Return (action, rule id) of each audit entry about rules, oldest first."""
    query = text("SELECT action, target_id FROM core_audit_entry WHERE target_type = 'hygiene_rule' ORDER BY id")
    return data(lambda session: [tuple(row) for row in session.execute(query)])


def test_editor_creates_a_rule_for_one_location(staff_client, data, form_values, client, today, locations, parse):
    editor = staff_client("editor")
    page = editor.get(NEW)
    # The choice of location is offered only where there is one to make.
    assert bool(parse(page).xpath("//select[@name='location']")) == (len(locations) > 1)
    arabic = parse(page).xpath("//textarea[@name='text-ar']")[0]
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    values = replace(form_values(page), {
        "kind": "distance", "metres": "2,5", "location": "Wacker Hof",
        "text-de": "Bitte {metres} Meter Abstand halten.", "text-en": "Please keep {metres} m apart."})
    response = editor.post(NEW, data=values)
    assert response.status_code == 302
    rule_id = data(lambda session: session.scalars(select(Rule)).one().id)
    rule = rule_fields(data, rule_id)
    assert (rule["kind"], rule["metres"], rule["location"], rule["starts_on"]) == (
        "distance", Decimal("2.5"), "Wacker Hof" if len(locations) > 1 else "", today)
    assert rule["text"] == {"de": "Bitte {metres} Meter Abstand halten.", "en": "Please keep {metres} m apart."}
    assert audit_entries(data) == [("create", str(rule_id))]
    assert "Bitte 2,5 Meter Abstand halten." in client.get("/de/hygiene/").get_data(as_text=True)


def test_invalid_rule_is_refused_with_messages_and_kept_in_the_form(staff_client, data, form_values, parse, today):
    editor = staff_client("editor")
    values = replace(form_values(editor.get(NEW)), {
        "kind": "persons_per_room", "text-de": "", "text-ar": "الحد الأقصى {metres}",
        "starts_on": today.isoformat(), "ends_on": (today - timedelta(days=1)).isoformat()})
    response = editor.post(NEW, data=values)
    assert response.status_code == 422
    tree = parse(response)
    errors = {node.get("id"): node.text_content() for node in tree.xpath("//p[@class='error']")}
    assert set(errors) == {"persons-error", "ends_on-error", "text-de-error", "text-ar-error"}
    assert "{metres}" in errors["text-ar-error"]
    assert tree.xpath("//textarea[@name='text-ar']")[0].text_content().strip() == "الحد الأقصى {metres}"
    values = replace(values, {"kind": "distance", "metres": "100", "text-de": "Abstand", "text-ar": "",
                              "ends_on": ""})
    response = editor.post(NEW, data=values)
    assert response.status_code == 422
    assert set(node.get("id") for node in parse(response).xpath("//p[@class='error']")) == {"metres-error"}
    # Numbers out of range or missing are named in the page's language, not WTForms' English.
    response = editor.post(NEW.replace("/de/", "/ckb/"), data=replace(values, {
        "kind": "persons_per_room", "persons": "0", "position": "", "metres": ""}))
    errors = {node.get("id"): node.text_content() for node in parse(response).xpath("//p[@class='error']")}
    assert set(errors) == {"persons-error", "position-error"} and "50" in errors["persons-error"]
    assert not any(word in " ".join(errors.values()) for word in ("This field", "Number must"))
    assert data(lambda session: session.scalars(select(Rule)).all()) == []


def test_field_errors_and_errors_across_fields_come_in_one_answer(staff_client, data, form_values, parse, today):
    editor = staff_client("editor")
    values = replace(form_values(editor.get(NEW)), {
        "kind": "persons_per_room", "persons": "", "position": "", "text-de": "",
        "text-en": "At most {personen} persons per room.",
        "starts_on": today.isoformat(), "ends_on": (today - timedelta(days=1)).isoformat()})
    response = editor.post(NEW, data=values)
    assert response.status_code == 422
    tree = parse(response)
    errors = {node.get("id"): node.text_content() for node in tree.xpath("//p[@class='error']")}
    assert set(errors) == {"position-error", "persons-error", "ends_on-error", "text-de-error", "text-en-error"}
    assert "{personen}" in errors["text-en-error"]
    summary = [link.get("href") for link in tree.xpath("//div[@id='error-summary']//a")]
    assert summary == ["#persons", "#ends_on", "#position", "#text-de", "#text-en"]
    # Each language's box is named by the field's own label, as the reader's language says it.
    named = tree.xpath("//div[@id='error-summary']//a[@href='#text-en']")[0].text_content()
    assert named.startswith("Text für Besucherinnen und Besucher (English):"), named
    assert data(lambda session: session.scalars(select(Rule)).all()) == []


def test_a_field_that_failed_its_own_check_gets_no_second_message_across_fields(staff_client, add_rule, data,
                                                                               form_values, parse, today):
    add_rule("persons_per_room", persons=2)
    editor = staff_client("editor")
    values = replace(form_values(editor.get(NEW)), {
        "kind": "persons_per_room", "persons": "zwei", "position": "", "text-de": "Höchstens {persons} Personen.",
        "starts_on": today.isoformat(), "ends_on": "irgendwann"})
    response = editor.post(NEW, data=values)
    assert response.status_code == 422
    errors = {node.get("id"): node.text_content() for node in parse(response).xpath("//p[@class='error']")}
    assert set(errors) == {"persons-error", "ends_on-error", "position-error"}
    # The number and the last day are named as unreadable, not as missing or before the start.
    assert errors["persons-error"].startswith("Bitte geben Sie eine ganze Zahl in Ziffern ein.")
    assert "wie viele Personen" not in errors["persons-error"]
    assert errors["ends_on-error"] == "Bitte ein Datum angeben, zum Beispiel 31.07.2026."
    # With readable days, the rule already in force is named too.
    values = replace(values, {"ends_on": ""})
    errors = {node.get("id") for node in parse(editor.post(NEW, data=values)).xpath("//p[@class='error']")}
    assert errors == {"persons-error", "position-error", "kind-error"}
    assert len(data(lambda session: session.scalars(select(Rule)).all())) == 1


def test_second_editor_gets_a_conflict_and_keeps_their_input(staff_client, add_rule, data, form_values, parse):
    rule_id = add_rule("mask", {"de": "Maske tragen"})
    url = f"/de/staff/hygiene/rules/{rule_id}/edit"
    first, second = staff_client("editor"), staff_client("editor")
    first_values, second_values = form_values(first.get(url)), form_values(second.get(url))
    assert first.post(url, data=replace(first_values, {"text-de": "FFP2-Maske tragen"})).status_code == 302
    response = second.post(url, data=replace(second_values, {"text-en": "Wear a mask"}))
    assert response.status_code == 409
    tree = parse(response)
    conflict = tree.xpath("//section[@role='alert']")[0].text_content()
    assert "nicht verloren" in conflict and "FFP2-Maske tragen" in conflict
    assert tree.xpath("//textarea[@name='text-en']")[0].text_content().strip() == "Wear a mask"
    assert rule_fields(data, rule_id)["text"] == {"de": "FFP2-Maske tragen"}
    assert second.post(url, data=form_values(response)).status_code == 302
    rule = rule_fields(data, rule_id)
    assert rule["version"] == 3 and rule["text"] == {"de": "Maske tragen", "en": "Wear a mask"}
    assert [action for action, _target in audit_entries(data)] == ["update", "update"]


def test_a_save_racing_a_colleague_between_check_and_write_is_a_conflict(staff_client, add_rule, data, form_values,
                                                                        parse, colleague_saves_first):
    rule_id = add_rule("mask", {"de": "Maske tragen"})
    url = f"/de/staff/hygiene/rules/{rule_id}/edit"
    editor = staff_client("editor")
    values = replace(form_values(editor.get(url)), {"text-de": "Medizinische Maske tragen"})
    colleague_saves_first(Rule, lambda session: setattr(session.get(Rule, rule_id), "text", {"de": "FFP2-Maske"}))
    response = editor.post(url, data=values)
    assert response.status_code == 409
    tree = parse(response)
    assert "FFP2-Maske" in tree.xpath("//section[@role='alert']")[0].text_content()
    assert tree.xpath("//textarea[@name='text-de']")[0].text_content().strip() == "Medizinische Maske tragen"
    rule = rule_fields(data, rule_id)
    assert rule["version"] == 2 and rule["text"] == {"de": "FFP2-Maske"}
    assert audit_entries(data) == []


def test_ending_a_rule_racing_a_colleague_changes_nothing(staff_client, add_rule, data, parse, colleague_saves_first):
    rule_id = add_rule("payment", {"de": "Nur Kartenzahlung"})
    editor = staff_client("editor")
    token = parse(editor.get("/de/staff/hygiene/")).xpath("//input[@name='csrf_token']")[0].get("value")
    colleague_saves_first(Rule, lambda session: setattr(session.get(Rule, rule_id), "position", 5))
    response = editor.post(f"/de/staff/hygiene/rules/{rule_id}/end", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 302
    rule = rule_fields(data, rule_id)
    assert rule["ended_at"] is None and rule["position"] == 5


def test_ending_a_rule_takes_it_off_the_pages_at_once(staff_client, add_rule, data, client, parse):
    rule_id = add_rule("payment", {"de": "Nur Kartenzahlung"})
    editor = staff_client("editor")
    page = editor.get("/de/staff/hygiene/")
    token = parse(page).xpath("//input[@name='csrf_token']")[0].get("value")
    stale = {"csrf_token": token, "version": "0"}
    editor.post(f"/de/staff/hygiene/rules/{rule_id}/end", data=stale)
    assert rule_fields(data, rule_id)["ended_at"] is None
    assert "Nur Kartenzahlung" in client.get("/de/hygiene/").get_data(as_text=True)
    response = editor.post(f"/de/staff/hygiene/rules/{rule_id}/end", data={**stale, "version": "1"})
    assert response.status_code == 302
    assert rule_fields(data, rule_id)["ended_at"] is not None
    assert "Nur Kartenzahlung" not in client.get("/de/hygiene/").get_data(as_text=True)
    assert audit_entries(data) == [("end", str(rule_id))]
    listing = parse(editor.get("/de/staff/hygiene/"))
    assert "Nur Kartenzahlung" in listing.xpath("//h2[@id='rules-over']/following-sibling::div[1]")[0].text_content()
    assert editor.get(f"/de/staff/hygiene/rules/{rule_id}/edit").status_code == 302


def test_the_audit_log_tells_the_change_in_the_readers_words(staff_client, data, form_values, parse):
    editor = staff_client("editor")
    values = replace(form_values(editor.get(NEW)), {"kind": "distance", "metres": "1,5", "text-de": "Abstand halten",
                                                    "text-en": "Keep {metres} m apart."})
    assert editor.post(NEW, data=values).status_code == 302
    rule_id = data(lambda session: session.scalars(select(Rule)).one().id)
    # Saved again with only a new text: the distance read back (1.50) is the one typed (1,5), no change to log.
    edit = f"/de/staff/hygiene/rules/{rule_id}/edit"
    assert editor.post(edit, data=replace(form_values(editor.get(edit)), {"text-en": "Keep {metres} m away."}))\
        .status_code == 302
    token = parse(editor.get("/de/staff/hygiene/")).xpath("//input[@name='csrf_token']")[0].get("value")
    assert editor.post(f"/de/staff/hygiene/rules/{rule_id}/end",
                       data={"csrf_token": token, "version": "2"}).status_code == 302
    ended, updated, created = audit_log(staff_client("admin"), "en")
    assert [change for change in updated.changes if change.startswith("Distance in metres")] == []
    assert ended.what == f"Hygiene rule ended {rule_id}"
    assert ended.changes[0].startswith("Ended on | Before: – | After: ")
    assert created.what == f"Hygiene rule created {rule_id}"
    # Each entry names the rule by its text, as staff know it.
    assert created.summary == updated.summary == ended.summary == "Abstand halten"
    assert created.changes[0] == "Kind of rule | After: Keep your distance"
    assert "Distance in metres | After: 1.5" in created.changes
    assert "Text for visitors (English) | After: Keep {metres} m apart." in created.changes
    # An empty location is a rule for every location, said as the staff list says it.
    assert "Location | After: All locations" in created.changes


def test_only_editors_reach_the_staff_pages(staff_client):
    assert staff_client("caseworker").get("/de/staff/hygiene/").status_code == 403
    assert staff_client("editor").get(NEW).status_code == 200


def test_a_distance_of_ten_metres_is_shown_as_typed_in_the_form(staff_client, add_rule, parse):
    rule_id = add_rule("distance", {"de": "Abstand {metres} m"}, metres=Decimal("10.00"))
    form = parse(staff_client("editor").get(f"/de/staff/hygiene/rules/{rule_id}/edit"))
    assert form.xpath("//input[@name='metres']/@value") == ["10"]  # not "1E+1", which saving would refuse


def test_a_translation_left_behind_by_a_changed_source_text_is_not_shown_as_current(staff_client, data, form_values,
                                                                                      client, parse):
    editor = staff_client("editor")
    values = replace(form_values(editor.get(NEW)), {"kind": "other", "text-de": "Eingang nur mit Termin.",
                                                    "text-en": "Entry by appointment only."})
    assert editor.post(NEW, data=values).status_code == 302
    rule_id = data(lambda session: session.scalars(select(Rule)).one().id)
    edit = f"/de/staff/hygiene/rules/{rule_id}/edit"
    assert "Entry by appointment only." in client.get("/en/hygiene/").get_data(as_text=True)
    # The German text says the opposite now; the English one was left as it was.
    changed = replace(form_values(editor.get(edit)), {"text-de": "Eingang auch ohne Termin."})
    assert editor.post(edit, data=changed).status_code == 302
    english = client.get("/en/hygiene/").get_data(as_text=True)
    assert "Entry by appointment only." not in english and "Eingang auch ohne Termin." in english
    page = editor.get(edit).get_data(as_text=True)
    assert "für einen früheren Text auf Deutsch geschrieben: Englisch" in page and "anzupassen" in page
    # Translating it anew makes it current again; a mere typing fix, said so, keeps it current.
    assert editor.post(edit, data=replace(form_values(editor.get(edit)), {"text-en": "Entry also without one."}))\
        .status_code == 302
    assert "Entry also without one." in client.get("/en/hygiene/").get_data(as_text=True)
    typo = replace(form_values(editor.get(edit)), {"text-de": "Eingang auch ohne einen Termin.",
                                                   "translations_still_fit": "y"})
    assert editor.post(edit, data=typo).status_code == 302
    assert "Entry also without one." in client.get("/en/hygiene/").get_data(as_text=True)


def test_a_second_rule_of_one_kind_for_the_same_place_and_time_is_refused(staff_client, add_rule, data, form_values,
                                                                          today):
    first = add_rule("persons_per_room", persons=2)
    editor = staff_client("editor")
    values = replace(form_values(editor.get(NEW)), {"kind": "persons_per_room", "persons": "4",
                                                    "text-de": "Höchstens {persons} Personen pro Raum."})
    answer = editor.post(NEW, data=values)
    assert answer.status_code == 422 and "Eine Regel dieser Art gilt dort zur selben Zeit schon." in \
        answer.get_data(as_text=True)
    assert data(lambda session: len(session.scalars(select(Rule)).all())) == 1
    # After the first one ends, the new one may start.
    later = replace(values, {"starts_on": (today + timedelta(days=400)).isoformat()})
    data(lambda session: setattr(session.get(Rule, first), "ends_on", today + timedelta(days=10)))
    assert editor.post(NEW, data=later).status_code == 302


# "mask": without its claim, the second sending would clash with the rule its first one made.
@pytest.mark.parametrize("kind", ["other", "mask"])
def test_a_page_sent_twice_saves_once_and_answers_as_its_first_sending(staff_client, data, form_values, kind):
    editor = staff_client("editor")
    values = form_values(editor.get(NEW)).to_dict() | {"kind": kind, "text-de": "Bitte beachten"}
    first, again = sent_twice(editor, NEW, values)
    assert first.status_code == 302
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert "Die Regel ist gespeichert." in editor.get(again.headers["Location"]).get_data(as_text=True)
    rule_id = data(lambda session: session.scalars(select(Rule)).one().id)
    # An edit sent twice is saved once; the second answer is the first's, not a colleague's conflict.
    edit = f"/de/staff/hygiene/rules/{rule_id}/edit"
    first, again = sent_twice(editor, edit, form_values(editor.get(edit)).to_dict() | {"text-de": "Bitte sehr"})
    assert (first.status_code, again.status_code, again.headers["Location"]) == (302, 303, first.headers["Location"])
    assert "Die Regel ist gespeichert." in editor.get(again.headers["Location"]).get_data(as_text=True)
    assert rule_fields(data, rule_id)["version"] == 2
    assert audit_entries(data) == [("create", str(rule_id)), ("update", str(rule_id))]


def test_a_page_refused_as_a_conflict_is_saved_when_sent_again(staff_client, add_rule, data, form_values):
    rule_id = add_rule("mask", {"de": "Maske tragen"})
    url = f"/de/staff/hygiene/rules/{rule_id}/edit"
    editor, colleague = staff_client("editor"), staff_client("editor")
    mine = form_values(editor.get(url)).to_dict() | {"text-de": "Meins"}
    assert colleague.post(url, data=form_values(colleague.get(url)).to_dict() | {"text-de": "Ihres"}).status_code == 302
    conflict = editor.post(url, data=mine)
    assert conflict.status_code == 409
    again = form_values(conflict).to_dict()
    assert again["sending_key"] == mine["sending_key"] and again["version"] == "2"
    assert editor.post(url, data=again).status_code == 302
    assert rule_fields(data, rule_id)["text"] == {"de": "Meins"}


@pytest.mark.parametrize("first_changes_a_rule", [False, True], ids=["two-new-rules", "a-changed-and-a-new-rule"])
def test_contradictory_rules_saved_at_once_are_checked_one_after_the_other(staff_client, add_rule, data, form_values,
                                                                           twice_at_once, first_changes_a_rule):
    from portal_plugins.hygiene import staff_views

    first, second = staff_client("editor"), staff_client("editor")
    rules = {"persons": "2", "text-de": "Höchstens {persons} Personen pro Raum."}
    if first_changes_a_rule:
        url = f"/de/staff/hygiene/rules/{add_rule('other', {'de': 'Bitte klingeln.'})}/edit"
        mine = form_values(first.get(url)).to_dict() | {"kind": "persons_per_room"} | rules
    else:
        url, mine = NEW, form_values(first.get(NEW)).to_dict() | {"kind": "persons_per_room"} | rules
    theirs = form_values(second.get(NEW)).to_dict() | {"kind": "persons_per_room"} | rules | {"persons": "4"}
    overlapped, first_answer, second_answer = twice_at_once(
        staff_views, "_clashing_rule", lambda: first.post(url, data=mine), lambda: second.post(NEW, data=theirs))
    assert not overlapped, "the second save looked for a clash while the first was still deciding"
    assert (first_answer.status_code, second_answer.status_code) == (302, 422)
    assert "Eine Regel dieser Art gilt dort zur selben Zeit schon." in second_answer.get_data(as_text=True)
    kinds = data(lambda session: session.scalars(select(Rule.kind)).all())
    assert kinds == ["persons_per_room"]
