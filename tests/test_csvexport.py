"""CSV exports open safely in spreadsheets: no cell is read as a formula."""

import csv
import io

import pytest

from portal.toolkit import formula_safe, write_csv

pytestmark = pytest.mark.database_independent


@pytest.mark.parametrize("cell", ["=1+1", "+49 211", "-2", "@SUM(A1)", "\tx", "\rx", "\nx"])
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(cell):
    assert formula_safe(cell) == "'" + cell


@pytest.mark.parametrize(("cell", "text"), [("M-100001", "M-100001"), ("", ""), (None, ""), (12, "12")])
def test_other_cells_stay_as_they_are(cell, text):
    assert formula_safe(cell) == text


def test_a_document_has_a_bom_semicolons_and_safe_cells():
    document = write_csv(("kind", "note"), [("cancel", '=HYPERLINK("http://x";"y")')])
    assert document.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(document.lstrip("\ufeff")), delimiter=";"))
    assert rows == [["kind", "note"], ["cancel", '\'=HYPERLINK("http://x";"y")']]
