"""The README lists every demo handover case with the dates of birth that open it."""

import re
from pathlib import Path

from portal_plugins.naturalisation.models import HandoverCase
from sqlalchemy import select

README = Path(__file__).parents[3] / "README.md"


def test_the_readme_lists_each_demo_case_with_its_dates_of_birth(app, db):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    readme = README.read_text(encoding="utf-8")
    cases = db.scalars(select(HandoverCase)).all()
    assert cases
    # Counted, not compared: the stored dates of birth need not be readable.
    for case in cases:
        row = re.search(rf"^\| {re.escape(case.reference)} \| ([\d., ]+) \|$", readme, re.MULTILINE)
        assert row, case.reference
        assert len(re.findall(r"\d\d\.\d\d\.\d{4}", row.group(1))) == len(case.persons), case.reference
