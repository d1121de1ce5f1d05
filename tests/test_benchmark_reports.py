"""Where `python -m benchmarks` writes its report: a part of the run never replaces the whole run's."""

from benchmarks.__main__ import SECTIONS, default_output


def test_only_the_whole_run_replaces_the_latest_report():
    assert default_output(list(SECTIONS), quick=False).name == "latest.json"
    assert default_output(["weight", "lighthouse"], quick=False).name == "only-weight-lighthouse.json"
    assert default_output(list(SECTIONS), quick=True).name == "quick-latest.json"
    assert default_output(["costs"], quick=True).name == "quick-only-costs.json"
