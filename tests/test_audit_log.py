"""The audit log as staff read it: what happened in words, each change as before and after, in office time."""

import logging
from datetime import UTC, datetime

import lxml.html
import pytest
from sqlalchemy import select, text

from portal import toolkit
from portal.plugins import PluginError
from portal.staff.auth import audit
from portal.staff.changes import collect_audit_targets
from portal.staff.models import AuditEntry
from portal.testing import DESKTOP, assert_no_horizontal_scroll, audit_log, browser_sign_in

# A target of the kind a plugin declares, with a field of each shape the log shows.
SAMPLE = toolkit.AuditTarget(
    "core_sample",
    actions={"update": "Beispiel geändert", "create": "Beispiel angelegt", "end": "Beispiel beendet"},
    fields={"status": "Stand", "starts_at": "Beginn", "room": "Raum", "text": "Text", "mask": "Maske",
            "email": "E-Mail", "days": "Tage", "title": "Titel", "languages": "Sprachen"},
    values={"status": {"scheduled": "geplant", "postponed": "verschoben"}.__getitem__,
            "languages": toolkit.readable_languages},
)


@pytest.fixture
def sample_target(app, monkeypatch):
    """Declare the sample target for this test, as a plugin's PluginInfo(audit_targets=...) would."""
    monkeypatch.setitem(app.extensions["portal.audit_targets"], SAMPLE.name, SAMPLE)


def test_changes_show_in_the_targets_words_in_office_time_and_plain_letters(data, staff_client, sample_target):
    def record(session):
        audit("update", "core_sample", 7, actor="sachbearbeitung@amt.example",
              before={"status": "scheduled", "starts_at": "2026-12-03T08:30:00+00:00", "room": "Raum 1",
                      "text": {"de": "Maske tragen", "ar": "ارتدِ الكمامة"}},
              after={"status": "postponed", "starts_at": "2026-12-03T13:00:00+00:00", "room": "Raum 1",
                     "text": {"de": "Maske tragen", "ar": "يرجى ارتداء الكمامة"}, "mask": True})
        audit("create", "core_sample", 8, actor="admin@amt.example",
              after={"email": "a.demir@amt.example", "days": ["Montag", "Dienstag", "Mittwoch"],
                     "languages": "ar fa_AF", "status": "withdrawn"})
    data(record)
    admin = staff_client("admin")
    page = admin.get("/de/staff/audit").get_data(as_text=True)
    assert "\\u" not in page and "<pre" not in page
    created, updated = audit_log(admin)[:2]
    assert (created.what, updated.what) == ("Beispiel angelegt 8", "Beispiel geändert 7")
    # Winter in Berlin: 08:30 UTC is 09:30 office time.
    assert updated.changes == [
        "Stand | Vorher: geplant | Nachher: verschoben",
        "Beginn | Vorher: 03.12.26, 09:30 | Nachher: 03.12.26, 14:00",
        "Text (Arabisch) | Vorher: ارتدِ الكمامة | Nachher: يرجى ارتداء الكمامة",
        "Maske | Nachher: Ja",
    ]
    # A status the describer does not know (one since removed) shows as stored.
    assert created.changes == ["E-Mail | Nachher: a.demir@amt.example", "Tage | Nachher: Montag, Dienstag und Mittwoch",
                       "Sprachen | Nachher: Arabisch und Dari", "Stand | Nachher: withdrawn"]


def test_a_purged_records_entries_keep_who_did_what_and_when_but_none_of_its_data(data, staff_client, sample_target):
    def record(session):
        for target in (7, 8, 9):
            audit("update", "core_sample", target, actor="sachbearbeitung@amt.example", summary=f"M-10000{target}",
                  before={"status": "scheduled", "room": "Raum 1"}, after={"status": "postponed", "room": "Raum 2"})
        audit("deactivate", "staff_account", 7, actor="admin@amt.example", summary="Andere Art, gleiche Nummer")
    data(record)
    assert data(lambda session: toolkit.forget_audit_details("core_sample", [7, "9"])) == 2
    entries = data(lambda session: [(entry.target_id, entry.actor, entry.action, entry.summary, entry.before,
                                     entry.after) for entry in session.scalars(select(AuditEntry)
                                                                              .order_by(AuditEntry.id))])
    assert entries == [
        ("7", "sachbearbeitung@amt.example", "update", "", None, None),
        ("8", "sachbearbeitung@amt.example", "update", "M-100008", {"status": "scheduled", "room": "Raum 1"},
         {"status": "postponed", "room": "Raum 2"}),
        ("9", "sachbearbeitung@amt.example", "update", "", None, None),
        ("7", "admin@amt.example", "deactivate", "Andere Art, gleiche Nummer", None, None),
    ]
    # The log still reads: the change of record 7 by whom and when, without what it was.
    whats = [entry.what for entry in audit_log(staff_client("admin"))]
    assert whats.count("Beispiel geändert 7") == 1 and "Beispiel geändert 9" in whats


def test_a_long_value_is_folded_after_its_beginning(data, staff_client, sample_target, parse):
    body = "Ab Montag gilt: " + "bitte mit Termin. " * 40
    data(lambda session: audit("update", "core_sample", 9, actor="redaktion@amt.example",
                               before={"title": "kurz"}, after={"title": body.strip()}))
    page = parse(staff_client("admin").get("/de/staff/audit"))
    [folded] = page.xpath("//details[@class='audit-long']")
    assert folded.xpath("string(summary)").startswith("Ab Montag gilt: bitte mit Termin.")
    assert len(folded.xpath("string(summary)")) < 130 and body.strip() in folded.text_content()
    assert not page.xpath("//dd[contains(., 'Vorher')]//details")


def test_an_entry_in_nobodys_words_shows_the_codes_names(data, staff_client):
    # Written by a plugin that is no longer enabled, or before its words were declared.
    data(lambda session: session.add(AuditEntry(actor="a@amt.example", action="end", target_type="closures_closure",
                                                target_id="4", after={"ends_on": "2026-12-24"})))
    [entry] = audit_log(staff_client("admin"))
    assert (entry.what, entry.changes) == ("end closures_closure #4", ["ends_on | Nachher: 24.12.2026"])


def test_an_entry_without_words_fails_under_test_and_is_kept_in_service(app, data, sample_target, caplog):
    with pytest.raises(ValueError, match="action 'archive' of 'core_sample', field 'colour' of 'core_sample'"):
        data(lambda session: audit("archive", "core_sample", 1, after={"colour": "blau", "status": "scheduled"}))
    with pytest.raises(ValueError, match="target type 'core_other'"):
        data(lambda session: audit("update", "core_other", 1))
    app.testing = False
    try:
        with caplog.at_level(logging.WARNING, logger="portal.staff.auth"):
            data(lambda session: audit("archive", "core_sample", 1, after={"colour": "blau"}))
    finally:
        app.testing = True
    assert "no words for action 'archive' of 'core_sample', field 'colour'" in caplog.text
    assert data(lambda session: session.scalars(select(AuditEntry.action)).all()) == ["archive"]


def test_a_failing_describer_leaves_its_value_as_stored_and_the_log_readable(app, data, staff_client, monkeypatch,
                                                                            caplog):
    def broken(value):
        raise TypeError("a plugin's mistake")

    target = toolkit.AuditTarget("core_sample", actions={"update": "Beispiel geändert"}, fields={"room": "Raum"},
                                 values={"room": broken})
    monkeypatch.setitem(app.extensions["portal.audit_targets"], target.name, target)
    data(lambda session: audit("update", "core_sample", 1, before={"room": "2.14"}, after={"room": None}))
    with caplog.at_level(logging.ERROR, logger="portal.staff.changes"):
        [entry] = audit_log(staff_client("admin"))
    assert entry.changes == ["Raum | Vorher: 2.14 | Nachher: –"]
    assert "describer" in caplog.text and "a plugin's mistake" in caplog.text


def test_changes_nobody_on_staff_made_are_named_in_words(app, data, staff_client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["staff", "create-account", "--email", "leitung@amt.example", "--name", "Leitung",
                               "--role", "admin"], input="Sonnenblume-Akte-77\n").exit_code == 0
    data(lambda session: audit("create", "staff_account", 99, after={"email": "zeitplan@amt.example"}))
    page = lxml.html.fromstring(staff_client("admin").get("/en/staff/audit").get_data(as_text=True))
    actors = [cell.text_content() for cell in page.xpath("//table[contains(@class, 'audit')]/tbody/tr/td[2]")]
    assert actors == ["Portal (automatic)", "Command line on the server"]


@pytest.mark.portal_config({"plugins": ["notices", "hygiene"]})
def test_the_log_narrows_to_one_area_or_one_person_and_keeps_the_choice(data, staff_client, parse):
    def record(session):
        audit("create", "hygiene_rule", 1, after={"kind": "mask"}, actor="redaktion@amt.example")
        audit("create", "staff_account", 2, after={"email": "neu@amt.example"}, actor="leitung@amt.example")
        audit("update", "hygiene_rule", 1, after={"persons": 2}, actor="leitung@amt.example")
    data(record)
    admin = staff_client("admin")
    page = parse(admin.get("/de/staff/audit"))
    offered = page.xpath("//select[@name='area']/option/text()")
    assert offered == ["Alle Bereiche", "Konten", "Mitteilungen", "Hygieneregeln"]
    assert [entry.what for entry in audit_log(admin)] == ["Hygieneregel geändert 1", "Konto angelegt 2",
                                                          "Hygieneregel angelegt 1"]
    assert [row.what for row in audit_log(admin, area="hygiene")] == ["Hygieneregel geändert 1",
                                                                      "Hygieneregel angelegt 1"]
    selected = parse(admin.get("/de/staff/audit?area=hygiene")).xpath("//select[@name='area']/option[@selected]")
    assert [option.get("value") for option in selected] == ["hygiene"]
    # Any part of the address, in any case, finds the person's changes.
    assert [row.what for row in audit_log(admin, area="hygiene", actor=" LEITUNG ")] == ["Hygieneregel geändert 1"]
    assert not audit_log(admin, actor="100%")
    assert "Keine Änderungen für diese Auswahl." in admin.get("/de/staff/audit?actor=100%25").get_data(as_text=True)


def test_a_choice_not_in_the_list_is_refused_with_a_message_and_narrows_nothing(data, staff_client, parse):
    data(lambda session: audit("create", "staff_account", 2, after={"email": "neu@amt.example"}))
    response = staff_client("admin").get("/de/staff/audit?area=nirgends&actor=x")
    assert response.status_code == 422
    assert "Bitte aus der Liste wählen." in parse(response).xpath("string(//*[contains(@class, 'error-summary')])")
    assert [row.what for row in audit_log(staff_client("admin"), area="nirgends")] == ["Konto angelegt 2"]


def test_a_plugin_names_its_targets_after_itself(app):
    def loaded(*targets):
        info = toolkit.PluginInfo(name="closures", title="C", description="C", version="1.0.0",
                                  audit_targets=targets)
        return [type("Loaded", (), {"name": "closures", "info": info})()]

    closure = toolkit.AuditTarget("closures_closure", actions={"create": "Schließung angelegt"})
    assert collect_audit_targets(loaded(closure))["closures_closure"] is closure
    with pytest.raises(PluginError, match="audit target 'notices_notice' must be named 'closures_<thing>'"):
        collect_audit_targets(loaded(toolkit.AuditTarget("notices_notice", actions={})))
    with pytest.raises(PluginError, match="declared twice"):
        collect_audit_targets(loaded(closure, closure))


def test_arabic_lists_take_arabic_punctuation(data, staff_client, sample_target):
    data(lambda session: audit("create", "core_sample", 8, after={"days": ["الاثنين", "الثلاثاء", "الأربعاء"]}))
    page = staff_client("admin").get("/ar/staff/audit").get_data(as_text=True)
    assert "الاثنين والثلاثاء والأربعاء" in page


def test_on_a_right_to_left_page_the_numbers_read_left_to_right_and_names_are_isolated(data, staff_client,
                                                                                     sample_target):
    data(lambda session: audit("end", "core_sample", 4, actor="schalter-3@amt.example", summary="A 004 → Schalter 3"))
    page = lxml.html.fromstring(staff_client("admin").get("/ar/staff/audit").get_data(as_text=True))
    row = page.xpath("//table[contains(@class, 'audit')]/tbody/tr")[0]
    code = row.xpath(".//code")[0]
    assert (code.text_content(), code.get("dir"), code.get("translate")) == ("4", "ltr", "no")
    assert [bdi.text_content() for bdi in row.xpath(".//bdi")] == ["schalter-3@amt.example", "A 004 → Schalter 3"]


def test_snapshots_are_stored_readably_and_old_escaped_rows_render_readably(data, database, staff_client,
                                                                          sample_target):
    data(lambda session: audit("update", "core_sample", 1, before={"title": "Öffnungszeiten"},
                               after={"title": "مواعيد العمل"}))
    with database() as session:
        stored = session.execute(text("SELECT CAST(after AS TEXT) FROM core_audit_entry")).scalar_one()
        assert "مواعيد العمل" in stored and "\\u" not in stored
        # A row written before: JSON with escapes, as the old serializer stored it.
        session.execute(text("INSERT INTO core_audit_entry (at, actor, action, target_type, target_id, before, "
                             "after, summary) VALUES (:at, 'alt@amt.example', 'update', 'core_sample', '2', "
                             ":before, NULL, '')"),
                        {"at": datetime(2026, 1, 5, 9, tzinfo=UTC), "before": '{"title": "Gr\\u00fc\\u00dfe"}'})
        session.commit()
        assert session.query(AuditEntry).count() == 2
    assert audit_log(staff_client("admin"))[1].changes == ["Titel | Vorher: Grüße"]


@pytest.mark.browser
def test_the_log_fits_a_desktop_without_scrolling_its_table(browser, live_server, data, make_staff):
    long_text = "Bitte bringen Sie Ihre Lebenspartnerschaftsurkunde und eine beglaubigte Übersetzung mit. " * 4
    # Stored as it is, for the live server knows no sample target: the log shows the code's names of the fields.
    data(lambda session: session.add(AuditEntry(
        actor="sachbearbeitung.lange-adresse@amt.example", action="update", target_type="core_sample", target_id="3",
        before={"text": {"de": long_text, "ar": "يرجى إحضار شهادة الشراكة المسجلة. " * 6}},
        after={"text": {"de": long_text.upper(), "ar": "ترجمة معتمدة. " * 12}})))
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("admin"))
    page.goto(f"{live_server.url}/de/staff/audit")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("box => box.scrollWidth <= box.clientWidth"), "the log's table scrolls sideways at 1,280 px"
    assert_no_horizontal_scroll(page)
    context.close()
