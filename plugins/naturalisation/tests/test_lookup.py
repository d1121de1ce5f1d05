"""Clients look up their handover appointment by case reference and a date of birth."""

import base64
import re
from datetime import UTC, date, datetime, time, timedelta

import lxml.html
from portal_plugins.naturalisation import portal_purge_expired
from portal_plugins.naturalisation.models import (
    HandoverAppointment,
    HandoverCase,
    HandoverPerson,
    appointment_person,
    birth_key,
    persons_born,
)
from portal_plugins.naturalisation.retention import purge_handed_over
from sqlalchemy import delete, select, text, update

from portal import toolkit
from portal.testing import csrf_token, empty_tables

URL = "/de/naturalisation/"
NOT_FOUND = "Zu diesen Angaben haben wir nichts gefunden."


def add_planned_case(database, reference="54/12-2026", births=(date(1985, 7, 31), date(2010, 1, 2)),
                     day=None, state="planned", starts_at=time(9, 20)):
    with database() as db:
        day = day or toolkit.office_today() + timedelta(days=3)
        case = HandoverCase(reference=reference, ready_on=toolkit.office_today(),
                    persons=[HandoverPerson(position=i, birth_key=birth_key(reference, b),
                                            state="done" if state == "done" else "planned")
                             for i, b in enumerate(births, start=1)])
        db.add(case)
        db.add(HandoverAppointment(day=day, starts_at=starts_at, office="Raum 2", state=state, persons=case.persons))
        db.commit()
        return case.id


def look_up(client, reference, born, lang="de", address="127.0.0.1", follow_redirects=True):
    """Post the lookup form and follow it to the answer; `born` is written as 1985-07-31, typed into three boxes."""
    url = f"/{lang}/naturalisation/"
    year, month, day = born.split("-") if born else ("", "", "")
    return client.post(url, data={"csrf_token": csrf_token(client, url), "reference": reference,
                                  "day": day, "month": month, "year": year}, environ_base={"REMOTE_ADDR": address},
                       follow_redirects=follow_redirects)


def test_the_appointment_shows_with_either_persons_date_of_birth(client, database):
    add_planned_case(database)
    for born in ("1985-07-31", "2010-01-02"):
        response = look_up(client, " 54/12-2026", born)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Ihr Termin" in page and "09:20" in page and "Raum 2" in page and "2 Personen" in page
        assert "Musterstraße 1" in page


def test_the_answer_has_an_address_of_its_own_that_expires(app, client, database, monkeypatch):
    case_id = add_planned_case(database)
    answer = look_up(client, "54/12-2026", "1985-07-31", follow_redirects=False)
    # A redirect after the post: Back, reloading and another language show the answer, never send the form again.
    assert answer.status_code == 303
    address = answer.headers["Location"]
    assert re.fullmatch(r"/de/naturalisation/result/[\w.-]+", address)
    # The token carries the case's number alone: nothing a client typed.
    assert base64.urlsafe_b64decode(address.rsplit("/", 1)[1].split(".")[0] + "==") == str(case_id).encode()
    fresh = app.test_client()
    page = fresh.get(address)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Ihr Termin" in page.get_data(as_text=True) and "Raum 2" in page.get_data(as_text=True)
    arabic = fresh.get(address.replace("/de/", "/ar/")).get_data(as_text=True)
    assert 'lang="ar"' in arabic and "Raum 2" in arabic
    assert f'href="{address.replace("/de/", "/en/")}"' in page.get_data(as_text=True)
    forged = fresh.get(address[:-3] + "xyz")
    assert forged.status_code == 404 and "abgelaufen oder ungültig" in forged.get_data(as_text=True)
    # The heading says what happened, not "page not found"; the button leads to the lookup it names.
    assert "<h1>Link abgelaufen oder ungültig</h1>" in forged.get_data(as_text=True)
    assert '<a class="button" href="/de/naturalisation/">Termin prüfen</a>' in forged.get_data(as_text=True)
    monkeypatch.setitem(app.config["PORTAL"]["plugin_settings"]["naturalisation"], "result_link_minutes", 1)
    import time as clock
    real_time = clock.time
    monkeypatch.setattr(clock, "time", lambda: real_time() + 120)
    assert fresh.get(address).status_code == 404


def test_a_deleted_case_is_no_longer_shown_at_its_address(client, database):
    case_id = add_planned_case(database)
    address = look_up(client, "54/12-2026", "1985-07-31", follow_redirects=False).headers["Location"]
    with database() as db:
        db.execute(delete(appointment_person))
        db.execute(delete(HandoverAppointment))
        db.execute(delete(HandoverPerson).where(HandoverPerson.case_id == case_id))
        db.execute(delete(HandoverCase).where(HandoverCase.id == case_id))
        db.commit()
    assert client.get(address).status_code == 404


def test_wrong_reference_or_date_of_birth_get_the_same_answer(client, database):
    add_planned_case(database)
    answers = [look_up(client, "54/12-2026", "1985-07-30"), look_up(client, "54/13-2026", "1985-07-31")]
    for response in answers:
        assert response.status_code == 200
        assert NOT_FOUND in response.get_data(as_text=True)
    assert answers[0].get_data(as_text=True).count(NOT_FOUND) == 1


def test_waiting_and_handed_over_cases_say_so(client, database, today):
    with database() as db:
        db.add(HandoverCase(reference="54/1-2026", ready_on=today,
                    persons=persons_born("54/1-2026", [date(1990, 1, 1)])))
        db.commit()
    assert "Noch kein Termin" in look_up(client, "54/1-2026", "1990-01-01").get_data(as_text=True)
    add_planned_case(database, reference="54/2-2026", day=today - timedelta(days=1), state="done")
    assert "Urkunde übergeben" in look_up(client, "54/2-2026", "1985-07-31").get_data(as_text=True)


def test_bad_input_is_explained_and_kept(client):
    response = look_up(client, "54/12<2026", "")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Das Aktenzeichen darf nur Buchstaben" in page
    assert "Bitte geben Sie Tag, Monat und Jahr Ihrer Geburt ein." in page
    assert 'value="54/12&lt;2026"' in page
    assert 'aria-invalid="true"' in page


def test_lookups_are_rate_limited(client):
    statuses = [look_up(client, "54/1", "1990-01-01").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


def test_switching_the_language_after_an_error_uses_up_no_lookups(client):
    refused = look_up(client, "54/1", "1984-02-31").get_data(as_text=True)
    switch = lxml.html.fromstring(refused).get_element_by_id("language-list").getparent()
    carried = {field.get("name"): field.get("value") for field in switch.xpath("./input[@type='hidden']")}
    for language in ["ar", "tr", "de", "en"] * 4:
        answer = client.post(switch.xpath(f".//button[@lang='{language}']/@formaction")[0], data=carried)
        assert answer.status_code == 422 and 'value="31"' in answer.get_data(as_text=True)
    # The refused lookup counted; the sixteen switches did not: nine more lookups fit the limit of ten a minute.
    statuses = [look_up(client, "54/1", "1990-01-01").status_code for _ in range(10)]
    assert statuses == [200] * 9 + [429]


def test_handed_over_cases_are_deleted_after_the_retention_period(database, today):
    old = today - timedelta(days=200)
    kept_waiting = add_planned_case(database, reference="54/1-2026", day=old, state="planned")
    handed_over = add_planned_case(database, reference="54/2-2026", day=old, state="done", starts_at=time(8))
    recent = add_planned_case(database, reference="54/3-2026", day=today - timedelta(days=5), state="done")
    with database() as db:
        for case_id, reference in ((handed_over, "54/2-2026"), (recent, "54/3-2026")):
            toolkit.audit("update", "naturalisation_case", case_id, actor="sachbearbeitung@amt.example",
                          summary=reference, after={"reference": reference})
        assert purge_handed_over(db, toolkit.utcnow()) == 1
        db.commit()
        assert {c.id for c in db.query(HandoverCase)} == {kept_waiting, recent}
        assert db.query(HandoverAppointment).count() == 2
        # The log keeps that a case was changed then, not its file number.
        logged = db.execute(text("SELECT summary FROM core_audit_entry ORDER BY id")).scalars().all()
        assert logged == ["", "54/3-2026"]


def test_cases_never_completed_are_deleted_after_their_retention_period(app, database, today):
    long_ago = today - timedelta(days=400)
    forgotten = add_planned_case(database, reference="54/1-2026", day=long_ago, state="planned")
    lately_planned = add_planned_case(database, reference="54/2-2026", day=today - timedelta(days=30))
    never_invited = add_planned_case(database, reference="54/3-2026", day=long_ago, starts_at=time(8))
    with database() as db:
        recorded = datetime.combine(long_ago, time(12), tzinfo=UTC)
        db.execute(update(HandoverCase).values(created_at=recorded, ready_on=long_ago))
        db.execute(delete(HandoverAppointment).where(HandoverAppointment.id.in_(
            select(appointment_person.c.appointment_id).join(HandoverPerson).where(
                HandoverPerson.case_id == never_invited))))
        db.commit()
        assert portal_purge_expired(db, toolkit.utcnow()) == 2
        db.commit()
        assert {c.id for c in db.query(HandoverCase)} == {lately_planned}
        assert db.query(HandoverPerson).count() == 2
        assert db.query(HandoverAppointment).count() == 1
    assert forgotten != never_invited


def test_what_to_bring_and_the_house_rules_join_the_result_when_those_plugins_are_enabled(make_app, portal_config):
    app = make_app(**{**portal_config, "plugins": ["naturalisation", "checklists", "hygiene"]})
    try:
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        client = app.test_client()
        page = look_up(client, "54/1001-2026", "1984-03-02").get_data(as_text=True)
        assert "Ihr Termin" in page and "Aushändigung der Einbürgerungsurkunde" in page
        # Both answer the naturalisation result's own slot, in the configured order.
        assert 0 < page.index('class="callout checklists-box"') < page.index('class="callout hygiene-summary"')
    finally:
        empty_tables(app)


def test_failed_lookups_are_limited_per_case_whatever_the_address(app, client, database):
    add_planned_case(database)
    settings = app.config["PORTAL"]["plugin_settings"]["naturalisation"]
    settings["failed_lookups_per_case"] = "3 per hour"
    try:
        codes = [look_up(client, "54/12-2026", f"1970-01-0{i + 1}", address=f"10.7.0.{i}").status_code
                 for i in range(3)]
        assert codes == [200, 200, 200]
        # The fourth address, even with the right date of birth and the reference typed differently.
        assert look_up(client, "54 12 2026", "1985-07-31", address="10.7.0.9").status_code == 429
        # Another case is not affected.
        assert look_up(client, "54/13-2026", "1985-07-31", address="10.7.0.9").status_code == 200
    finally:
        settings["failed_lookups_per_case"] = "10 per hour"


def test_references_are_forgiven_spaces_separators_case_and_other_digits(client, database):
    add_planned_case(database, reference="EB/54-2026")
    for typed in ("EB/54-2026", "eb 54 2026", "EB542026", "EB/٥٤-٢٠٢٦", "EB/۵۴-۲۰۲۶"):
        assert "Raum 2" in look_up(client, typed, "1985-07-31").get_data(as_text=True), typed


def test_the_date_of_birth_comes_in_three_boxes_with_clear_messages(client, database):
    add_planned_case(database)
    url = URL
    page = client.get(url).get_data(as_text=True)
    assert 'type="date"' not in page
    for name in ("day", "month", "year"):
        assert f'name="{name}"' in page
    assert 'inputmode="numeric"' in page and 'autocomplete="bday-year"' in page
    assert 'name="reference"' in page and 'dir="ltr"' in page
    for born, message in (("99999999999999999999-1-1", "Dieses Datum gibt es nicht."),
                          ("2999-01-01", "Bitte prüfen Sie das Geburtsdatum.")):
        response = look_up(client, "54/12-2026", born)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
        assert f'value="{born.split("-")[0]}"' in response.get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, url), "reference": "54/12-2026", "day": "٣١", "month": "٧",
            "year": "١٩٨٥"}
    assert "Raum 2" in client.post(url, data=data, follow_redirects=True).get_data(as_text=True)


def test_the_time_is_isolated_not_forced_left_to_right(client, database):
    add_planned_case(database)
    page = look_up(client, "54/12-2026", "1985-07-31", lang="ar").get_data(as_text=True)
    result = page[page.index('id="lookup-result"'):page.index("</section>", page.index('id="lookup-result"'))]
    assert re.search(r"<dd><bdi>[^<]*9[^<]*</bdi></dd>", result)
    assert 'dir="ltr"' not in result
