"""The pytest plugin shipped to plugin authors: a test may change the suite's configuration for itself."""

import pytest

from portal.testing import merged_settings

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
