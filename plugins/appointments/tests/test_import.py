"""CSV import: good files, bad rows (nothing changes), re-imports, large files, the staff page and the CLI."""

from __future__ import annotations

import io
import tracemalloc
from datetime import UTC, date, datetime

import pytest
from portal_plugins.appointments import importer
from portal_plugins.appointments.importer import import_appointments
from portal_plugins.appointments.matching import birth_key
from portal_plugins.appointments.models import Appointment
from sqlalchemy import func, select

from portal import toolkit
from portal.testing import audit_log, csrf_token

GOOD_ROWS = (
    "M-100001;27.03.1985;residence-permit-extension;scheduled;2026-07-01;09:30;Wacker Hof;2.14;1",
    "M-100002;1990-11-04;naturalisation-certificate-handover;ready_for_collection;01.07.2026;10:00;Wacker Hof;E.05;2",
    "m-100003;15.06.1978;settlement-permit;postponed;;;;;",
)


def run_import(app, stream):
    with app.test_request_context():
        report = import_appointments(stream)
        if report.ok:
            toolkit.session().commit()
        return report


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(Appointment))


def test_good_file_creates_every_appointment(app, db, csv_file):
    report = run_import(app, csv_file(*GOOD_ROWS))
    assert report.ok and (report.created, report.updated, report.unchanged) == (3, 0, 0)
    first = db.scalar(select(Appointment).where(Appointment.reference == "M-100001"))
    # 09:30 in Düsseldorf on 1 July is 07:30 UTC (summer time).
    assert first.starts_at == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    assert (first.building, first.room, first.persons_allowed) == ("Wacker Hof", "2.14", 1)
    with app.test_request_context():
        assert first.birth_key == birth_key("M-100001", date(1985, 3, 27))
    postponed = db.scalar(select(Appointment).where(Appointment.reference == "M-100003"))
    assert postponed.starts_at is None and postponed.status == "postponed"


def test_a_file_with_bad_rows_changes_nothing_and_lists_every_bad_row(app, db, csv_file, add_appointment):
    add_appointment("M-100001", status="invited")
    rows = (
        GOOD_ROWS[0],
        "M-100009;31.02.1980;residence-permit-extension;scheduled;2026-07-01;09:30;Wacker Hof;1;1",
        "M-100010;01.01.1980;unknown-service;scheduled;2026-07-01;09:30;Wacker Hof;1;1",
        "M-100011;01.01.1980;eu-blue-card;waiting;2026-07-01;09:30;Wacker Hof;1;1",
        "M-100012;01.01.1980;eu-blue-card;scheduled;;;Wacker Hof;1;1",
        "M-100013;01.01.1980;eu-blue-card;postponed;2026-07-01;;Wacker Hof;1;3",
        "M-100015;01.01.1980;eu-blue-card;scheduled;01.07.26;09:30;Wacker Hof;1;1",
        "M-100001;27.03.1985;eu-blue-card;scheduled;2026-07-02;09:30;Wacker Hof;1;1",
        "M-100014;01.01.1980;eu-blue-card",
        "M-100016;01.01.1980;eu-blue-card;invited;2026-07-01;09:30;;1;1",
        GOOD_ROWS[1],
    )
    report = run_import(app, csv_file(*rows))
    assert not report.ok
    lines = {error.line: error.reason for error in report.errors}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "31.02.1980" in lines[3]
    assert "unknown-service" in lines[4]
    assert "waiting" in lines[5]
    assert "braucht der Termin ein Datum" in lines[6]
    # Every problem of a row at once: a cell that cannot be read and cells that do not fit together.
    assert "persons" in lines[7] and "Datum und Uhrzeit gehören zusammen" in lines[7]
    assert "01.07.26" in lines[8]
    assert "M-100001 kommt in der Datei mehrmals vor" in lines[9]
    assert "Erwartet 9 Felder, gefunden 3" in lines[10]
    # A date says where to come, as in the staff form.
    assert "in welchem Gebäude" in lines[11]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert count(db) == 1
    assert db.scalar(select(Appointment.status)) == "invited"


def test_a_late_bad_row_rolls_back_batches_already_written(app, db, csv_file, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    rows = [f"M-{200000 + n};01.01.1980;eu-blue-card;postponed;;;;;" for n in range(7)]
    rows.append("M-300000;01.01.1980;eu-blue-card;scheduled;2026-13-01;09:30;Wacker Hof;1;1")
    report = run_import(app, csv_file(*rows))
    assert [error.line for error in report.errors] == [9]
    db.expire_all()
    assert count(db) == 0


def test_reimport_counts_new_updated_and_unchanged(app, db, csv_file):
    run_import(app, csv_file(*GOOD_ROWS))
    versions = dict(db.execute(select(Appointment.reference, Appointment.version)).all())
    changed = GOOD_ROWS[0].replace("scheduled", "cancelled")
    report = run_import(app, csv_file(changed, GOOD_ROWS[1], GOOD_ROWS[2],
                                      "M-100004;01.01.2000;eu-blue-card;invited;2026-07-08;08:00;Wacker Hof;1.07;1"))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 2)
    db.expire_all()
    after = {a.reference: a for a in db.scalars(select(Appointment))}
    assert after["M-100001"].status == "cancelled"
    assert after["M-100001"].version == versions["M-100001"] + 1
    assert after["M-100001"].status_changed_at > after["M-100002"].status_changed_at
    assert after["M-100002"].version == versions["M-100002"]


def test_header_problems_reject_the_whole_file(app, csv_file):
    with app.test_request_context(), pytest.raises(importer.toolkit.CsvFormatError, match="birth_date"):
        import_appointments(csv_file(GOOD_ROWS[0], header="reference;service;status;date;time;building"))


def test_semicolon_or_comma_and_optional_columns(app, db, csv_file):
    report = run_import(app, csv_file("M-100001,1985-03-27,eu-blue-card,postponed,,,Wacker Hof",
                                      header="reference,birth_date,service,status,date,time,building"))
    assert report.ok and report.created == 1
    assert db.scalar(select(Appointment.persons_allowed)) == 1


def test_large_file_streams_in_batches_with_flat_memory(app, database, monkeypatch):
    """Peak memory for 1,600 rows stays close to that for 400: rows are never all held at once."""
    def export(first: int, rows: int) -> io.BytesIO:
        lines = ["reference;birth_date;service;status;date;time;building;room;persons"]
        lines += [f"L-{n:07d};01.01.1980;eu-blue-card;scheduled;2026-07-{1 + n % 28:02d};09:30;Wacker Hof;{n % 40};1"
                  for n in range(first, first + rows)]
        return io.BytesIO(("\n".join(lines) + "\n").encode())

    monkeypatch.setattr(importer, "BATCH_SIZE", 100)
    batches = []
    original = importer._write_batch
    monkeypatch.setattr(importer, "_write_batch", lambda batch, *rest: (batches.append(len(batch)),
                                                                       original(batch, *rest)))
    peaks = []
    # The first run warms up caches (compiled statements, imports), so it is not compared.
    for first, rows in ((0, 100), (100, 400), (500, 1600)):
        file = export(first, rows)
        tracemalloc.start()
        report = run_import(app, file)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert report.ok and report.created == rows
    with database() as session:
        assert count(session) == 2100
    assert max(batches) == 100
    assert peaks[2] < 1.5 * peaks[1], peaks


def test_a_reference_twice_in_different_batches_is_found(app, database, csv_file, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    rows = [f"M-{200000 + n};01.01.1980;eu-blue-card;postponed;;;;;" for n in range(5)]
    report = run_import(app, csv_file(*rows, rows[0], rows[3]))
    assert [(error.line, "mehrmals" in error.reason) for error in report.errors] == [(7, True), (8, True)]
    with database() as session:
        assert count(session) == 0


def test_a_reference_spelled_otherwise_is_the_same_appointment(app, database, csv_file):
    assert run_import(app, csv_file("M-300001;01.01.1980;eu-blue-card;postponed;;;;;")).created == 1
    report = run_import(app, csv_file("M 300001;01.01.1980;eu-blue-card;cancelled;;;;;"))
    assert (report.created, report.updated) == (0, 1)
    with database() as session:
        # One row, as the lookup finds it; the export's spelling is the stored one.
        assert session.scalars(select(Appointment.reference)).all() == ["M300001"]
    report = run_import(app, csv_file("M300002;02.02.1982;eu-blue-card;postponed;;;;;",
                                      "m-300002;02.02.1982;eu-blue-card;postponed;;;;;"))
    assert [(error.line, "mehrmals" in error.reason) for error in report.errors] == [(3, True)]


def test_staff_upload_without_javascript_shows_the_counts(staff_client, csv_file, database):
    client = staff_client("caseworker")
    url = "/de/staff/appointments/import"
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "file": (csv_file(*GOOD_ROWS), "export.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Der Import ist abgeschlossen." in page
    assert "<dt>Neu</dt><dd>3</dd>" in page
    assert "<html" in page
    with database() as session:
        assert count(session) == 3


def test_staff_upload_with_htmx_gets_the_result_fragment_and_errors(staff_client, csv_file, database):
    client = staff_client("caseworker")
    url = "/de/staff/appointments/import"
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "file": (csv_file(GOOD_ROWS[0], "M-1;x;y;z;;;;;"), "export.csv")},
                           content_type="multipart/form-data", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment
    assert "Die Datei hat 1 fehlerhafte Zeile. Es wurde nichts übernommen." in fragment
    assert "<td>3</td>" in fragment
    with database() as session:
        assert count(session) == 0


def test_staff_upload_of_a_bad_file_answers_422_without_javascript(staff_client):
    client = staff_client("caseworker")
    url = "/de/staff/appointments/import"
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "file": (io.BytesIO("reference\n".encode("utf-16")), "export.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "nicht UTF-8" in response.get_data(as_text=True)
    missing = client.post(url, data={"csrf_token": csrf_token(client, url)}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Bitte wählen Sie eine CSV-Datei aus." in missing.get_data(as_text=True)


def test_the_import_is_audited(staff_client, csv_file, database):
    from sqlalchemy import text

    client = staff_client("caseworker")
    url = "/de/staff/appointments/import"
    client.post(url, data={"csrf_token": csrf_token(client, url), "file": (csv_file(*GOOD_ROWS), "export.csv")},
                content_type="multipart/form-data")
    with database() as session:
        action, target = session.execute(text("SELECT action, target_type FROM core_audit_entry")).one()
    assert (action, target) == ("import", "appointments_import")


def test_the_audit_log_tells_an_import_in_the_readers_words(staff_client, csv_file):
    client = staff_client("caseworker")
    url = "/de/staff/appointments/import"
    client.post(url, data={"csrf_token": csrf_token(client, url), "file": (csv_file(*GOOD_ROWS), "export.csv")},
                content_type="multipart/form-data")
    [entry] = audit_log(staff_client("admin"), "en")
    assert (entry.what, entry.changes) == ("Appointments imported export.csv", [
        f"Newly created | After: {len(GOOD_ROWS)}", "Changed | After: 0", "Unchanged | After: 0"])


def test_cli_import_for_scheduled_jobs(app, db, tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("reference;birth_date;service;status;date;time;building\n"
                      "M-100001;27.03.1985;eu-blue-card;invited;2026-07-01;09:30;Wacker Hof\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["appointments", "import", str(export)])
    assert result.exit_code == 0, result.output
    assert "new: 1, updated: 0, unchanged: 0" in result.output
    export.write_text("reference;birth_date;service;status;date;time;building\nM-100001;27.03.1985;x;y;;;\n",
                      encoding="utf-8")
    result = runner.invoke(args=["appointments", "import", str(export)])
    assert result.exit_code == 1
    assert "line 2:" in result.output and "nothing was imported" in result.output
    db.expire_all()
    assert db.scalar(select(Appointment.status)) == "invited"
    # The import from a timer is audited like the staff upload, by the system.
    from sqlalchemy import text

    entries = db.execute(text("SELECT actor, action, target_type, target_id FROM core_audit_entry")).all()
    assert entries == [("system", "import", "appointments_import", str(export))]


def test_each_bad_cell_of_a_row_is_one_sentence(app, csv_file):
    report = run_import(app, csv_file("M-100001;27.03.1985;eu-blue-card;scheduled;2026-07-01;9.30;Wacker Hof;1;3"))
    [error] = report.errors
    assert error.reason == ("time: „9.30“ ist keine Uhrzeit (erwartet: 09:30). "
                            "persons: Es dürfen 1 bis 2 Personen kommen, nicht „3“.")


@pytest.mark.portal_config({"plugin_settings": {"appointments": {"persons_max": 1}}})
def test_the_persons_allowed_follow_the_setting(app, db, csv_file, staff_client, add_appointment):
    report = run_import(app, csv_file("M-100001;27.03.1985;eu-blue-card;postponed;;;;;2"))
    assert [error.reason for error in report.errors] == ["persons: Es darf nur 1 Person kommen, nicht „2“."]
    html = staff_client("caseworker").get(f"/de/staff/appointments/{add_appointment('M-100009')}").get_data(
        as_text=True)
    assert '<option selected value="1">1</option>' in html and 'value="2"' not in html
    assert "Höchstens 1 Person pro Termin." in html
