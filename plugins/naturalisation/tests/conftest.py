

import pytest


@pytest.fixture(scope="session")
def portal_config():
    """Run the portal with the handover plugin, two rooms of four appointments a day and a short notice period."""
    return {"plugins": ["naturalisation"], "languages": ["de", "en", "ar", "tr", "fa_AF"],
            "plugin_settings": {"naturalisation": {"offices": ["Raum 1", "Raum 2"], "daily_capacity": 4,
                                                    "notice_days": 2, "horizon_days": 30}}}



@pytest.fixture
def handover_settings(app):
    """The plugin's checked settings in the portal under test."""
    from portal_plugins.naturalisation.planning import parse_settings

    # Without weekdays of their own, the settings take the office's opening days, which need the app.
    with app.app_context():
        return parse_settings(app.config["PORTAL"]["plugin_settings"]["naturalisation"])
