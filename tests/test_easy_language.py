"""Leichte Sprache: the core's page, the plugins' easy pages it lists, the links to them, the rules a test reads."""

import dataclasses
import importlib
import re
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import lxml.html
import pytest

from portal import create_app, plugins
from portal.config import DEFAULTS
from portal.plugins import PluginError
from portal.testing import (
    NARROW_PHONE,
    assert_accessible,
    assert_easy_to_read,
    assert_no_horizontal_scroll,
    easy_page_text,
    easy_reading_problems,
)
from portal.toolkit import EasyPage

ROOT = Path(__file__).parent.parent
ALL_PLUGINS = {"plugins": DEFAULTS["plugins"]}
# Each easy page, the normal page that links to it, and the hard words its list explains.
EASY_PAGES = {
    "/easy-language": (None, {"Portal", "Menü", "Link", "Amt", "Barriere-Freiheit", "Schlichtungs-Stelle"}),
    "/appointments/leicht": ("/appointments/", {"Einladungs-Schreiben", "Vorgangs-Nummer", "Feld", "Angaben"}),
    "/hygiene/leicht": ("/hygiene/", set()),
    "/checklists/leicht": ("/checklists/", set()),
    "/emergency/leicht": ("/emergency/", {"Aufenthalts-Titel", "Akten-Zeichen", "Feld", "Zeichen"}),
}
PLUGIN_EASY_PAGES = [path for path in EASY_PAGES if path != "/easy-language"]
TEXT_FILES = sorted([*ROOT.glob("portal/leicht/*.toml"), *ROOT.glob("plugins/*/leicht/*.toml")])


def tree(response):
    assert response.status_code == 200, response.status_code
    return lxml.html.fromstring(response.get_data(as_text=True))


def strings(value):
    """Yield every text of a content file."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_text_in_the_content_files_keeps_the_rules(path):
    with open(path, "rb") as handle:
        text = tomllib.load(handle)
    problems = [problem for sentence in strings(text) for problem in easy_reading_problems(sentence)]
    assert not problems, problems


def test_the_checks_find_long_sentences_and_forbidden_words():
    assert easy_reading_problems("Das ist kurz. Das auch!") == []
    assert easy_reading_problems("Bringen Sie Ihren Pass bzw. Ihren Ausweis mit.") == ["uses 'bzw.'"]
    assert easy_reading_problems("Eins; zwei.") == ["uses ';'"]
    long = " ".join(["Wort"] * 16) + "."
    assert len(easy_reading_problems(long)) == 1


@pytest.mark.portal_config(ALL_PLUGINS)
@pytest.mark.parametrize("path", EASY_PAGES)
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_easy_pages_are_german_leichte_sprache_in_any_language(client, path, lang):
    response = client.get(f"/{lang}{path}")
    page = tree(response)
    part = page.xpath("//main//*[contains(concat(' ', @class, ' '), ' easy ')]")[0]
    assert (part.get("lang"), part.get("dir")) == ("de", "ltr")
    assert page.xpath("//html/@lang") == [lang]
    assert len(page.xpath("//h1")) == 1
    assert_easy_to_read(response.get_data(as_text=True))
    # Nothing on the page needs a script: no inline script, and forms post without one.
    assert not page.xpath("//main//script")
    explained = {word.text_content().strip() for word in page.xpath("//dl[contains(@class, 'easy-words')]/dt")}
    assert EASY_PAGES[path][1] <= explained
    if explained:
        assert page.xpath("//h2[@id='easy-words']")[0].text_content() == "Schwere Wörter"


@pytest.mark.portal_config(ALL_PLUGINS)
@pytest.mark.parametrize("path", PLUGIN_EASY_PAGES)
def test_each_plugin_easy_page_is_listed_on_the_leichte_sprache_page_and_linked_from_its_normal_page(client, path):
    listed = tree(client.get("/de/easy-language")).xpath("//ul[@class='easy-pages']//a/@href")
    assert f"/de{path}" in listed
    for lang in ("de", "en", "ar"):
        links = tree(client.get(f"/{lang}{EASY_PAGES[path][0]}")).xpath(f"//main//a[@href='/de{path}']")
        assert links and links[0].get("hreflang") == "de", lang
    back = tree(client.get(f"/de{path}")).xpath("//ul[@class='easy-more']//a/@href")
    assert f"/de{EASY_PAGES[path][0]}" in back and "/de/easy-language" in back


@pytest.mark.portal_config(ALL_PLUGINS)
@pytest.mark.parametrize("path", EASY_PAGES)
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_language_switch_of_an_easy_page_leads_to_its_everyday_page_in_any_language_but_german(client, path, lang):
    switch = {link.get("hreflang"): link.get("href")
              for link in tree(client.get(f"/{lang}{path}")).xpath("//ul[@id='language-list']//a")}
    assert switch["de"] == f"/de{path}"
    standard = EASY_PAGES[path][0] or "/"
    assert switch["ar"] == f"/ar{standard}" and switch["fa-AF"] == f"/fa-AF{standard}"
    alternates = tree(client.get(f"/{lang}{path}")).xpath("//link[@rel='alternate'][@hreflang='en']/@href")
    assert alternates == [f"http://localhost/en{standard}"]


@pytest.mark.parametrize("lang", ["en", "tr", "ar"])
def test_every_page_of_another_language_leads_to_the_german_page(client, lang):
    for path in ("/", "/accessibility", "/sign-language"):
        page = tree(client.get(f"/{lang}{path}"))
        links = page.xpath("//a[@href='/de/easy-language']")
        assert links, path
        assert all(link.get("hreflang") == "de" for link in links)


def test_the_leichte_sprache_page_explains_the_statement_as_configured(make_app, app):
    portal = make_app(accessibility={"status": "full", "known_limitations": [], "feedback_phone": "0211 89-1"})
    text = easy_page_text(portal.test_client().get("/de/easy-language").get_data(as_text=True))
    assert "Das Amt sagt: Das Portal ist barriere-frei." in text
    assert "Das Amt kennt keine Barrieren im Portal." in text
    assert "Oder rufen Sie an: 0211 89-1" in text
    portal = make_app(accessibility={"status": "partial", "known_limitations": ["Alte PDF-Formulare."]})
    text = easy_page_text(portal.test_client().get("/de/easy-language").get_data(as_text=True))
    assert "Das Amt sagt: Das Portal ist zum Teil barriere-frei." in text
    assert "Die Barrieren stehen in der Erklärung." in text
    assert "Das Amt kennt keine Barrieren" not in text


def test_without_plugins_the_page_says_there_are_no_more_easy_pages(client):
    page = tree(client.get("/de/easy-language"))
    assert not page.xpath("//ul[@class='easy-pages']")
    assert "Im Moment gibt es keine weiteren Seiten in Leichter Sprache." in page.text_content()


@pytest.mark.browser
@pytest.mark.portal_config(ALL_PLUGINS)
@pytest.mark.parametrize("path", EASY_PAGES)
def test_easy_pages_at_320_pixels_pass_axe(live_server, browser, path):
    context = browser.new_context(**NARROW_PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/de{path}")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    context.close()


@pytest.fixture
def fake_easy(monkeypatch):
    """Install the fake plugin with an easy page beside the real plugins."""
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fake_plugins"))
    real = plugins.entry_points
    monkeypatch.setattr(plugins, "entry_points", lambda group: [
        *real(group=group), EntryPoint("fake_easy", "fake_easy", plugins.ENTRY_POINT_GROUP)])
    return importlib.import_module("fake_easy")


def test_a_plugin_s_easy_page_is_listed_with_the_title_and_summary_of_its_file(fake_easy, tmp_path):
    app = create_app({"instance_path": str(tmp_path), "plugins": ["fake_easy"], "secret_key": "x"})
    page = tree(app.test_client().get("/en/easy-language"))
    link = page.xpath("//ul[@class='easy-pages']//a")[0]
    assert link.get("href") == "/de/fake_easy/leicht"
    assert "Eine Test-Seite" in link.text_content() and "Hier steht eine Test-Seite." in link.text_content()


@pytest.mark.parametrize("page, cause", [
    (EasyPage(endpoint="fake_easy.nowhere", text="gut"), "easy page 'fake_easy.nowhere' is not a public view"),
    (EasyPage(endpoint="core.home", text="gut"), "easy page 'core.home' is not a public view"),
    (EasyPage(endpoint="fake_easy.easy", text="fehlt"), "'fehlt.toml' cannot be read"),
    (EasyPage(endpoint="fake_easy.easy", text="ohne_titel"), "'ohne_titel.toml' lacks title"),
    (EasyPage(endpoint="fake_easy.easy", text="gut", standard="fake_easy.nowhere"),
     "its standard 'fake_easy.nowhere' is not a public page"),
])
def test_a_wrong_easy_page_stops_the_start_naming_the_plugin(fake_easy, monkeypatch, tmp_path, page, cause):
    monkeypatch.setattr(fake_easy, "plugin_info", dataclasses.replace(fake_easy.plugin_info, easy_pages=(page,)))
    with pytest.raises(PluginError) as error:
        create_app({"instance_path": str(tmp_path), "plugins": ["fake_easy"], "secret_key": "x"})
    assert error.value.name == "fake_easy" and cause in str(error.value)


def test_every_pictogram_is_drawn_from_the_core_sprite_and_an_unknown_one_as_a_circle(app):
    sprite = (ROOT / "portal/static/icons.svg").read_text()
    symbols = set(re.findall(r'<symbol id="easy-([^"]+)"', sprite))
    content = [*ROOT.glob("portal/leicht/*.toml"), *ROOT.glob("plugins/*/leicht/*.toml")]
    named = {match for path in content for match in re.findall(r'pictogram\s*=\s*"([^"]+)"', path.read_text())}
    assert named <= symbols, f"content names pictograms the sprite lacks: {named - symbols}"
    with app.test_request_context("/de/"):
        pictogram = app.jinja_env.get_template("macros/easy.html").module.pictogram
        for name in symbols | {"no-such-drawing"}:
            drawn = re.search(r'icons\.svg\?v=\w+#easy-([^"]+)"', str(pictogram(name))).group(1)
            assert drawn == (name if name in symbols else "other")
