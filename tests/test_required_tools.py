"""Tools the tests need: a missing one skips its tests on a developer's machine and fails them under CI."""

import pytest

from portal.testing import require_tool

pytestmark = pytest.mark.database_independent


def test_a_missing_tool_skips_the_test_on_a_developers_machine(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="wrk is not installed"):
        require_tool(None, "wrk is not installed")


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_missing_tool_fails_the_test_under_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="wrk is not installed, and CI must run every test"):
        require_tool(None, "wrk is not installed")


def test_a_tool_that_is_there_lets_the_test_run(monkeypatch):
    monkeypatch.setenv("CI", "true")
    require_tool("/usr/bin/wrk", "wrk is not installed")
