"""An office that writes in English while its site opens in German: its own names are marked as English."""

import pytest


@pytest.fixture(scope="module")
def portal_config():
    return {"plugins": ["appointments"], "languages": ["de", "en", "ar"], "default_language": "de",
            "fallback_languages": ["en"],
            "plugin_settings": {"appointments": {"extra_services": {"parking-permit": "Parking permit"}}}}


def test_a_service_of_the_office_and_its_address_are_marked_as_the_source_language(app, client, add_appointment,
                                                                                     open_result):
    add_appointment(service="parking-permit")
    arabic, _token = open_result(client, lang="ar")
    assert '<span lang="en" dir="ltr">Parking permit</span>' in arabic
    assert f'<span lang="en" dir="ltr">{app.config["PORTAL"]["office"]["street"]},' in arabic
    english, _token = open_result(client, lang="en")
    assert "Parking permit" in english and '<span lang="en" dir="ltr">Parking permit</span>' not in english
    german, _token = open_result(client, lang="de")
    assert '<span lang="en" dir="ltr">Parking permit</span>' in german
