"""The import contract: cell parsers with one behaviour, and all or nothing with one audit entry."""

from datetime import date, time

import pytest
from sqlalchemy import func, select, text

from portal import toolkit
from portal.staff.models import AuditEntry


@pytest.mark.parametrize(("cell", "expected"), [
    ("2026-07-01", date(2026, 7, 1)), ("01.07.2026", date(2026, 7, 1)), ("1.7.2026", date(2026, 7, 1)), ("", None)])
def test_dates_in_either_form(app, cell, expected):
    with app.test_request_context():
        assert toolkit.parse_date_cell(cell) == expected


@pytest.mark.parametrize("cell", ["01.07.26", "31.02.2026", "2026/07/01", "20260701", "morgen"])
def test_a_date_that_is_not_one_is_refused_with_the_expected_forms(app, cell):
    with app.test_request_context(), pytest.raises(ValueError, match="erwartet: 2026-07-01 oder 01.07.2026"):
        toolkit.parse_date_cell(cell)


def test_a_required_date_must_be_there(app):
    with app.test_request_context(), pytest.raises(ValueError, match="Das Datum fehlt."):
        toolkit.parse_date_cell("", required=True)


@pytest.mark.parametrize(("cell", "expected"), [("09:30", time(9, 30)), ("9:30", time(9, 30)),
                                                ("09:30:00", time(9, 30)), ("", None)])
def test_times(app, cell, expected):
    with app.test_request_context():
        assert toolkit.parse_time_cell(cell) == expected


@pytest.mark.parametrize("cell", ["24:00", "9.30", "0930", "09:60"])
def test_a_time_that_is_not_one_is_refused(app, cell):
    with app.test_request_context(), pytest.raises(ValueError, match="erwartet: 09:30"):
        toolkit.parse_time_cell(cell)


def stage_rows(bad_line: int | None):
    """Return an importer that writes an audit-free row per line and marks one line bad."""
    def stage(stream, report):
        for line in (2, 3):
            toolkit.session().execute(text("INSERT INTO core_staff_account (email, display_name, password_hash, "
                                           "role, active, created_at) VALUES (:email, 'x', 'x', 'editor', true, "
                                           "CURRENT_TIMESTAMP)"), {"email": f"{line}@amt.example"})
            report.created += 1
            if line == bad_line:
                report.add_error(line, "schlecht")
    return stage


@pytest.fixture
def import_target(app, monkeypatch):
    """Declare an import's target with no fields of its own: the core has the words for an import's counts."""
    target = toolkit.AuditTarget("core_test", actions={"import": "Liste eingelesen"})
    monkeypatch.setitem(app.extensions["portal.audit_targets"], target.name, target)


def test_a_good_import_is_committed_with_one_audit_entry(app, db, import_target):
    report = toolkit.run_import(stage_rows(None), None, target_type="core_test", source="liste.csv")
    assert report.ok and report.created == 2
    db.rollback()
    assert db.scalar(text("SELECT count(*) FROM core_staff_account")) == 2
    entry = db.scalars(select(AuditEntry)).one()
    assert (entry.actor, entry.action, entry.target_type, entry.target_id, entry.after) == (
        "system", "import", "core_test", "liste.csv", {"created": 2, "updated": 0, "unchanged": 0})


def test_a_bad_row_keeps_nothing(app, db, import_target):
    report = toolkit.run_import(stage_rows(3), None, target_type="core_test", source="liste.csv")
    assert not report.ok and report.created == 0 and [e.line for e in report.errors] == [3]
    assert db.scalar(text("SELECT count(*) FROM core_staff_account")) == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == 0
