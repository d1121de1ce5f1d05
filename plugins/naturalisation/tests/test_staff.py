"""Staff work with cases: record, import, plan, close, move, print; every change is checked and audited."""

import io
from datetime import date, time, timedelta

import lxml.html
import pytest
from portal_plugins.naturalisation.models import (
    HandoverAppointment,
    HandoverCase,
    HandoverPerson,
    birth_key,
    persons_born,
)
from portal_plugins.naturalisation.planning import parse_settings
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from portal import toolkit
from portal.testing import audit_log, csrf_token

BASE = "/de/staff/naturalisation"


@pytest.fixture
def caseworker(staff_client):
    return staff_client("caseworker")


def add_case(database, reference, births, ready_on=None, family_group="", letter_language=""):
    with database() as db:
        case = HandoverCase(reference=reference, ready_on=ready_on or toolkit.office_today(), family_group=family_group,
                    letter_language=letter_language,
                    persons=persons_born(reference, births))
        db.add(case)
        db.commit()
        return case


def plan(client):
    return client.post(f"{BASE}/plan", data={"csrf_token": csrf_token(client, f"{BASE}/")})


def test_only_caseworkers_and_admins_get_in(client, staff_client):
    assert client.get(f"{BASE}/").status_code == 302
    assert staff_client("editor").get(f"{BASE}/").status_code == 403
    assert staff_client("admin").get(f"{BASE}/").status_code == 200


def test_another_days_plan_opens_for_a_picked_or_typed_day_and_says_what_is_wrong(caseworker):
    for typed in ("2027-01-15", "15.01.2027"):
        response = caseworker.get(f"{BASE}/days", query_string={"day": typed})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"{BASE}/days/2027-01-15")
    for typed, said in (("morgen", "Bitte ein Datum angeben, zum Beispiel 31.07.2026."),
                        ("", "Bitte einen Tag wählen.")):
        response = caseworker.get(f"{BASE}/days", query_string={"day": typed}, follow_redirects=True)
        assert response.request.path == f"{BASE}/" and said in response.get_data(as_text=True), typed


def count_cases(database):
    with database() as db:
        return db.scalar(select(func.count()).select_from(HandoverCase))


def test_recording_a_case_checks_every_field_and_keeps_the_input(caseworker, database, today):
    token = csrf_token(caseworker, f"{BASE}/cases/new")
    response = caseworker.post(f"{BASE}/cases/new", data={
        "csrf_token": token, "reference": "54/77-2026", "ready_on": "", "births": "12.03.1980\n31.02.1990",
        "family_group": "", "letter_language": "tr"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte das Datum angeben." in page
    assert "Zeile 2: „31.02.1990“ ist kein Datum (erwartet: 2026-07-01 oder 01.07.2026)." in page
    assert 'value="54/77-2026"' in page and "12.03.1980" in page
    assert count_cases(database) == 0
    # A date the public lookup refuses would leave the family unable to find its appointment.
    response = caseworker.post(f"{BASE}/cases/new", data={
        "csrf_token": token, "reference": "54/77-2026", "ready_on": today.isoformat(), "births": "1.1.1850",
        "family_group": "", "letter_language": ""})
    assert response.status_code == 422 and "Bitte prüfen Sie das Geburtsdatum." in response.get_data(as_text=True)
    assert count_cases(database) == 0
    # A family name longer than the field allows (sent past its maxlength) gets the field's message alone.
    response = caseworker.post(f"{BASE}/cases/new", data={
        "csrf_token": token, "reference": "54/77-2026", "ready_on": today.isoformat(), "births": "12.03.1980",
        "family_group": "F" * 41, "letter_language": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Höchstens 40 Zeichen." in page and "Die Familie darf" not in page
    assert count_cases(database) == 0

    response = caseworker.post(f"{BASE}/cases/new", data={
        "csrf_token": token, "reference": " 54/77-2026 ", "ready_on": today.isoformat(),
        "births": "12.03.1980\n1982-05-01", "family_group": "", "letter_language": "tr"})
    assert response.status_code == 302
    with database() as db:
        case = db.scalars(select(HandoverCase)).one()
        assert (case.reference, case.letter_language) == ("54/77-2026", "tr")
        assert [p.birth_key for p in case.persons] == [birth_key("54/77-2026", date(1980, 3, 12)),
                                                       birth_key("54/77-2026", date(1982, 5, 1))]

    response = caseworker.post(f"{BASE}/cases/new", data={
        "csrf_token": token, "reference": "54/77-2026", "ready_on": today.isoformat(), "births": "01.01.1970",
        "family_group": "", "letter_language": ""})
    assert response.status_code == 422
    assert "Dieses Aktenzeichen ist schon erfasst." in response.get_data(as_text=True)
    # Written with other separators it is the same reference for the lookup, so the same case.
    response = caseworker.post(f"{BASE}/cases/new", data={
        "csrf_token": token, "reference": "54 77 2026", "ready_on": today.isoformat(),
        "births": "01.01.1970",
        "family_group": "", "letter_language": ""})
    assert "Dieses Aktenzeichen ist schon erfasst." in response.get_data(as_text=True)


def test_a_second_editor_of_a_case_gets_a_conflict_and_keeps_the_input(caseworker, staff_client, database, today):
    case = add_case(database, "54/1-2026", [date(1980, 1, 1)])
    other = staff_client("caseworker")
    form = {"csrf_token": csrf_token(caseworker, f"{BASE}/cases/{case.id}"), "ready_on": today.isoformat(),
            "births": "01.01.1980", "family_group": "G-1", "letter_language": "", "version": "1"}
    assert caseworker.post(f"{BASE}/cases/{case.id}", data=form).status_code == 302
    late = dict(form, csrf_token=csrf_token(other, f"{BASE}/cases/{case.id}"), family_group="G-2")
    response = other.post(f"{BASE}/cases/{case.id}", data=late)
    assert response.status_code == 409
    assert 'value="G-2"' in response.get_data(as_text=True)
    assert "G-1" in lxml.html.fromstring(response.get_data(as_text=True)).xpath("string(//section[@role='alert'])")
    with database() as db:
        assert db.get(HandoverCase, case.id).family_group == "G-1"


def set_on(model, record_id, **values):
    """Return a colleague's change of one record, for colleague_saves_first."""
    def change(session):
        for key, value in values.items():
            setattr(session.get(model, record_id), key, value)

    return change


def test_a_colleague_saving_a_case_between_check_and_write_gives_a_conflict(caseworker, database,
                                                                            colleague_saves_first, today):
    case = add_case(database, "54/1-2026", [date(1980, 1, 1)])
    form = {"csrf_token": csrf_token(caseworker, f"{BASE}/cases/{case.id}"), "ready_on": today.isoformat(),
            "births": "01.01.1980\n02.02.2010", "family_group": "G-2", "letter_language": "", "version": "1"}
    colleague_saves_first(HandoverCase, set_on(HandoverCase, case.id, family_group="G-1"))
    response = caseworker.post(f"{BASE}/cases/{case.id}", data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'value="G-2"' in page and "02.02.2010" in page
    assert 'name="version" type="hidden" value="2"' in page
    with database() as db:
        stored = db.get(HandoverCase, case.id)
        assert (stored.family_group, len(stored.persons)) == ("G-1", 1)


def test_a_case_deleted_while_its_form_was_open_is_offered_as_a_new_one(caseworker, database,
                                                                       colleague_saves_first, today):
    case = add_case(database, "54/1-2026", [date(1980, 1, 1)])
    edit_page = lxml.html.fromstring(caseworker.get(f"{BASE}/cases/{case.id}").get_data(as_text=True))
    form = dict(edit_page.xpath("//main//form[@class='form']")[0].form_values())
    form.update(births="01.01.1980\n02.02.2010", family_group="G-2")
    colleague_saves_first(HandoverCase, lambda session: session.delete(session.get(HandoverCase, case.id)))
    response = caseworker.post(f"{BASE}/cases/{case.id}", data=form)
    assert response.status_code == 410
    assert "Jemand hat den Eintrag „54/1-2026“ gelöscht" in response.get_data(as_text=True)
    kept = lxml.html.fromstring(response.get_data(as_text=True)).get_element_by_id("send-again")
    assert kept.get("action") == f"{BASE}/cases/new"
    # The reference, shown but not changeable on the edit form, goes with the rest to the new case.
    assert caseworker.post(kept.get("action"), data=dict(kept.form_values())).status_code == 302
    with database() as db:
        again = db.scalars(select(HandoverCase)).one()
        assert (again.reference, again.family_group, len(again.persons)) == ("54/1-2026", "G-2", 2)


def test_a_case_changed_while_being_deleted_stays(caseworker, database, colleague_saves_first):
    case = add_case(database, "54/1-2026", [date(1980, 1, 1)])
    token = csrf_token(caseworker, f"{BASE}/cases/{case.id}")
    colleague_saves_first(HandoverCase, set_on(HandoverCase, case.id, family_group="G-1"))
    response = caseworker.post(f"{BASE}/cases/{case.id}/delete", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}")
    with database() as db:
        assert db.get(HandoverCase, case.id).family_group == "G-1"


def test_editing_a_case_keeps_its_persons_unless_their_dates_are_typed_again(caseworker, database, today):
    case = add_case(database, "54/1-2026", [date(1980, 1, 1), date(1982, 2, 2)])
    page = caseworker.get(f"{BASE}/cases/{case.id}").get_data(as_text=True)
    assert "1980" not in page and "Person 2" in page
    form = {"csrf_token": csrf_token(caseworker, f"{BASE}/cases/{case.id}"),
            "ready_on": today.isoformat(),
            "births": "", "family_group": "G-1", "letter_language": "", "version": "1"}
    assert caseworker.post(f"{BASE}/cases/{case.id}", data=form).status_code == 302
    with database() as db:
        stored = db.get(HandoverCase, case.id)
        assert stored.family_group == "G-1"
        assert [p.birth_key for p in stored.persons] == [birth_key("54/1-2026", date(1980, 1, 1)),
                                                         birth_key("54/1-2026", date(1982, 2, 2))]
    form = dict(form, births="03.03.1983", version="2")
    assert caseworker.post(f"{BASE}/cases/{case.id}", data=form).status_code == 302
    with database() as db:
        assert [p.birth_key for p in db.get(HandoverCase, case.id).persons] == [
            birth_key("54/1-2026", date(1983, 3, 3))]


NEW_CASE = f"{BASE}/cases/new"


def new_case_page(client, form_values, today) -> dict:
    """Return what a browser sends for the new case's page filled in, its own key included."""
    return form_values(client.get(NEW_CASE)).to_dict() | {"reference": "54/77-2026", "ready_on": today.isoformat(),
                                                          "births": "12.03.1980"}


def audited(database, action: str) -> int:
    with database() as db:
        return db.scalar(text("SELECT count(*) FROM core_audit_entry WHERE action = :action"), {"action": action})


def test_a_page_sent_twice_records_one_case_and_answers_as_its_first_sending(caseworker, database, form_values,
                                                                             today):
    values = new_case_page(caseworker, form_values, today)
    first = caseworker.post(NEW_CASE, data=values)
    assert first.status_code == 302 and "Fall 54/77-2026 erfasst." in caseworker.get(f"{BASE}/").get_data(as_text=True)
    # Sent again from the browser's history: the same answer, not "already recorded", and no second case.
    again = caseworker.post(NEW_CASE, data=values)
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert "Fall 54/77-2026 erfasst." in caseworker.get(f"{BASE}/").get_data(as_text=True)
    assert count_cases(database) == 1 and audited(database, "create") == 1
    # An edit sent twice is saved once; the second answer is the first's, not a colleague's conflict.
    with database() as db:
        url = f"{BASE}/cases/{db.scalars(select(HandoverCase.id)).one()}"
    edit = form_values(caseworker.get(url)).to_dict() | {"family_group": "G-1"}
    first = caseworker.post(url, data=edit)
    assert first.status_code == 302 and "Fall 54/77-2026 gespeichert." in caseworker.get(url).get_data(as_text=True)
    again = caseworker.post(url, data=edit)
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert "Fall 54/77-2026 gespeichert." in caseworker.get(url).get_data(as_text=True)
    with database() as db:
        assert (db.scalars(select(HandoverCase)).one().version, audited(database, "update")) == (2, 1)


def test_a_case_page_refused_as_a_conflict_is_saved_when_sent_again(caseworker, staff_client, database, form_values):
    case = add_case(database, "54/1-2026", [date(1980, 1, 1)])
    url = f"{BASE}/cases/{case.id}"
    colleague = staff_client("caseworker")
    mine = form_values(caseworker.get(url)).to_dict() | {"family_group": "G-2"}
    assert colleague.post(url, data=form_values(colleague.get(url)).to_dict() | {"family_group": "G-1"}
                          ).status_code == 302
    conflict = caseworker.post(url, data=mine)
    assert conflict.status_code == 409
    again = form_values(conflict).to_dict()
    assert again["sending_key"] == mine["sending_key"] and again["version"] == "2"
    assert caseworker.post(url, data=again).status_code == 302
    with database() as db:
        assert db.get(HandoverCase, case.id).family_group == "G-2"


@pytest.mark.parametrize("their_reference", ["54/77-2026", "54 77 2026"], ids=["same", "other-separators"])
def test_a_reference_two_caseworkers_record_at_once_is_refused_to_one_not_a_server_error(
        caseworker, staff_client, database, form_values, today, twice_at_once, their_reference):
    from portal_plugins.naturalisation import staff_views

    colleague = staff_client("caseworker")
    mine = new_case_page(caseworker, form_values, today)
    theirs = new_case_page(colleague, form_values, today) | {"reference": their_reference}
    # The first is held after its check found the reference free, until the second had the time to record it.
    _overlapped, first, second = twice_at_once(
        staff_views, "persons_born", lambda: caseworker.post(NEW_CASE, data=mine),
        lambda: colleague.post(NEW_CASE, data=theirs))
    saved, refused = sorted((first, second), key=lambda answer: answer.status_code)
    assert (saved.status_code, refused.status_code) == (302, 422)
    assert "Dieses Aktenzeichen ist schon erfasst." in refused.get_data(as_text=True)
    assert count_cases(database) == 1


CSV_HEADER = "aktenzeichen;bereit_ab;geburtsdatum;familie;sprache\n"


def test_persons_with_appointments_are_changed_by_recording_the_case_anew(caseworker, database, today):
    case = add_case(database, "54/1-2026", [date(1980, 1, 1)])
    assert plan(caseworker).status_code == 302 and appointments(database)
    form = {"csrf_token": csrf_token(caseworker, f"{BASE}/cases/{case.id}"), "ready_on": today.isoformat(),
            "births": "03.03.1983", "family_group": "", "letter_language": "", "version": "1"}
    response = caseworker.post(f"{BASE}/cases/{case.id}", data=form)
    assert response.status_code == 422 and "löschen Sie den Fall" in response.get_data(as_text=True)
    # The import, which cannot change them either, says the same instead of pointing to the form.
    page = upload(caseworker, CSV_HEADER + f"54/1-2026;{today:%d.%m.%Y};03.03.1983;;\n").get_data(as_text=True)
    assert "die schon Termine haben" in page and "im Formular" not in page
    with database() as db:
        assert [p.birth_key for p in db.get(HandoverCase, case.id).persons] == [birth_key("54/1-2026",
                                                                                          date(1980, 1, 1))]


def upload(client, text):
    return client.post(f"{BASE}/import", data={"csrf_token": csrf_token(client, f"{BASE}/import"),
                                               "file": (io.BytesIO(text.encode("utf-8")), "faelle.csv")},
                       content_type="multipart/form-data")


def test_import_saves_all_rows_or_nothing(caseworker, database, today):
    ready = today.strftime("%d.%m.%Y")
    bad = (CSV_HEADER + f"54/1-2026;{ready};01.02.1980;G-1;tr\n54/1-2026;{ready};03.04.1982;G-1;tr\n"
           f"54/2-2026;gestern;05.06.1990;;\n54/3-2026;{ready};07.08.1991;;xx\n54/1-2026;{ready};09.10.2010;G-9;tr\n")
    response = upload(caseworker, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Zeile 4" in page and "bereit_ab: „gestern“ ist kein Datum (erwartet: 2026-07-01 oder 01.07.2026)." in page
    assert "Zeile 5" in page and "Unbekannte Sprache „xx“" in page
    assert "Zeile 6" in page and "(siehe Zeile 2)" in page
    assert count_cases(database) == 0

    good = CSV_HEADER + f"54/1-2026;{ready};01.02.1980;G-1;tr\n54/1-2026;{ready};03.04.1982;G-1;tr\n" \
                        f"54/2-2026;{ready};05.06.1990;G-1;\n"
    assert upload(caseworker, good).status_code == 302
    with database() as db:
        cases = {c.reference: len(c.persons) for c in db.scalars(select(HandoverCase))}
    assert cases == {"54/1-2026": 2, "54/2-2026": 1}
    # The same file again changes nothing; other persons under a known reference are refused.
    assert upload(caseworker, good).status_code == 302
    assert "0 neu, 0 geändert, 2 unverändert" in caseworker.get(f"{BASE}/").get_data(as_text=True)
    response = upload(caseworker, CSV_HEADER + f"54/2-2026;{ready};05.06.1999;;\n")
    assert "schon mit anderen Personen erfasst" in response.get_data(as_text=True)
    # Listed beside the file's other bad rows, not only once they are mended.
    response = upload(caseworker, CSV_HEADER + f"54/9-2026;gestern;05.06.1990;;\n54/2-2026;{ready};05.06.1999;;\n")
    page = response.get_data(as_text=True)
    assert "Zeile 2" in page and "Zeile 3" in page and "schon mit anderen Personen erfasst" in page
    # A known case whose file lacks a row that was bad is not blamed for the missing person.
    response = upload(caseworker, CSV_HEADER + f"54/1-2026;{ready};01.02.1980;G-1;tr\n"
                                               f"54/1-2026;{ready};31.02.1982;G-1;tr\n")
    assert "Zeile 3" in response.get_data(as_text=True)
    assert "schon mit anderen Personen erfasst" not in response.get_data(as_text=True)
    assert count_cases(database) == 2
    # Another spelling is the same case, as the lookup finds it: never a second one nobody could look up.
    assert upload(caseworker, CSV_HEADER + f"54 2 2026;{ready};05.06.1990;G-1;\n").status_code == 302
    assert count_cases(database) == 2
    assert upload(caseworker, CSV_HEADER + f"54/3-2026;{ready};07.08.1991;;\n54 3 2026;{ready};08.08.1991;;\n")\
        .status_code == 302
    with database() as db:
        assert [len(case.persons) for case in db.scalars(select(HandoverCase).filter_by(reference="54/3-2026"))] == [2]
    assert count_cases(database) == 3


@pytest.mark.parametrize("written", ["fa-AF", "fa_AF", "FA-af", "de"])
def test_import_reads_a_language_as_tag_or_code_in_any_case(caseworker, database, today, written):
    ready = today.strftime("%d.%m.%Y")
    assert upload(caseworker, CSV_HEADER + f"54/7-2026;{ready};01.02.1980;;{written}\n").status_code == 302
    with database() as db:
        case = db.scalars(select(HandoverCase)).one()
    # German, the source language, means a letter in German only.
    assert case.letter_language == ("" if written == "de" else "fa_AF")


def test_import_names_a_missing_column(caseworker):
    response = upload(caseworker, "aktenzeichen;geburtsdatum\n54/1;01.01.1990\n")
    assert response.status_code == 422
    assert "Diese Spalten fehlen in der Kopfzeile: bereit_ab" in response.get_data(as_text=True)


def appointments(database):
    """Return the appointments with their persons and cases loaded."""
    with database() as db:
        found = db.scalars(
            select(HandoverAppointment)
            .order_by(HandoverAppointment.day, HandoverAppointment.starts_at, HandoverAppointment.office)
            .options(selectinload(HandoverAppointment.persons).selectinload(HandoverPerson.case))).all()
        return found


def test_planning_pairs_families_and_a_rerun_keeps_what_was_planned(caseworker, database, handover_settings, today):
    add_case(database, "54/1-2026", [date(1980, 1, 1), date(1982, 2, 2)], family_group="G-1")
    add_case(database, "54/2-2026", [date(2005, 3, 3)], family_group="G-1")
    add_case(database, "54/3-2026", [date(1990, 4, 4)])
    assert plan(caseworker).status_code == 302
    first = appointments(database)
    assert sorted(len(a.persons) for a in first) == [1, 1, 2]
    family = [a for a in first if any(c.family_group == "G-1" for c in a.cases)]
    assert len(family) == 2 and len({a.day for a in family}) == 1
    assert all(handover_settings.calendar(today).is_open(a.day) for a in first)
    snapshot = {a.id: (a.day, a.starts_at, a.office, a.version) for a in first}

    add_case(database, "54/4-2026", [date(1975, 5, 5)])
    assert plan(caseworker).status_code == 302
    second = appointments(database)
    assert len(second) == 4
    assert {a.id: (a.day, a.starts_at, a.office, a.version) for a in second if a.id in snapshot} == snapshot


def office_weekdays(app) -> set[int]:
    """Return the weekdays the office's opening hours name."""
    return {weekday for hours in app.config["PORTAL"]["office"]["opening_hours"] for weekday in hours["weekdays"]}


def test_planning_keeps_to_the_days_the_office_opens(app, caseworker, database):
    # Two rooms of four a day: twenty persons fill three days at least, so a closed day in between would be used.
    for number in range(1, 21):
        add_case(database, f"54/{number}-2026", [date(1980, 1, number)])
    assert office_weekdays(app) == {0, 1, 3}
    assert plan(caseworker).status_code == 302
    planned_days = {a.day for a in appointments(database)}
    assert len(planned_days) >= 3 and {day.weekday() for day in planned_days} <= {0, 1, 3}
    overview = caseworker.get(f"{BASE}/").get_data(as_text=True)
    assert "Mittwoch" not in overview and "Freitag" not in overview


@pytest.mark.portal_config({"plugin_settings": {"naturalisation": {"weekdays": [3]}}})
def test_handover_weekdays_of_their_own_narrow_the_opening_days(caseworker, database, handover_settings):
    assert handover_settings.weekdays == {3}
    for number in range(1, 11):
        add_case(database, f"54/{number}-2026", [date(1980, 1, number)])
    plan(caseworker)
    assert {a.day.weekday() for a in appointments(database)} == {3}


def test_the_demo_hands_over_on_opening_days_only(app, db):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    planned = db.scalars(select(HandoverAppointment)).all()
    assert planned and {a.day.weekday() for a in planned} <= office_weekdays(app)


def test_a_handover_day_the_office_is_closed_stops_the_start(make_app):
    with pytest.raises(Exception, match=r"'plugin_settings\.naturalisation\.weekdays'.*closed on.*: 2, 4"):
        make_app(plugins=["naturalisation"], plugin_settings={"naturalisation": {"weekdays": [0, 2, 4]}})
    wednesdays = {"opening_hours": [{"weekdays": [0, 2], "opens": "08:00", "closes": "12:00"}]}
    app = make_app(plugins=["naturalisation"], office=wednesdays,
                   plugin_settings={"naturalisation": {"weekdays": [2]}})
    with app.app_context():
        assert parse_settings(toolkit.plugin_settings("naturalisation")).weekdays == {2}


def test_a_handover_time_outside_the_opening_hours_stops_the_start(make_app):
    thursday = {"opening_hours": [{"weekdays": [3], "opens": "08:00", "closes": "12:00"},
                                  {"weekdays": [3], "opens": "13:00", "closes": "16:00"}]}
    # Ten appointments of 20 minutes from 11:00 run into the lunch break.
    with pytest.raises(Exception, match=r"handover at 12:00 on weekday 3 lies outside the office's opening hours"):
        make_app(plugins=["naturalisation"], office=thursday,
                 plugin_settings={"naturalisation": {"first_slot": "11:00"}})
    with pytest.raises(Exception, match=r"handover at 16:00 on weekday 3"):
        make_app(plugins=["naturalisation"], office=thursday,
                 plugin_settings={"naturalisation": {"first_slot": "13:00", "slot_minutes": 20}})
    # Eight of them from 13:00 end at 15:40, before closing.
    make_app(plugins=["naturalisation"], office=thursday,
             plugin_settings={"naturalisation": {"first_slot": "13:00", "daily_capacity": 8}})


def test_without_opening_days_handovers_keep_to_the_working_week(make_app):
    app = make_app(plugins=["naturalisation"], office={"opening_hours": []})
    with app.app_context():
        assert parse_settings(toolkit.plugin_settings("naturalisation")).weekdays == {0, 1, 2, 3, 4}


def on_the_day(monkeypatch, day: date) -> None:
    """Let the office's today be the planned appointments' day: outcomes are recorded on the day or after."""
    real = toolkit.office_today
    monkeypatch.setattr(toolkit, "office_today", lambda moment=None: day if moment is None else real(moment))


def test_missed_persons_wait_again_and_done_ones_are_finished(caseworker, database, monkeypatch):
    add_case(database, "54/1-2026", [date(1980, 1, 1)])
    add_case(database, "54/2-2026", [date(1981, 1, 1)])
    plan(caseworker)
    missed, done = appointments(database)
    on_the_day(monkeypatch, max(missed.day, done.day))
    for appointment, outcome in ((missed, "missed"), (done, "done")):
        url = f"{BASE}/days/{appointment.day.isoformat()}"
        pressed = {"csrf_token": csrf_token(caseworker, url), "version": appointment.version, "outcome": outcome}
        response = caseworker.post(f"{BASE}/appointments/{appointment.id}/outcome", data=pressed)
        assert response.status_code == 302
        # Pressed twice (a double tap without script): said once more, not a colleague's change.
        again = caseworker.post(f"{BASE}/appointments/{appointment.id}/outcome", data=pressed, follow_redirects=True)
        assert "inzwischen geändert" not in again.get_data(as_text=True)
        assert f"Termin um {appointment.starts_at:%H:%M}:" in again.get_data(as_text=True)
    with database() as db:
        assert [p.state for p in db.get(HandoverAppointment, missed.id).persons] == ["waiting"]
        assert [p.state for p in db.get(HandoverAppointment, done.id).persons] == ["done"]
    # A stale button press changes nothing.
    stale = caseworker.post(f"{BASE}/appointments/{done.id}/outcome", data={
        "csrf_token": csrf_token(caseworker, f"{BASE}/"), "version": done.version, "outcome": "cancelled"},
        follow_redirects=True)
    assert "Dieser Termin wurde inzwischen geändert." in stale.get_data(as_text=True)
    with database() as db:
        assert db.get(HandoverAppointment, done.id).state == "done"
    plan(caseworker)
    replanned = [a for a in appointments(database) if a.state == "planned"]
    assert [p.case.reference for a in replanned for p in a.persons] == ["54/1-2026"]


def test_an_outcome_racing_a_colleague_changes_nothing(caseworker, database, colleague_saves_first, monkeypatch):
    add_case(database, "54/1-2026", [date(1980, 1, 1)])
    plan(caseworker)
    [appointment] = appointments(database)
    on_the_day(monkeypatch, appointment.day)
    token = csrf_token(caseworker, f"{BASE}/days/{appointment.day.isoformat()}")
    moved_to = appointment.day + timedelta(days=3)
    colleague_saves_first(HandoverAppointment, set_on(HandoverAppointment, appointment.id, office="Raum 2",
                                                      day=moved_to))
    response = caseworker.post(f"{BASE}/appointments/{appointment.id}/outcome", data={
        "csrf_token": token, "version": appointment.version, "outcome": "done",
        "plan_day": appointment.day.isoformat()})
    # Back to the plan the button was on, not the day the colleague moved it to, where the next button would act.
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/days/{appointment.day.isoformat()}")
    [stored] = appointments(database)
    assert (stored.state, stored.office, [p.state for p in stored.persons]) == ("planned", "Raum 2", ["planned"])
    assert stored.day == moved_to


def test_a_later_appointment_cannot_be_handed_over_yet(caseworker, database):
    add_case(database, "54/1-2026", [date(1980, 1, 1)])
    plan(caseworker)
    [appointment] = appointments(database)
    url = f"{BASE}/days/{appointment.day.isoformat()}"
    plan_page = caseworker.get(url).get_data(as_text=True)
    assert 'value="done"' not in plan_page and 'value="cancelled"' in plan_page
    answer = caseworker.post(f"{BASE}/appointments/{appointment.id}/outcome", data={
        "csrf_token": csrf_token(caseworker, url), "version": appointment.version, "outcome": "done"},
        follow_redirects=True)
    assert "kann noch nicht übergeben oder verpasst sein" in answer.get_data(as_text=True)
    assert appointments(database)[0].state == "planned"


def test_a_move_racing_a_colleague_gives_a_conflict_and_keeps_the_input(caseworker, database,
                                                                         colleague_saves_first):
    add_case(database, "54/1-2026", [date(1980, 1, 1)])
    plan(caseworker)
    [appointment] = appointments(database)
    url = f"{BASE}/appointments/{appointment.id}/move"
    form = {"csrf_token": csrf_token(caseworker, url), "version": appointment.version,
            "day": appointment.day.isoformat(), "starts_at": "09:00", "office": appointment.office}
    colleague_saves_first(HandoverAppointment, set_on(HandoverAppointment, appointment.id, office="Raum 2"))
    response = caseworker.post(url, data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'selected value="09:00"' in page
    assert "Raum 2" in lxml.html.fromstring(page).xpath("string(//section[@role='alert'])")
    [stored] = appointments(database)
    assert (stored.office, stored.starts_at) == ("Raum 2", appointment.starts_at)


def test_moving_checks_the_target_slot(caseworker, database, handover_settings, today):
    add_case(database, "54/1-2026", [date(1980, 1, 1)])
    add_case(database, "54/2-2026", [date(1981, 1, 1)])
    plan(caseworker)
    first, second = appointments(database)
    url = f"{BASE}/appointments/{second.id}/move"
    token = csrf_token(caseworker, url)
    days = (today + timedelta(days=d) for d in range(1, 9))
    closed = next(day for day in days if not handover_settings.is_open(day))
    form = {"csrf_token": token, "version": second.version, "day": closed.isoformat(), "starts_at": "08:00",
            "office": "Raum 1"}
    response = caseworker.post(url, data=form)
    assert response.status_code == 422
    assert "An diesem Tag finden keine Übergaben statt." in response.get_data(as_text=True)
    taken = dict(form, day=first.day.isoformat(), starts_at=first.starts_at.strftime("%H:%M"), office=first.office)
    response = caseworker.post(url, data=taken)
    assert response.status_code == 422
    # The message stands at the time, the field to change.
    time_error = lxml.html.fromstring(response.get_data(as_text=True)).xpath("string(//*[@id='starts_at-error'])")
    assert "Zu dieser Zeit ist der Raum schon belegt." in time_error
    unchanged = dict(form, day=second.day.isoformat(), starts_at=second.starts_at.strftime("%H:%M"),
                     office=second.office)
    response = caseworker.post(url, data=unchanged, follow_redirects=True)
    assert "Der Termin ist unverändert." in response.get_data(as_text=True)
    assert "Bitte schicken Sie ein neues Einladungsschreiben" not in response.get_data(as_text=True)
    free = dict(taken, starts_at="09:00")
    assert caseworker.post(url, data=free).status_code == 302
    stale = caseworker.post(url, data=dict(free, starts_at="08:40"))
    assert stale.status_code == 409
    assert 'selected value="08:40"' in stale.get_data(as_text=True)
    assert appointments(database)[1].starts_at.strftime("%H:%M") == "09:00"


def test_a_slot_a_colleague_books_between_check_and_write_is_refused_not_a_server_error(caseworker, database,
                                                                                          colleague_saves_first):
    add_case(database, "54/1-2026", [date(1980, 1, 1)])
    add_case(database, "54/2-2026", [date(1981, 1, 1)])
    plan(caseworker)
    first, second = appointments(database)
    url = f"{BASE}/appointments/{second.id}/move"
    form = {"csrf_token": csrf_token(caseworker, url), "version": second.version, "day": first.day.isoformat(),
            "starts_at": "09:00", "office": first.office}
    # The check finds 09:00 free; then a colleague moves the first appointment there before the write.
    colleague_saves_first(HandoverAppointment, set_on(HandoverAppointment, first.id, starts_at=time(9, 0)))
    response = caseworker.post(url, data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Zu dieser Zeit ist der Raum schon belegt." in page and 'selected value="09:00"' in page
    stored = {appointment.id: appointment.starts_at for appointment in appointments(database)}
    assert stored == {first.id: time(9, 0), second.id: second.starts_at}


@pytest.mark.portal_config({"public_url": "https://termine.example.org"})
def test_day_plan_and_letters_in_german_and_the_clients_language(caseworker, database):
    add_case(database, "54/1-2026", [date(1980, 1, 31), date(1982, 2, 2)], letter_language="en")
    plan(caseworker)
    (appointment,) = appointments(database)
    day_plan = caseworker.get(f"{BASE}/days/{appointment.day.isoformat()}").get_data(as_text=True)
    assert "54/1-2026" in day_plan and "Person 2" in day_plan and "geplant" in day_plan
    # Dates of birth are stored as keyed hashes only: no page can show them.
    assert "31.01.1980" not in day_plan and "1980" not in day_plan
    letters = caseworker.get(f"{BASE}/days/{appointment.day.isoformat()}/letters").get_data(as_text=True)
    assert letters.count('<article class="naturalisation-letter"') == 2
    assert 'lang="de" dir="ltr"' in letters and 'lang="en" dir="ltr"' in letters
    assert "Einladung zur Übergabe Ihrer Einbürgerungsurkunde" in letters
    assert "Invitation to collect your naturalisation certificate" in letters
    # The address clients reach (public_url), not the one staff reached the letters by.
    assert "https://termine.example.org/en/naturalisation/" in letters
    assert "https://termine.example.org/de/naturalisation/" in letters
    assert "localhost/de/naturalisation" not in letters and "localhost/en/naturalisation" not in letters
    assert "2 Personen" in letters and "1980" not in letters


def test_a_shared_appointment_counts_each_case_s_own_persons_in_its_letter_and_on_its_page(caseworker, app,
                                                                                             database):
    add_case(database, "54/2001-2026", [date(1970, 1, 1), date(1972, 2, 2), date(2004, 3, 3)], family_group="FAM-A")
    add_case(database, "54/2002-2026", [date(1960, 11, 11)], family_group="FAM-A")
    plan(caseworker)
    shared = [a for a in appointments(database) if len({p.case_id for p in a.persons}) == 2]
    assert len(shared) == 1
    letters = caseworker.get(f"{BASE}/days/{shared[0].day.isoformat()}/letters").get_data(as_text=True)
    # The day plan says whose file each person of the shared appointment belongs to.
    day_plan = caseworker.get(f"{BASE}/days/{shared[0].day.isoformat()}").get_data(as_text=True)
    assert "<bdi>54/2001-2026</bdi>: Person 3" in day_plan and "<bdi>54/2002-2026</bdi>: Person 1" in day_plan
    client = app.test_client()
    url = "/de/naturalisation/"
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "reference": "54/2002-2026", "day": "11",
                                  "month": "11", "year": "1960"}, follow_redirects=True).get_data(as_text=True)
    # The other case's person is neither counted nor betrayed: one person, as the letter says.
    assert "1 Person" in page and "2 Personen" not in page
    assert "1 Person" in letters
    # Deleting the larger case cancels its own appointment (one, each named once), not the shared one.
    with database() as db:
        big = db.scalars(select(HandoverCase).where(HandoverCase.reference == "54/2001-2026")).one()
        own = [a.id for a in appointments(database) if {p.case_id for p in a.persons} == {big.id}]
    url = f"{BASE}/cases/{big.id}/delete"
    assert "1 geplanter Termin des Falls wird abgesagt." in caseworker.get(url).get_data(as_text=True)
    assert caseworker.post(url, data={"csrf_token": csrf_token(caseworker, url), "version": "1"}).status_code == 302
    states = {a.id: (a.state, [p.case_id for p in a.persons]) for a in appointments(database)}
    assert states[shared[0].id][0] == "planned" and len(states[shared[0].id][1]) == 1
    assert [states[i][0] for i in own] == ["cancelled"]


def test_the_audit_log_tells_plans_and_outcomes_in_the_readers_words(caseworker, staff_client, database, today,
                                                                     monkeypatch):
    add_case(database, "54/1-2026", [date(1980, 1, 1)])
    plan(caseworker)
    (appointment,) = appointments(database)
    on_the_day(monkeypatch, appointment.day)
    caseworker.post(f"{BASE}/appointments/{appointment.id}/outcome", data={
        "csrf_token": csrf_token(caseworker, f"{BASE}/"), "version": appointment.version, "outcome": "done"})
    # A planning run is named by the office day it ran on.
    outcome, planned = audit_log(staff_client("admin"), "en")
    # Appointments are named as staff know them, not by the database's number.
    slot = f"{appointment.day.isoformat()} {appointment.starts_at:%H:%M} {appointment.office}"
    assert (outcome.what, outcome.summary, outcome.changes) == (
        f"Certificate handed over {appointment.id}", f"{slot}: 54/1-2026",
        ["Status | Before: planned | After: handed over"])
    # The run's entry is no single record's, which purge could clear: it names no file number.
    assert (planned.what, planned.changes) == (f"Appointments planned {today.isoformat()}",
                                               [f"Newly planned appointments | After: {slot}",
                                                "Still without an appointment | After: 0"])


def test_the_audit_log_tells_case_changes_in_the_readers_words(caseworker, staff_client, database, today):
    case = add_case(database, "54/1-2026", [date(1980, 1, 1)], letter_language="tr")
    url = f"{BASE}/cases/{case.id}"
    form = {"csrf_token": csrf_token(caseworker, url), "ready_on": today.isoformat(), "births": "",
            "family_group": "G-1", "letter_language": "ar", "version": "1"}
    assert caseworker.post(url, data=form).status_code == 302
    # The case's page only links to the delete page, which asks once more and names what goes with the case.
    assert f'href="{url}/delete"' in caseworker.get(url).get_data(as_text=True)
    question = caseworker.get(f"{url}/delete").get_data(as_text=True)
    assert "endgültig löschen?" in question and 'value="2"' in question and f'href="{url}"' in question
    assert caseworker.post(f"{url}/delete", data={"csrf_token": form["csrf_token"], "version": "2"}).status_code == 302
    assert upload(caseworker, CSV_HEADER + f"54/2-2026;{today.strftime('%d.%m.%Y')};05.06.1990;;\n").status_code == 302
    imported, deleted, changed = audit_log(staff_client("admin"), "en")
    assert imported.what == "Cases imported faelle.csv" and imported.changes[0] == "Newly created | After: 1"
    assert deleted.what == f"Case deleted {case.id}"
    assert deleted.changes[0] == "File number | Before: 54/1-2026"
    assert (changed.what, changed.changes) == (f"Case changed {case.id}", [
        "Family | Before: – | After: G-1",
        "Second language of the invitation letter | Before: Turkish | After: Arabic"])


@pytest.mark.parametrize("key, value", [("daily_capacity", 0), ("offices", []), ("offices", ["Raum 1", "Raum 1"]),
                                        ("first_slot", "8 Uhr"), ("holidays", ["24.12.2026"]), ("weekdays", [7]),
                                        ("weekdays", []), ("horizon_days", 3), ("daily_capacity", 100)])
def test_bad_settings_stop_the_start_naming_their_key(make_app, key, value):
    with pytest.raises(Exception, match=rf"Configuration error in 'plugin_settings\.naturalisation\.{key}(\.\d+)?'"):
        make_app(plugins=["naturalisation"], plugin_settings={"naturalisation": {key: value}})
