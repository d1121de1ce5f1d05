"""Texts in several languages: the versions a plugin ships that a stored text lacks (portal/content.py)."""

import pytest

from portal.toolkit import missing_shipped_versions

SHIPPED = {"de": "Bitte tragen Sie eine Maske.", "en": "Please wear a mask.", "ar": "يرجى ارتداء كمامة.",
           "ps": "مهرباني وکړئ ماسک واغوندئ."}


@pytest.mark.portal_config({"languages": ["de", "en", "ar"]})
def test_the_enabled_languages_a_stored_text_lacks_come_from_the_shipped_text(app):
    stored = {"de": "Bitte tragen Sie eine Maske.", "en": "Masks, please."}
    with app.app_context():
        assert missing_shipped_versions(stored, SHIPPED) == {"ar": "يرجى ارتداء كمامة."}
        assert missing_shipped_versions({**stored, "ar": ""}, SHIPPED) == {"ar": "يرجى ارتداء كمامة."}
        assert missing_shipped_versions({**stored, "ar": "كمامة من فضلكم."}, SHIPPED) == {}


def test_a_text_staff_changed_in_the_source_language_gets_no_shipped_version(app):
    with app.app_context():
        assert missing_shipped_versions({"de": "Bitte tragen Sie eine FFP2-Maske."}, SHIPPED) == {}
        assert missing_shipped_versions({}, SHIPPED) == {}
        assert missing_shipped_versions({"de": "Bitte tragen Sie eine Maske."}, SHIPPED) == {
            "en": "Please wear a mask.", "ar": "يرجى ارتداء كمامة.", "ps": "مهرباني وکړئ ماسک واغوندئ."}
