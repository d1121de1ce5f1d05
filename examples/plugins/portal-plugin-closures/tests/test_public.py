"""The public page and the home page's note, in the enabled languages, as the settings say."""

import pytest
from portal_plugin_closures import plugin_info


def test_coming_closures_are_listed_in_both_languages(client, add_closure):
    add_closure(3, reason={"de": "Betriebsausflug", "en": "Staff outing"})
    german = client.get("/de/closures/").get_data(as_text=True)
    english = client.get("/en/closures/").get_data(as_text=True)
    assert "<h1>Schließtage</h1>" in german and "Betriebsausflug" in german
    assert "<h1>Closures</h1>" in english and "Staff outing" in english
    assert "within the next 60 days" in english


def test_a_missing_translation_shows_the_german_text_marked(client, add_closure):
    add_closure(1, reason={"de": "Umzug"})
    page = client.get("/en/closures/").get_data(as_text=True)
    assert '<p lang="de"' in page and "Umzug" in page
    assert "This text is not yet available in your language." in page


@pytest.mark.portal_config({"languages": ["de", "en", "ar", "uk"]})
def test_the_page_comes_in_each_enabled_language_and_its_direction(client, add_closure):
    add_closure(3, reason={"de": "Betriebsausflug", "ar": "رحلة الموظفين"})
    arabic = client.get("/ar/closures/").get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "<h1>أيام الإغلاق</h1>" in arabic and "رحلة الموظفين" in arabic
    ukrainian = client.get("/uk/closures/").get_data(as_text=True)
    assert "<h1>Дні закриття</h1>" in ukrainian and "Цей текст ще не доступний вашою мовою." in ukrainian


def test_past_and_far_closures_are_left_out(client, add_closure):
    add_closure(-5, reason={"de": "Vorbei"})
    add_closure(61, reason={"de": "Zu weit"})
    add_closure(-1, length=3, reason={"de": "Läuft noch"})
    page = client.get("/de/closures/").get_data(as_text=True)
    assert "Läuft noch" in page
    assert "Vorbei" not in page and "Zu weit" not in page


@pytest.mark.portal_config({"plugin_settings": {"closures": {"days_ahead": 100}}})
def test_days_ahead_comes_from_the_settings(client, add_closure):
    add_closure(90, reason={"de": "Weit voraus"})
    assert "Weit voraus" in client.get("/de/closures/").get_data(as_text=True)


def test_home_page_names_the_next_closure_through_the_core_slot(client, add_closure):
    add_closure(9, reason={"de": "Später"})
    add_closure(2, reason={"de": "Bald"})
    page = client.get("/de/").get_data(as_text=True)
    assert "Nächster Schließtag" in page and "Bald" in page and "Später" not in page


@pytest.mark.portal_config({"plugin_settings": {"closures": {"show_on_home": False}}})
def test_home_page_note_can_be_turned_off(client, add_closure):
    add_closure(2, reason={"de": "Bald"})
    assert "Bald" not in client.get("/de/").get_data(as_text=True)


def test_offered_slot_is_declared_with_its_context():
    assert [(slot.name, slot.context) for slot in plugin_info.slots] == [("closures.closure",
                                                                           ("starts_on", "ends_on"))]


def test_a_wrong_setting_stops_the_start_naming_the_key(make_app):
    with pytest.raises(Exception, match=r"plugin_settings\.closures\.days_ahead"):
        make_app(plugins=["closures"], plugin_settings={"closures": {"days_ahead": 0}})
