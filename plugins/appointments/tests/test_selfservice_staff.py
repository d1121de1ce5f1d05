"""Staff side of the self-service: inbox, marking handled (versioned), the CSV export, the next import, retention."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from portal_plugins.appointments.selfservice_models import ClientRequest, FreedSlot, Reminder, ShortNoticeEntry
from sqlalchemy import select, text

from portal import toolkit
from portal.testing import audit_log, csrf_token

INBOX = "/de/staff/appointments/self-service/"


def requests(database):
    with database() as session:
        return session.scalars(select(ClientRequest).order_by(ClientRequest.id)).all()


def export(staff) -> list[dict]:
    response = staff.post(f"{INBOX}export", data={"csrf_token": csrf_token(staff, INBOX)})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    document = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(document), delimiter=";"))


def test_the_inbox_lists_requests_per_day_and_marks_them_handled(client, add_appointment, open_result, act,
                                                                 staff_client, database):
    add_appointment()
    _html, token = open_result(client)
    act(client, "new-date", token, reason="illness", weekdays="thu", note="بعد الظهر من فضلكم")
    staff = staff_client("caseworker")
    page = staff.get(INBOX).get_data(as_text=True)
    assert "M-100001" in page and "Krankheit" in page and "Donnerstag" in page
    # The client's note, right to left, is isolated from the German labels around it.
    assert "\u2068بعد الظهر من فضلكم\u2069" in page
    path = re.search(r'action="([^"]+/handled)"', page).group(1)
    version = requests(database)[0].version
    response = staff.post(path, data={"csrf_token": csrf_token(staff, INBOX), "version": version})
    assert response.status_code == 302
    assert requests(database)[0].state == "handled"
    # The same button pressed again on an old page (a colleague was quicker) changes nothing.
    staff.post(path, data={"csrf_token": csrf_token(staff, INBOX), "version": version})
    with database() as session:
        audit = session.execute(text("SELECT action, target_type FROM core_audit_entry")).all()
    assert [tuple(row) for row in audit] == [("handled", "appointments_request")]


def test_the_export_holds_whats_new_once_and_is_formula_safe(client, add_appointment, open_result, act,
                                                             staff_client, database):
    add_appointment("M-100001")
    _html, token = open_result(client)
    act(client, "new-date", token, reason="other", note="=HYPERLINK(\"http://x\")")
    staff = staff_client("caseworker")
    rows = export(staff)
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "new_date" and row["reference"] == "M-100001" and row["reason"] == "other"
    assert row["note"] == "'=HYPERLINK(\"http://x\")"
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", row["date"]) and re.fullmatch(r"\d{2}:\d{2}", row["time"])
    assert requests(database)[0].exported_at is not None
    assert export(staff) == []
    with database() as session:
        audit = session.execute(text("SELECT action, target_type FROM core_audit_entry")).all()
    assert ("export", "appointments_selfservice_export") in [tuple(row) for row in audit]


def test_the_audit_log_tells_handling_and_exporting_in_the_readers_words(client, add_appointment, open_result, act,
                                                                         staff_client):
    add_appointment()
    _html, token = open_result(client)
    act(client, "new-date", token, reason="illness")
    staff = staff_client("caseworker")
    path = re.search(r'action="([^"]+/handled)"', staff.get(INBOX).get_data(as_text=True)).group(1)
    staff.post(path, data={"csrf_token": csrf_token(staff, INBOX), "version": 1})
    export(staff)
    exported, handled = audit_log(staff_client("admin"), "en")[:2]
    assert handled.what.startswith("Request marked as handled ") and handled.summary == "M-100001"
    assert handled.changes == ["Status | Before: Open | After: Completed", "Request | After: New appointment requested"]
    assert exported.what.startswith("CSV export for the specialist system downloaded ")
    assert exported.changes == ["Rows | After: 1"]


def test_export_then_import_shows_the_client_the_new_state(app, client, add_appointment, open_result, act,
                                                           staff_client, database, csv_file, today):
    add_appointment("M-100001")
    _html, token = open_result(client)
    act(client, "new-date", token, reason="work", weekdays="tue", day_times="morning")
    staff = staff_client("caseworker")
    assert [row["kind"] for row in export(staff)] == ["new_date"]
    new_day = today + timedelta(days=20)
    upload = csv_file(f"M-100001;27.03.1985;residence-permit-extension;scheduled;{new_day:%d.%m.%Y};10:15;"
                      "Wacker Hof;2.14;1")
    with app.app_context():
        from portal_plugins.appointments.importer import import_appointments
        assert import_appointments(upload).ok
    html, _token = open_result(client)
    assert "10:15" in html and "Der Stand oben ist der neueste." in html
    assert requests(database)[0].state == "superseded"


def test_an_import_that_changes_nothing_leaves_the_request_open(app, client, add_appointment, open_result, act,
                                                                database, csv_file, today):
    add_appointment("M-100001", days=3)
    _html, token = open_result(client)
    act(client, "confirm", token)
    with app.app_context():
        from portal_plugins.appointments.importer import import_appointments
        start = requests(database)[0].slot_start
        day = toolkit.office_now(start)
        # Another appointment changes; this one comes unchanged.
        assert import_appointments(csv_file(
            f"M-100001;27.03.1985;residence-permit-extension;scheduled;{day:%d.%m.%Y};{day:%H:%M};Wacker Hof;2.14;1",
            f"M-100009;01.01.1990;residence-permit-extension;scheduled;{today:%d.%m.%Y};08:00;Wacker Hof;2.14;1"),
        ).ok
    assert requests(database)[0].state == "open"


@pytest.mark.portal_config({"plugin_settings": {"appointments": {"request_retention_days": 30,
                                                                 "short_notice_retention_days": 90}}})
def test_purge_deletes_requests_list_entries_slots_and_addresses_on_schedule(app, client, add_appointment,
                                                                            open_result, act, database):
    add_appointment("M-100001", days=2)
    add_appointment("M-100002", days=30)
    _html, token = open_result(client)
    act(client, "remind", token, email="kunde@example.org", consent="yes")
    act(client, "cancel", token, wants_new_date="yes")
    _html, token = open_result(client, reference="M-100002")
    act(client, "short-notice", token)
    with database() as session:
        assert session.scalars(select(FreedSlot)).all() and session.scalars(select(ClientRequest)).all()
    app.test_cli_runner().invoke(args=["purge"])
    with database() as session:
        # Nothing is due yet (the cancellation already removed the reminder of the date given back).
        assert session.scalars(select(ClientRequest)).all() and session.scalars(select(ShortNoticeEntry)).all()
        assert session.scalars(select(Reminder)).all() == []
        long_ago = toolkit.utcnow() - timedelta(days=100)
        for model in (ClientRequest, ShortNoticeEntry, FreedSlot):
            for row in session.scalars(select(model)):
                row.created_at = long_ago
                if model is FreedSlot:
                    row.starts_at = long_ago
        session.commit()
    app.test_cli_runner().invoke(args=["purge"])
    with database() as session:
        for model in (ClientRequest, ShortNoticeEntry, FreedSlot):
            assert session.scalars(select(model)).all() == []
