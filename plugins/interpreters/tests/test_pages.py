import pytest
from portal_plugins.interpreters.glossary import shipped_terms
from portal_plugins.interpreters.models import GlossaryTerm, HelpTime
from sqlalchemy import func, select

from portal import toolkit


def test_the_initiative_is_introduced_with_its_name_and_contact_from_the_settings(client, parse):
    tree = parse(client.get("/de/interpreters/"))
    main = tree.xpath("string(//main)")
    assert "Hispi ist eine Gruppe von Ehrenamtlichen." in main
    assert "Wir begleiten Menschen seit vielen Jahren zu Ämtern." in main
    assert tree.xpath("//main//a[@href='mailto:mitmachen@hispi.example']")
    assert tree.xpath("//main//a[@href='https://hispi.example']")
    assert tree.xpath("//main//a[@href='/de/interpreters/guide']")


@pytest.mark.parametrize("path", ["/ar/interpreters/", "/ar/interpreters/schedule", "/en/interpreters/"])
def test_the_initiatives_name_is_marked_as_written_in_the_source_language(client, parse, path):
    # Not translated, the name is read out with the source language's voice, isolated inside right-to-left sentences.
    names = parse(client.get(path)).xpath("//main//*[contains(text(), 'Hispi')]")
    assert names
    assert [(name.tag, name.get("lang")) for name in names] == [("bdi", "de")] * len(names)
    assert not [name for name in names if name.xpath("ancestor::bdi")]


def test_the_initiatives_text_falls_back_to_german_in_other_languages(client, parse):
    arabic = parse(client.get("/ar/interpreters/"))
    assert "نرافق الناس" in arabic.xpath("string(//main)")
    english = parse(client.get("/en/interpreters/"))
    text = english.xpath("//main//p[text()='Wir begleiten Menschen seit vielen Jahren zu Ämtern.']")[0]
    assert (text.get("lang"), text.get("dir")) == ("de", "ltr")
    assert english.xpath("//main//p[@class='fallback-note']")


def test_the_guide_explains_the_emergency_channel_and_what_mediators_must_not_do(client, parse):
    tree = parse(client.get("/de/interpreters/guide"))
    assert tree.xpath("//main//a[@href='mailto:notfall@musterstadt.example']")
    limits = tree.xpath("string(//section[@aria-labelledby='guide-limits'])")
    assert "wenn sie nicht ausdrücklich zugestimmt hat" in limits
    assert "Rechtsberatung" in limits
    for heading in ("Einen Termin prüfen", "Eine Checkliste finden", "Den Notfall-Kontakt nutzen"):
        assert tree.xpath(f"//main//h2[text()='{heading}']")


def test_the_pages_are_translated(client, parse):
    tree = parse(client.get("/ar/interpreters/guide"))
    assert tree.xpath("string(//h1)") != "Leitfaden für Sprachmittlerinnen und Sprachmittler"
    assert tree.getroottree().getroot().get("dir") == "rtl"


def test_the_plugin_is_in_the_navigation_the_home_page_and_the_staff_area(client, staff_client, parse):
    home = parse(client.get("/de/"))
    assert home.xpath("//nav[contains(@class, 'main-nav')]//a[@href='/de/interpreters/']")
    assert home.xpath("//ul[@class='tiles']//a[@href='/de/interpreters/']")
    dashboard = staff_client("editor").get("/de/staff/").get_data(as_text=True)
    assert "/de/staff/interpreters/glossary" in dashboard and "/de/staff/interpreters/help-times" in dashboard


@pytest.mark.parametrize("settings, problem", [
    ({"contact_email": "nicht-erreichbar"}, "contact_email"),
    ({"website": "hispi.example"}, "website"),
    ({"initiative_name": " "}, "initiative_name"),
    ({"initiative_about": {"xx": "Text"}}, "initiative_about"),
    ({"phone_help_from": "7 Uhr"}, "phone_help_from"),
    ({"phone_help_from": "20:00", "phone_help_until": "08:00"}, "phone_help_until.*later than phone_help_from"),
])
def test_wrong_settings_stop_the_start_naming_the_plugin_and_the_setting(make_app, settings, problem):
    with pytest.raises(Exception, match=f"interpreters.*{problem}"):
        make_app(plugins=["interpreters"], plugin_settings={"interpreters": settings})


def test_demo_data_and_the_glossary_command_can_run_again_without_doubling(app, data):
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=["demo"]).exit_code == 0
    result = runner.invoke(args=["interpreters", "load-glossary"])
    assert result.exit_code == 0 and "0 shipped terms and 0 shipped translations added" in result.output
    assert data(lambda s: s.scalar(select(func.count()).select_from(GlossaryTerm))) == len(shipped_terms())
    assert 0 < data(lambda s: s.scalar(select(func.count()).select_from(HelpTime))) <= 5


def test_demo_help_in_the_building_keeps_to_the_opening_hours(app, data):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    entries = data(lambda s: s.execute(select(HelpTime.day, HelpTime.starts_at, HelpTime.ends_at,
                                              HelpTime.by_phone)).all())
    in_building = [entry for entry in entries if not entry.by_phone]
    assert in_building and any(entry.by_phone for entry in entries)
    with app.app_context():
        for day, starts_at, ends_at, _by_phone in in_building:
            assert any(opens <= starts_at and ends_at <= closes for opens, closes in toolkit.opening_times(day)), day
