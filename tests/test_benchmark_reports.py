"""Where `python -m benchmarks` writes its report: a part of the run never replaces the whole run's."""

import pytest

from benchmarks.__main__ import SECTIONS, default_output

pytestmark = pytest.mark.database_independent


def test_only_the_whole_run_replaces_the_latest_report():
    assert default_output(list(SECTIONS), quick=False).name == "latest.json"
    assert default_output(["weight", "lighthouse"], quick=False).name == "only-weight-lighthouse.json"
    assert default_output(list(SECTIONS), quick=True).name == "quick-latest.json"
    assert default_output(["costs"], quick=True).name == "quick-only-costs.json"


def test_the_growth_step_adds_appointments_that_are_found_like_imported_ones(tmp_path):
    from benchmarks import seed
    from benchmarks.installation import Installation
    from benchmarks.throughput import LOOKUP_API
    from portal import create_app

    installation = Installation(tmp_path, "sqlite", ["appointments", "arrival"])
    installation.prepare(10)
    assert installation.add_in_bulk(30)["appointments"] == 30
    client = create_app({"instance_path": str(installation.root), **installation.settings}).test_client()
    for reference, born in (seed.sample(30, size=3)[0], (seed.reference(29), seed.birth_date(29).isoformat())):
        found = client.post(LOOKUP_API, json={"reference": reference, "birth_date": born})
        assert found.status_code == 200 and found.get_json()["reference"] == reference, found.get_json()
