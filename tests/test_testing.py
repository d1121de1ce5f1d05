"""The pytest plugin shipped to plugin authors: a test may change the suite's configuration for itself."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal.testing import merged_settings, seconds_before_the_day_turns

LANGUAGES = ["de", "en"]


def test_nested_settings_are_laid_over_key_by_key():
    settings = {"plugins": [], "office": {"name": "Amt", "locations": ["Rathaus"]}}
    assert merged_settings(settings, {"office": {"locations": ["Rathaus", "Bürgerbüro"]}}) == {
        "plugins": [], "office": {"name": "Amt", "locations": ["Rathaus", "Bürgerbüro"]}}
    assert settings["office"]["locations"] == ["Rathaus"]


@pytest.mark.portal_config({"languages": LANGUAGES, "office": {"locations": ["Rathaus", "Bürgerbüro"]}})
def test_a_marker_changes_the_configuration_of_one_test(app):
    portal = app.config["PORTAL"]
    assert portal["languages"] == LANGUAGES and portal["office"]["locations"] == ["Rathaus", "Bürgerbüro"]
    assert portal["plugins"] == [] and portal["office"]["name"]


def test_other_tests_keep_the_configuration_of_the_suite(app):
    assert app.config["PORTAL"]["languages"] != LANGUAGES


def test_a_test_about_to_straddle_the_office_midnight_waits_for_the_new_day():
    berlin = ZoneInfo("Europe/Berlin")
    assert seconds_before_the_day_turns(datetime(2026, 12, 4, 12, 0, tzinfo=berlin)) == 0
    assert seconds_before_the_day_turns(datetime(2026, 12, 4, 23, 58, 0, tzinfo=berlin)) == 0
    assert seconds_before_the_day_turns(datetime(2026, 12, 4, 23, 59, 30, tzinfo=berlin)) == 31
    assert seconds_before_the_day_turns(datetime(2026, 12, 5, 0, 0, 1, tzinfo=berlin)) == 0
