"""Plugin platform: loading through entry points, order, failures named, robust rendering, slots, namespaces."""

import logging
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from portal import create_app, plugins, toolkit
from portal.plugins import PluginError

FAKES = Path(__file__).parent / "fake_plugins"
FAKE_NAMES = ["fake_good", "fake_broken_render", "fake_broken_start", "fake_import_error", "fake_incompatible",
              "fake_no_info", "fake_bad_table", "fake_bad_hook", "fake_model_a", "fake_model_b", "fake_first",
              "fake_last", "fake_wrapper", "fake_startup_wrapper", "fake_stray_slot", "fake_model", "fake_command",
              "fake_publisher", "fake_listener", "fake_stray_event", "fake_misnamed_event", "fake_limited",
              "fake_undecorated", "fake_dead_links"]


@pytest.fixture
def fake_entry_points(monkeypatch):
    """Install the fake plugins beside the real ones, as entry points in the portal's group."""
    monkeypatch.syspath_prepend(str(FAKES))
    real = plugins.entry_points

    def with_fakes(group):
        found = list(real(group=group))
        found += [EntryPoint(name, name, plugins.ENTRY_POINT_GROUP) for name in FAKE_NAMES]
        return found

    monkeypatch.setattr(plugins, "entry_points", with_fakes)
    return with_fakes


def make(tmp_path, names, **overrides):
    return create_app({"instance_path": str(tmp_path), "plugins": names, "secret_key": "x", **overrides})


def migrated(tmp_path, names):
    """Return the app of these plugins with its tables made, for tests that render its pages."""
    from portal.migrate import upgrade_all

    app = make(tmp_path, names)
    with app.app_context():
        upgrade_all()
    return app


def test_only_configured_plugins_load_in_their_order(fake_entry_points, tmp_path):
    app = make(tmp_path, ["fake_good"])
    assert [p.name for p in app.extensions["portal.loaded_plugins"]] == ["fake_good"]
    assert "fake_good.index" in app.view_functions
    assert "fake_broken_render" not in app.extensions["portal.plugins"].list_name_plugin()[0]


def test_a_misspelled_plugin_is_named_with_the_name_meant_and_the_installed_ones(fake_entry_points, tmp_path):
    with pytest.raises(PluginError) as error:
        make(tmp_path, ["fake_god"])
    said = str(error.value)
    assert "did you mean 'fake_good'?" in said and "'extra_plugins'" in said
    assert "Installed: " in said and "fake_good" in said.split("Installed: ", 1)[1]


@pytest.mark.parametrize("name, cause", [
    ("not_installed_anywhere", "not installed"),
    ("fake_import_error", "failed to import: ModuleNotFoundError"),
    ("fake_incompatible", "incompatible: needs portal core >=2.0"),
    ("fake_no_info", "no 'plugin_info'"),
    ("fake_broken_start", "hook portal_blueprints failed: RuntimeError: no blueprints today"),
    ("fake_bad_table", "table 'stray_table' must start with 'fake_bad_table_'"),
    ("fake_bad_hook", "invalid hook implementation"),
    ("fake_startup_wrapper", "hook portal_blueprints is a start-up hook and takes no wrapper"),
    ("fake_stray_slot", "answers slot 'naturalisation_result', which neither the core nor an enabled plugin declares"),
    ("fake_command", "command 'db' is taken by the core"),
    ("fake_stray_event", "handles event 'nobody.vanished', which no enabled plugin declares"),
    ("fake_misnamed_event", "event 'appointments.changed' must be named 'fake_misnamed_event.<event>'"),
    ("fake_undecorated", "'portal_navigation' is named like a hook but lacks @toolkit.hookimpl"),
])
def test_plugin_failure_stops_the_start_naming_plugin_and_cause(fake_entry_points, tmp_path, name, cause):
    with pytest.raises(PluginError) as error:
        make(tmp_path, [name])
    assert error.value.name == name
    assert f"Plugin '{name}'" in str(error.value)
    assert cause in str(error.value)


def test_model_class_names_are_unique_across_plugins(fake_entry_points, tmp_path):
    with pytest.raises(PluginError, match="Plugin 'fake_model_b': model class name 'Record' is taken by plugin "
                                         "'fake_model_a'"):
        make(tmp_path, ["fake_model_a", "fake_model_b"])


CLASHING_START = """
import sys
from importlib.metadata import EntryPoint
sys.path.insert(0, sys.argv[1])
from portal import create_app, plugins
from portal.config import DEFAULTS
found = plugins.entry_points
plugins.entry_points = lambda group: [*found(group=group),
                                      EntryPoint("fake_clash_model", "fake_clash_model", plugins.ENTRY_POINT_GROUP)]
try:
    create_app({"instance_path": sys.argv[2], "secret_key": "x", "plugins": DEFAULTS["plugins"] + ["fake_clash_model"]})
except plugins.PluginError as error:
    print(error)
"""


def test_a_model_class_named_like_a_built_in_plugins_names_the_plugin_that_brings_it(tmp_path):
    # In a process of its own: two classes of one name in the shared registry would break this process's mappers.
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", CLASHING_START, str(FAKES), str(tmp_path)], capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.strip() == ("Plugin 'fake_clash_model': model class name 'Notice' is taken by plugin "
                                     "'notices'"), result.stdout + result.stderr


def test_plugin_installed_twice_stops_the_start(fake_entry_points, monkeypatch, tmp_path):
    def twice(group):
        return [EntryPoint("fake_good", "fake_good", group), EntryPoint("fake_good", "other_package.fake", group)]

    monkeypatch.setattr(plugins, "entry_points", twice)
    with pytest.raises(PluginError, match="Plugin 'fake_good': installed twice"):
        make(tmp_path, ["fake_good"])


def test_plugin_named_twice_in_configuration_is_a_config_error(tmp_path):
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="notices named twice"):
        make(tmp_path, ["notices", "notices"])


def test_plugin_pages_navigation_tiles_and_slots(fake_entry_points, tmp_path):
    app = migrated(tmp_path, ["fake_good"])
    client = app.test_client()
    home = client.get("/en/").get_data(as_text=True)
    assert 'href="/en/fake_good/"' in home
    assert "Kachel des Testmoduls" in home
    assert "Slot des Testmoduls" in home
    assert "Seite des Testmoduls" in client.get("/de/fake_good/").get_data(as_text=True)
    assert app.config["PORTAL"]["plugin_settings"]["fake_good"] == {"colour": "green", "size": 3}


def test_plugin_settings_from_configuration_override_defaults(fake_entry_points, tmp_path):
    app = make(tmp_path, ["fake_good"], plugin_settings={"fake_good": {"size": 5}})
    assert app.config["PORTAL"]["plugin_settings"]["fake_good"] == {"colour": "green", "size": 5}


def test_render_hook_that_raises_is_logged_and_skipped(fake_entry_points, tmp_path, caplog):
    app = migrated(tmp_path, ["fake_broken_render", "fake_good"])
    with caplog.at_level(logging.ERROR, logger="portal.plugins"):
        response = app.test_client().get("/de/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Slot des Testmoduls" in page and "Kachel des Testmoduls" in page
    failures = [r.getMessage() for r in caplog.records]
    assert "plugin fake_broken_render: hook portal_navigation failed; skipped" in failures
    assert "plugin fake_broken_render: slot home failed; skipped" in failures


def test_links_to_endpoints_no_view_has_are_logged_and_left_out(fake_entry_points, tmp_path, caplog):
    from portal.templating import staff_menu

    app = migrated(tmp_path, ["fake_dead_links", "fake_good"])
    with caplog.at_level(logging.ERROR, logger="portal.templating"):
        home = app.test_client().get("/de/")
        page = app.test_client().get("/de/fake_good/")
        app.test_client().get("/en/")
        with app.test_request_context("/de/staff/"):
            menu = [item.title for item in staff_menu(type("Admin", (), {"has_role": lambda self, role: True})())]
    assert home.status_code == page.status_code == 200
    assert "Kachel des Testmoduls" in home.get_data(as_text=True)
    assert "Kachel ins Leere" not in home.get_data(as_text=True) and "Verlaufen" not in page.get_data(as_text=True)
    assert "Menü ins Leere" not in menu
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for endpoint in ("fake_dead_links.nope", "fake_dead_links.indx", "fake_dead_links_staff.indx"):
        # Named once, however many pages asked for the link since.
        assert logged.count(f"no view has the endpoint '{endpoint}'") == 1


def test_a_plugins_catalog_that_changes_anothers_words_is_named_at_start(fake_entry_points, monkeypatch, tmp_path,
                                                                        caplog):
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    package = tmp_path / "plugins" / "fake_clash"
    (package / "translations" / "en" / "LC_MESSAGES").mkdir(parents=True)
    (package / "__init__.py").write_text('from portal import toolkit\n\nplugin_info = toolkit.PluginInfo('
                                         'name="fake_clash", title="Zusammenstoß", description="Z", version="0.1.0")\n')
    catalog = Catalog(locale="en")
    catalog.add("Speichern", "Store")
    catalog.add("Zusammenstoß", "Clash")
    with (package / "translations" / "en" / "LC_MESSAGES" / "messages.mo").open("wb") as file:
        write_mo(file, catalog)
    # As `pybabel init` makes it: Turkish with two plural forms, where the portal's catalogs have one.
    (package / "translations" / "tr" / "LC_MESSAGES").mkdir(parents=True)
    turkish = Catalog(locale="tr")
    turkish.add("Zusammenstoß", "Çarpışma")
    with (package / "translations" / "tr" / "LC_MESSAGES" / "messages.mo").open("wb") as file:
        write_mo(file, turkish)
    monkeypatch.syspath_prepend(str(tmp_path / "plugins"))
    monkeypatch.setattr(plugins, "entry_points", lambda group: [
        *fake_entry_points(group), EntryPoint("fake_clash", "fake_clash", plugins.ENTRY_POINT_GROUP)])
    with caplog.at_level(logging.WARNING, logger="portal.i18n"):
        make(tmp_path, ["notices", "fake_clash"])
    clashes = [record.getMessage() for record in caplog.records if "catalogs clash" in record.getMessage()]
    assert len(clashes) == 2
    assert "catalogs clash in en: 'Speichern' is 'Save' in" in clashes[0] and "but 'Store' in" in clashes[0]
    assert "catalogs clash in tr: the plural rule is 'nplurals=1; plural=0;' in" in clashes[1]
    assert "but 'nplurals=2; plural=(n != 1);' in" in clashes[1]
    assert all("fake_clash" in clash for clash in clashes)


def test_staff_pages_of_plugins_require_login(fake_entry_points, tmp_path):
    app = make(tmp_path, ["fake_good"])
    response = app.test_client().get("/de/staff/fake_good/")
    assert response.status_code == 302
    assert "/de/staff/login" in response.headers["Location"]


def test_plugins_command_lists_installed_and_enabled(fake_entry_points, tmp_path):
    app = make(tmp_path, ["fake_good"])
    result = app.test_cli_runner().invoke(args=["plugins"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert "enabled #1" in lines["fake_good"]
    assert "installed, not enabled" in lines["notices"]
    assert "installed, not enabled" in lines["fake_broken_start"]


def test_plugins_command_runs_while_a_configured_plugin_is_missing_and_shows_it_missing(monkeypatch, tmp_path):
    from click.testing import CliRunner
    from flask.cli import FlaskGroup

    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PORTAL_PLUGINS", "notices,not_installed_anywhere")
    # As `flask --app portal …` runs, which builds the app with no test configuration.
    command_line = FlaskGroup(create_app=create_app)
    listing = CliRunner().invoke(command_line, ["plugins"])
    assert listing.exit_code == 0, listing.output
    rows = {line.split()[0]: line.split()[1:] for line in listing.stdout.splitlines()[1:]}
    assert rows["not_installed_anywhere"] == ["-", "missing", "(enabled", "#2)", "-"]
    assert rows["notices"][1:3] == ["enabled", "#1"] and rows["appointments"][1:4] == ["installed,", "not", "enabled"]
    cause = "portal cannot start: Plugin 'not_installed_anywhere': not installed"
    assert listing.stderr.count(cause) == 1
    # Any other command, Flask's own that use the app, and the server stop at the start as before.
    for command in (["purge"], ["routes"]):
        refused = CliRunner().invoke(command_line, command)
        assert refused.exit_code == 1 and cause in refused.stderr, command
    with pytest.raises(SystemExit):
        create_app()


def test_plugins_command_shows_both_distributions_of_a_name_installed_twice(fake_entry_points, monkeypatch, tmp_path):
    app = make(tmp_path, ["fake_good"])

    class Distribution:
        def __init__(self, name):
            self.name, self.version = name, "1.0"

    twice = [EntryPoint("fake_twice", "fake_good", plugins.ENTRY_POINT_GROUP),
             EntryPoint("fake_twice", "other_package.fake", plugins.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(plugins, "entry_points", lambda group: twice)
    monkeypatch.setattr(EntryPoint, "dist", property(lambda ep: Distribution(f"dist-of-{ep.value}")))
    result = app.test_cli_runner().invoke(args=["plugins"])
    lines = [line.split() for line in result.output.splitlines()[1:]]
    assert [(line[0], line[-1]) for line in lines] == [("fake_twice", "dist-of-fake_good"),
                                                       ("fake_twice", "dist-of-other_package.fake")]
    assert all("installed twice" in line for line in result.output.splitlines()[1:])


def _called_order(app) -> list[str]:
    from portal.plugins import call_robustly

    with app.test_request_context("/de/"):
        answers = call_robustly(app.extensions["portal.plugins"], "portal_translation_content")
    return [status.plugin for statuses in answers for status in statuses]


def test_render_hooks_follow_the_configured_order_with_tryfirst_and_trylast(fake_entry_points, tmp_path):
    for order in (["fake_model_a", "fake_good"], ["fake_good", "fake_model_a"]):
        assert _called_order(make(tmp_path, order)) == order
    app = make(tmp_path, ["fake_last", "fake_good", "fake_first", "fake_model_a"])
    assert _called_order(app) == ["fake_first", "fake_good", "fake_model_a", "fake_last"]


def test_a_wrapper_sees_every_answer_of_a_render_hook(fake_entry_points, tmp_path):
    app = make(tmp_path, ["fake_wrapper", "fake_model_a", "fake_good"])
    assert _called_order(app) == ["fake_model_a", "fake_good", "fake_wrapper"]
    with app.test_request_context("/de/"):
        from portal.catalogs import content_completeness

        kinds = [row.kind for row in content_completeness()]
    assert kinds == ["order", "order", "saw fake_model_a fake_good"]


def test_start_up_hooks_answer_in_the_configured_order(fake_entry_points, tmp_path):
    from portal.plugins import call_each

    for order in (["fake_model_a", "fake_good"], ["fake_good", "fake_model_a"]):
        manager = make(tmp_path, order).extensions["portal.plugins"]
        assert [name for name, _blueprints in call_each(manager, "portal_blueprints")] == order


def test_plain_text_from_a_slot_is_escaped(fake_entry_points, tmp_path):
    page = make(tmp_path, ["fake_good"]).test_client().get("/de/fake_good/").get_data(as_text=True)
    assert "&lt;b&gt;fett&lt;/b&gt;" in page
    assert "<b>fett</b>" not in page


def test_a_slot_nobody_declares_cannot_be_rendered(fake_entry_points, tmp_path):
    from flask import render_template_string

    app = make(tmp_path, ["fake_good"])
    with app.test_request_context("/de/"), pytest.raises(LookupError, match="slot 'naturalisation_result'"):
        render_template_string("{{ slot('naturalisation_result') }}")
    with app.test_request_context("/de/"), pytest.raises(LookupError, match="slot 'fake_good.page' takes text"):
        render_template_string("{{ slot('fake_good.page', colour='red') }}")


def test_slots_of_a_plugin_that_is_not_enabled_are_ignored(fake_entry_points, tmp_path):
    app = make(tmp_path, ["fake_broken_render"])
    assert "fake_model_a.saved" not in app.extensions["portal.slots"].answers


def test_failing_slot_keeps_the_page_and_the_requests_data(fake_entry_points, tmp_path, database_url, caplog):
    from fake_model_a import Record
    from sqlalchemy import func, select

    app = make(tmp_path, ["fake_model_a", "fake_broken_render"], database_url=database_url)
    engine = app.extensions["portal.db"].engine
    Record.__table__.create(engine)
    try:
        with caplog.at_level(logging.ERROR, logger="portal.plugins"):
            response = app.test_client().post("/de/fake_model_a/records")
        assert response.status_code == 200
        assert "gespeichert" in response.get_data(as_text=True)
        assert "plugin fake_broken_render: slot fake_model_a.saved failed; skipped" in [
            r.getMessage() for r in caplog.records]
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Record.__table__)) == 1
    finally:
        Record.__table__.drop(engine)


@pytest.mark.parametrize("name", ["core", "staff", "static", "api", "translations", "notices_staff",
                                  "arrival_staff_day"])
def test_reserved_plugin_names_are_refused(monkeypatch, tmp_path, name):
    monkeypatch.setattr(plugins, "entry_points",
                        lambda group: [EntryPoint(name, "fake_good", plugins.ENTRY_POINT_GROUP)])
    with pytest.raises(PluginError, match=f"Plugin '{name}': '{name}' is reserved for the core"):
        make(tmp_path, [name])


@pytest.mark.parametrize("name, cause", [
    ("notices", "a plugin named 'notices' is installed already"),
    ("appointments_extra", "'appointments_extra' and the installed plugin 'appointments' could not be enabled"),
    ("fake", "'fake' and the installed plugin 'fake_[a-z_]+' could not be enabled together"),
])
def test_a_new_plugin_cannot_take_an_installed_plugins_name_or_table_prefix(fake_entry_points, tmp_path, name, cause):
    from portal.scaffold import write_plugin

    with pytest.raises(ValueError, match=cause):
        write_plugin(name, tmp_path)
    assert not list(tmp_path.iterdir())
    assert write_plugin("parking", tmp_path).name == "portal-plugin-parking"


def test_a_name_inside_another_plugins_table_prefix_is_refused(fake_entry_points, tmp_path):
    with pytest.raises(PluginError, match="Plugin 'fake_model_a': the name starts with 'fake_model_', the table "
                                         "prefix of plugin 'fake_model'"):
        make(tmp_path, ["fake_model", "fake_model_a"])


def test_an_event_reaches_every_handler_in_configured_order(fake_entry_points, tmp_path):
    import fake_publisher

    from portal import toolkit

    fake_publisher.received.clear()
    app = make(tmp_path, ["fake_listener", "fake_publisher"])
    with app.app_context():
        toolkit.publish("fake_publisher.noted", value="seen")
    assert fake_publisher.received == [("fake_listener", {"value": "seen"}), ("fake_publisher", {"value": "seen"})]


def test_a_failing_handler_makes_the_publication_fail(fake_entry_points, tmp_path):
    import fake_publisher

    from portal import toolkit

    fake_publisher.received.clear()
    app = make(tmp_path, ["fake_publisher", "fake_listener"])
    with app.app_context(), pytest.raises(RuntimeError, match="cannot take this"):
        toolkit.publish("fake_publisher.noted", value="fail")
    assert fake_publisher.received == [("fake_publisher", {"value": "fail"})]


def test_an_undeclared_event_or_payload_cannot_be_published(fake_entry_points, tmp_path):
    from portal import toolkit

    app = make(tmp_path, ["fake_publisher"])
    with app.app_context():
        with pytest.raises(LookupError, match="event 'fake_publisher.vanished' is not declared"):
            toolkit.publish("fake_publisher.vanished", value="x")
        with pytest.raises(TypeError, match="carries value, not colour"):
            toolkit.publish("fake_publisher.noted", colour="x")


def test_handlers_of_a_plugin_that_is_not_enabled_are_ignored(fake_entry_points, tmp_path):
    import fake_publisher

    from portal import toolkit

    fake_publisher.received.clear()
    app = make(tmp_path, ["fake_publisher"])
    with app.app_context():
        toolkit.publish("fake_publisher.noted", value="alone")
    assert fake_publisher.received == [("fake_publisher", {"value": "alone"})]


def test_code_reads_a_slots_answers_as_they_are(fake_entry_points, tmp_path):
    from portal import toolkit

    app = make(tmp_path, ["fake_good"])
    with app.test_request_context("/de/"):
        assert toolkit.slot_values("fake_good.page", text="fett") == ["<b>fett</b>"]
        with pytest.raises(LookupError, match="slot 'fake_good.nothing'"):
            toolkit.slot_values("fake_good.nothing")


def test_a_limit_on_a_whole_blueprint_keeps_the_app_wide_check(fake_entry_points, tmp_path):
    limited, plain = make(tmp_path / "limited", ["fake_limited"]), make(tmp_path / "plain", ["fake_good"])
    client = limited.test_client()
    assert [client.get("/de/fake_limited/").status_code for _ in range(3)] == [200, 200, 429]
    # Without any limit beyond the routes' own, the check before every view is left out.
    assert toolkit.limiter._check_request_limit in limited.extensions["portal.pipeline"][0]
    assert toolkit.limiter._check_request_limit not in plain.extensions["portal.pipeline"][0]
