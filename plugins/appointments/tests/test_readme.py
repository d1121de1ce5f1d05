"""The README lists every demo appointment with the date of birth that opens it."""

from pathlib import Path

import pytest
from portal_plugins.appointments.demo import DEMO_APPOINTMENTS

pytestmark = pytest.mark.database_independent

README = Path(__file__).parents[3] / "README.md"


def test_the_readme_lists_each_demo_reference_with_its_date_of_birth():
    readme = README.read_text(encoding="utf-8")
    for reference, born, *_rest in DEMO_APPOINTMENTS:
        assert f"| {reference} | {born:%d.%m.%Y} |" in readme, reference
