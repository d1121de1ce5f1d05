"""Configuration: defaults < instance TOML file < PORTAL_* environment; bad values name their key."""

import ast
import inspect
import json
import os
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from itertools import pairwise
from pathlib import Path

import gunicorn
import pytest

from portal import config, create_app
from portal.config import ConfigError


def load(tmp_path, toml="", environ=None, overrides=None):
    if toml:
        (tmp_path / "portal.toml").write_text(toml, encoding="utf-8")
    return config.load(tmp_path, overrides=overrides, environ=environ or {})


def test_defaults_give_a_working_configuration(tmp_path):
    settings = load(tmp_path)
    assert settings["default_language"] == "de"
    assert settings["database_url"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    assert len(settings["secret_key"]) == 64
    # The generated secret is kept, so sessions survive a restart, and only the portal's user may read it.
    assert load(tmp_path)["secret_key"] == settings["secret_key"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_file_overrides_defaults_and_environment_overrides_file(tmp_path):
    toml = '[office]\nname = "Ausländerbehörde"\ncity = "Köln"\n[municipality]\nname = "Stadt Köln"\n'
    settings = load(tmp_path, toml, environ={"PORTAL_OFFICE__CITY": "Bonn", "PORTAL_PLUGINS": "notices, emergency",
                                             "PORTAL_STAFF__IDLE_TIMEOUT_MINUTES": "15"})
    assert settings["office"]["name"] == "Ausländerbehörde"
    assert settings["office"]["city"] == "Bonn"
    assert settings["municipality"]["name"] == "Stadt Köln"
    assert settings["plugins"] == ["notices", "emergency"]
    assert settings["staff"]["idle_timeout_minutes"] == 15
    assert settings["office"]["street"] == config.DEFAULTS["office"]["street"]


def test_config_file_named_by_environment(tmp_path):
    other = tmp_path / "elsewhere.toml"
    other.write_text('default_language = "en"\n', encoding="utf-8")
    assert load(tmp_path, environ={"PORTAL_CONFIG": str(other)})["default_language"] == "en"
    with pytest.raises(ConfigError, match="PORTAL_CONFIG"):
        load(tmp_path, environ={"PORTAL_CONFIG": str(tmp_path / "missing.toml")})


@pytest.mark.parametrize("toml, key", [
    ('default_language = "xx"\n', "default_language"),
    ('languages = []\n', "languages"),
    ('languages = ["de", "en"]\ndefault_language = "ar"\n', "default_language"),
    ('plugins = ["notices", "notices"]\n', "plugins"),
    ('ratelimit_storage_url = "memcached://x"\n', "ratelimit_storage_url"),
    ('[office]\nemergency_email = "not an address"\n', "office.emergency_email"),
    ('[office]\nopening_hours = [{ weekdays = [7], opens = "08:00", closes = "12:00" }]\n',
     "office.opening_hours.0.weekdays.0"),
    ('[office]\nopening_hours = [{ weekdays = [1], opens = "12:00", closes = "08:00" }]\n',
     "office.opening_hours.0.closes"),
    ('[theme]\ncolour = "blue"\n', "theme.colour"),
    ('[theme]\nlogo = "../secret_key"\n', "theme.logo"),
    ('[theme]\nlogo = "https://cdn.example/logo.svg"\n', "theme.logo"),
    ('[theme]\nlogo = "missing.svg"\n', "theme.logo"),
    ('[staff]\nidle_timeout_minutes = 0\n', "staff.idle_timeout_minutes"),
    ('unknown_key = 1\n', "unknown_key"),
    ('[office]\nnmae = "typo"\n', "office.nmae"),
    ('office = "a string"\n', "office"),
    ('default_language = \n', "portal.toml"),
])
def test_bad_configuration_names_the_key(tmp_path, toml, key):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, toml)
    assert error.value.key.endswith(key)
    assert f"'{error.value.key}'" in str(error.value)


@pytest.mark.parametrize("values, key, problem", [
    ({"trusted_hosts": ["portal.example.org/de"]}, "trusted_hosts.0", "must be a host name"),
    ({"accessibility": {"last_review": "2026-13-01"}}, "accessibility.last_review", "must be a date like 2026-11-01"),
    ({"accessibility": {"sign_language_videos": [{"title": "DGS", "file": "https://video.example/dgs.mp4"}]}},
     "accessibility.sign_language_videos.0.file", "no request may leave the site"),
    # The first fallback language is the source language every text exists in; without one, content pages fail.
    ({"fallback_languages": []}, "fallback_languages", "at least 1 item"),
    ({"fallback_languages": ["de", "en", "de"]}, "fallback_languages", "de named twice"),
    # The addresses show the BCP 47 tag, which is what an operator copies.
    ({"languages": ["de", "fa-AF"]}, "languages.1", "did you mean 'fa_AF'"),
    ({"office": {"opening_hours": [{"weekdays": [1], "opens": "08:00", "closes": "24:00"}]}},
     "office.opening_hours.0.closes", 'a time of day from "00:00" to "23:59"'),
    ({"office": {"opening_hours": [{"weekdays": [0, 1], "opens": "08:00", "closes": "12:00"},
                                   {"weekdays": [1], "opens": "11:30", "closes": "15:00"}]}},
     "office.opening_hours", r"entries 0 and 1 overlap on weekday 1 \(Tuesday\)"),
    # The misspelt key is named, not the key it leaves missing.
    ({"office": {"opening_hours": [{"weekdays": [1], "opens": "08:00", "close": "12:00"}]}},
     "office.opening_hours.0.close", "unknown key; did you mean 'closes'"),
    ({"staff": {"idle_timeout": 20}}, "staff.idle_timeout", "unknown key; did you mean 'idle_timeout_minutes'"),
])
def test_bad_values_say_what_is_expected(tmp_path, values, key, problem):
    with pytest.raises(ConfigError, match=f"'{key}': .*{problem}"):
        load(tmp_path, overrides=values)


def test_trusted_hosts_take_host_names_and_sub_domain_patterns(tmp_path):
    hosts = ["portal.musterstadt.de", ".musterstadt.de", "127.0.0.1:8000", "[::1]"]
    assert load(tmp_path, overrides={"trusted_hosts": hosts})["trusted_hosts"] == hosts
    assert load(tmp_path, environ={"PORTAL_TRUSTED_HOSTS": "a.example, b.example"})["trusted_hosts"] == [
        "a.example", "b.example"]


def test_bad_environment_value_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match="theme.colour"):
        load(tmp_path, environ={"PORTAL_THEME__COLOUR": "#12"})


def test_service_start_with_bad_configuration_exits_with_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "portal.toml").write_text('default_language = "xx"\n', encoding="utf-8")
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path))
    with pytest.raises(SystemExit) as stop:
        create_app()
    assert stop.value.code == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0
    assert "'default_language'" in error


def test_service_start_with_a_bad_plugin_setting_exits_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PORTAL_PLUGINS", "notices")
    monkeypatch.setenv("PORTAL_PLUGIN_SETTINGS__NOTICES__PAGE_SIZE", "0")
    with pytest.raises(SystemExit) as stop:
        create_app()
    assert stop.value.code == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0
    assert error.startswith("portal cannot start: Configuration error in 'plugin_settings.notices.page_size': ")


def test_shipped_example_configuration_is_valid(tmp_path):
    example = Path(__file__).parent.parent / "examples" / "duesseldorf.toml"
    settings = load(tmp_path, example.read_text(encoding="utf-8"))
    assert settings["office"]["street"] == "Erkrather Straße 377"
    assert settings["office"]["emergency_email"] == "notfall.auslaenderangelegenheiten@duesseldorf.de"


def test_environment_values_are_typed_by_the_declaration(tmp_path):
    settings = load(tmp_path, environ={"PORTAL_OFFICE__POSTAL_CODE": "40213", "PORTAL_SECRET_KEY": "20240917",
                                       "PORTAL_HTTPS": "false", "PORTAL_MAIL__PORT": "587",
                                       "PORTAL_LANGUAGES": '["de", "ar"]', "PORTAL_FALLBACK_LANGUAGES": "ar, de"})
    assert settings["office"]["postal_code"] == "40213"
    assert settings["secret_key"] == "20240917"
    assert settings["https"] is False and settings["mail"]["port"] == 587
    assert settings["languages"] == ["de", "ar"] and settings["fallback_languages"] == ["ar", "de"]


def test_variables_that_are_not_settings_do_not_stop_the_start(tmp_path):
    settings = load(tmp_path, environ={"PORTAL_BIND": "127.0.0.1:8000",
                                       "PORTAL_TEST_REDIS_URL": "redis://127.0.0.1:6379/1", "PORTAL_INSTANCE": "x"})
    assert "bind" not in settings


def test_gunicorn_settings_read_no_variable_the_portal_would_take_for_a_setting():
    import re

    source = (Path(config.__file__).parent / "gunicorn_config.py").read_text(encoding="utf-8")
    read = set(re.findall(r"PORTAL_[A-Z_]+", source))
    assert read and read <= config.NOT_SETTINGS


@pytest.mark.parametrize("environ, key, problem", [
    ({"PORTAL_OFFICE__POSTCODE": "40213"}, "office.postcode", "unknown key; did you mean 'postal_code'?"),
    ({"PORTAL_STAFF__IDLE_TIMEOUT_MINUTES": "soon"}, "staff.idle_timeout_minutes", "valid integer"),
    ({"PORTAL_NOTANYTABLE__KEY": "1"}, "notanytable.key", "unknown key (from PORTAL_NOTANYTABLE__KEY)"),
    ({"PORTAL_OFICE__CITY": "Bonn"}, "ofice.city", "unknown key; did you mean 'office'? (from PORTAL_OFICE__CITY)"),
    ({"PORTAL_HTTPS": "maybe"}, "https", "valid boolean"),
])
def test_bad_environment_variables_name_the_key(tmp_path, environ, key, problem):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, environ=environ)
    assert error.value.key == key
    assert problem in str(error.value)


@pytest.mark.parametrize("secret, https, accepted", [
    ("x" * 31, True, False), ("ä" * 16, True, True), ("x", False, True), ("", True, True),
])
def test_short_secret_key_is_refused_under_https(tmp_path, secret, https, accepted):
    values = {"secret_key": secret, "https": https}
    if accepted:
        assert len(load(tmp_path, overrides=values)["secret_key"]) >= len(secret)
        return
    with pytest.raises(ConfigError, match="'secret_key': is 31 bytes long; with https = true it must be at least 32, "
                                          "because it protects sessions"):
        load(tmp_path, overrides=values)


def described_fields(model) -> set[str]:
    """Return the fields of a settings class and its bases that a docstring follows in the source."""
    described = set()
    for cls in model.__mro__[:model.__mro__.index(config.Section)]:
        body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body
        for statement, following in pairwise(body):
            if (isinstance(statement, ast.AnnAssign) and isinstance(following, ast.Expr)
                    and isinstance(following.value, ast.Constant) and isinstance(following.value.value, str)
                    and following.value.value.strip()):
                described.add(statement.target.id)
    return described


def test_every_setting_is_declared_with_a_description():
    from portal.plugins import installed_entry_points

    def undescribed(model, prefix=""):
        described = described_fields(model)
        for name, field in model.model_fields.items():
            default = field.get_default(call_default_factory=True)
            if isinstance(default, config.BaseModel):
                yield from undescribed(type(default), f"{prefix}{name}.")
            elif name not in described:
                yield f"{prefix}{name}"

    assert list(undescribed(config.CoreSettings)) == []
    declared = [module for module in (installed_entry_points()[name][0].load() for name in config.BUILT_IN_PLUGINS)
                if hasattr(module, "portal_settings_model")]
    assert len(declared) >= 5
    for module in declared:
        assert list(undescribed(module.portal_settings_model())) == [], module.__name__


def start(tmp_path, **settings):
    return create_app({"instance_path": str(tmp_path), **settings})


def test_plugin_settings_are_checked_typed_and_unknown_keys_refused(tmp_path):
    app = start(tmp_path, plugins=["notices"], plugin_settings={"notices": {"page_size": 4}})
    assert app.config["PORTAL"]["plugin_settings"]["notices"] == {"page_size": 4, "home_count": 3, "feed_size": 20}
    with pytest.raises(ConfigError, match=r"'plugin_settings\.notices\.page_sise': unknown key; did you mean 'page_"):
        start(tmp_path, plugins=["notices"], plugin_settings={"notices": {"page_sise": 4}})
    with pytest.raises(ConfigError, match=r"'plugin_settings\.notices\.page_size': Input should be a valid integer"):
        start(tmp_path, plugins=["notices"], plugin_settings={"notices": {"page_size": "many"}})
    with pytest.raises(ConfigError, match=r"'plugin_settings\.parking': unknown key: no enabled plugin"):
        start(tmp_path, plugins=["notices"], plugin_settings={"parking": {"spaces": 4}})


def test_plugin_settings_from_the_environment_are_typed_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_PLUGIN_SETTINGS__EMERGENCY__RETENTION_DAYS", "7")
    monkeypatch.setenv("PORTAL_PLUGIN_SETTINGS__EMERGENCY__RECIPIENT", "20240917@example.org")
    settings = start(tmp_path, plugins=["emergency"]).config["PORTAL"]["plugin_settings"]["emergency"]
    assert settings["retention_days"] == 7 and settings["recipient"] == "20240917@example.org"
    monkeypatch.setenv("PORTAL_PLUGIN_SETTINGS__EMERGENCY__RETENTION_DAIS", "7")
    with pytest.raises(ConfigError, match=r"'plugin_settings\.emergency\.retention_dais': unknown key; "
                                         r"did you mean 'retention_days'\? \(from PORTAL_"):
        start(tmp_path, plugins=["emergency"])
    monkeypatch.delenv("PORTAL_PLUGIN_SETTINGS__EMERGENCY__RETENTION_DAIS")
    monkeypatch.setenv("PORTAL_PLUGIN_SETTINGS__EMERGENCY__RETENTION_DAYS", "0")
    with pytest.raises(ConfigError, match=r"'plugin_settings\.emergency\.retention_days': Input should be greater"):
        start(tmp_path, plugins=["emergency"])


@pytest.mark.slow
@pytest.mark.database_independent
def test_the_readmes_production_command_answers_once_the_database_is_upgraded(tmp_path):
    from portal.testing import free_port

    port = free_port()
    environ = {name: value for name, value in os.environ.items() if not name.startswith("PORTAL_")}
    environ |= {"PORTAL_INSTANCE": str(tmp_path), "PORTAL_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    bin_dir = Path(sys.executable).parent
    # As in the README; gunicorn 27's control socket has one default path for all gunicorns of a user.
    command = [str(bin_dir / "gunicorn"), "--config", "python:portal.gunicorn_config", "portal:create_app()"]
    if gunicorn.version_info >= (27,):
        command[-1:-1] = ["--no-control-socket"]
    log = tmp_path / "gunicorn.log"

    def health() -> tuple[int, dict]:
        for _ in range(600):
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    return response.status, json.load(response)
            except urllib.error.HTTPError as error:
                return error.code, json.load(error)
            except OSError:
                time.sleep(0.1)
        raise AssertionError(log.read_text())

    # Started before `db upgrade`, as a deployment may forget to: the log and /healthz say what to run.
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=environ, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        status, answer = health()
        assert status == 503 and answer["status"] == "degraded"
        assert set(answer["schema"]["behind"]) >= {"core", "appointments"}
        assert "older than this version (core at nothing, newest core_" in log.read_text()
        assert "run `flask --app portal db upgrade`" in log.read_text()
        subprocess.run([str(bin_dir / "flask"), "--app", "portal", "db", "upgrade"], env=environ, cwd=tmp_path,
                       check=True, capture_output=True, timeout=300)
        status, answer = health()
        assert status == 200 and answer["status"] == "ok" and answer["schema"] == "current"
        assert "appointments" in answer["plugins"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_language_is_available_when_the_core_has_its_catalog(tmp_path):
    catalogs = Path(config.core_path("translations"))
    assert set(config.catalog_languages()) == {"de"} | {path.parent.parent.name
                                                        for path in catalogs.glob("*/LC_MESSAGES/messages.po")}
    assert config.catalog_languages()[0] == "de"
    # Babel knows Italian, but the portal has no catalog for it.
    with pytest.raises(ConfigError, match=r"'languages.1': 'it' has no catalog in the portal; .*translating.md"):
        load(tmp_path, overrides={"languages": ["de", "it"]})


def test_the_shipped_languages_include_kurdish_dari_pashto_and_tigrinya_and_each_has_its_catalog(tmp_path):
    settings = load(tmp_path)
    assert settings["languages"][-5:] == ["ku", "ckb", "fa_AF", "ps", "ti"]
    assert set(settings["languages"]) <= set(config.catalog_languages())
    with pytest.raises(ConfigError, match=r"'fa-AF' has no catalog"):
        load(tmp_path, overrides={"languages": ["de", "fa-AF"]})


def test_opening_hours_may_meet_but_not_overlap(tmp_path):
    hours = [{"weekdays": [3], "opens": "07:30", "closes": "12:00"},
             {"weekdays": [3], "opens": "12:00", "closes": "17:00"},
             {"weekdays": [4], "opens": "08:00", "closes": "23:59"}]
    assert load(tmp_path, overrides={"office": {"opening_hours": hours}})["office"]["opening_hours"][1]["opens"] == \
        "12:00"


@pytest.mark.parametrize("code, direction", [
    ("ar", "rtl"), ("fa", "rtl"), ("fa_AF", "rtl"), ("ckb", "rtl"), ("ps", "rtl"), ("he", "rtl"), ("ur", "rtl"),
    ("de", "ltr"), ("ku", "ltr"), ("ti", "ltr"), ("uk", "ltr"),
])
def test_text_direction_follows_babels_locale_data(code, direction):
    from portal.i18n import text_direction

    assert text_direction(code) == direction


def test_the_app_names_every_language_when_built_so_a_worker_loads_only_the_locale_data_it_serves(
        tmp_path, monkeypatch):
    from babel import localedata

    from portal import create_app
    from portal.i18n import language_name, text_direction

    language_name.cache_clear()
    text_direction.cache_clear()
    app = create_app({"instance_path": str(tmp_path), "database_url": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
                      "secret_key": "test-secret-key-at-least-32-bytes"})
    monkeypatch.setattr(localedata, "load", lambda *_args, **_kwargs: pytest.fail("locale data loaded"))
    names = {code: language_name(code) for code in app.config["PORTAL"]["languages"]}
    assert names["de"] == "Deutsch" and names["fa_AF"] == "دری"
    assert text_direction("ar") == "rtl"


def test_gunicorn_takes_the_portal_s_settings_by_their_names_and_opens_no_control_socket():
    from gunicorn.config import Config

    from portal import gunicorn_config

    taken = Config()
    for name in ("worker_class", "preload_app", "accesslog", "control_socket_disable"):
        taken.set(name, getattr(gunicorn_config, name))  # a name gunicorn does not know raises AttributeError
    assert taken.control_socket_disable is True and taken.preload_app is True


def test_gunicorn_freezes_the_loaded_app_before_each_fork_so_the_workers_keep_sharing_its_memory():
    import gc

    from portal import gunicorn_config

    frozen = gc.get_freeze_count()
    try:
        gunicorn_config.pre_fork(server=None, worker=None)
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()


def test_adding_a_plugin_with_extra_plugins_keeps_the_built_in_ones(tmp_path, caplog):
    settings = load(tmp_path, overrides={"extra_plugins": ["parking"]})
    assert settings["plugins"] == [*config.BUILT_IN_PLUGINS, "parking"]
    assert "turned off" not in caplog.text
    with pytest.raises(ConfigError, match="'extra_plugins': notices named twice"):
        load(tmp_path, overrides={"extra_plugins": ["notices"]})


def test_replacing_the_plugin_list_names_the_built_in_plugins_turned_off(tmp_path, caplog):
    with caplog.at_level("WARNING", logger="portal.config"):
        assert load(tmp_path, overrides={"plugins": ["notices", "parking"]})["plugins"] == ["notices", "parking"]
    assert ("built-in plugins turned off by the setting 'plugins': appointments, arrival, checklists, hygiene, "
            "naturalisation, emergency, interpreters; to keep them, name them there or add your own plugins with "
            "'extra_plugins'"
            in caplog.text)


def test_a_portal_over_https_names_the_demo_values_it_keeps_in_one_warning(tmp_path, caplog):
    plugins = {"plugins": ["interpreters"]}
    with caplog.at_level("WARNING", logger="portal.config"):
        start(tmp_path, **plugins)
        assert "demo" not in caplog.text
        start(tmp_path, https=True, office={"street": "Marktplatz 3"}, **plugins)
    [warning] = [record.getMessage() for record in caplog.records if "demo" in record.getMessage()]
    assert warning == ("settings still at their defaults, the demo's, which visitors see: municipality.name, "
                       "office.postal_code, office.city, office.email, office.emergency_email, "
                       "accessibility.last_review, plugin_settings.interpreters.initiative_name; "
                       "set the office's own")
    caplog.clear()
    own = {"municipality": {"name": "Stadt Köln"}, "accessibility": {"last_review": "2026-10-01"},
           "office": {"street": "Marktplatz 3", "postal_code": "50667", "city": "Köln", "email": "amt@koeln.example",
                      "emergency_email": "notfall@koeln.example"},
           "plugin_settings": {"interpreters": {"initiative_name": "Sprachhelfer Köln"}}}
    with caplog.at_level("WARNING", logger="portal.config"):
        start(tmp_path, https=True, **own, **plugins)
    assert "demo" not in caplog.text


@pytest.mark.parametrize("url", ["", "sqlite:///instance/portal.sqlite3", "sqlite://",
                                 "postgresql+psycopg://portal@db.internal:5432/portal"])
def test_the_documented_databases_are_accepted(tmp_path, url):
    assert load(tmp_path, overrides={"database_url": url})["database_url"] == (
        url or f"sqlite:///{tmp_path / 'portal.sqlite3'}")


@pytest.mark.parametrize("url, problem", [
    ("mysql://x", "got mysql://"),
    ("postgresql+psycopg2://portal@db/portal", "got postgresql+psycopg2://"),
    ("nonsense", "this is no database URL"),
    # Never repeated in the error, which may be logged: the password in a URL that is none.
    ("postgresql+psycopg//portal:s3cret@db/portal", "this is no database URL"),
])
def test_another_database_url_stops_the_start_with_one_line(tmp_path, monkeypatch, capsys, url, problem):
    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    with pytest.raises(SystemExit) as stop:
        create_app()
    assert stop.value.code == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0
    assert error.startswith("portal cannot start: Configuration error in 'database_url': must be a URL like "
                            "sqlite:///… or postgresql+psycopg://")
    assert error.endswith(problem) and "s3cret" not in error


@pytest.mark.parametrize("warning, accepted", [(29, True), (30, False), (45, False)])
def test_the_staff_warning_comes_before_the_idle_sign_out(tmp_path, warning, accepted):
    values = {"staff": {"idle_timeout_minutes": 30, "warning_minutes": warning}}
    if accepted:
        assert load(tmp_path, overrides=values)["staff"]["warning_minutes"] == warning
        return
    with pytest.raises(ConfigError, match=r"^Configuration error in 'staff\.warning_minutes': must be fewer than "
                                          r"idle_timeout_minutes \(30\)$"):
        load(tmp_path, overrides=values)


CONFIGURATION_DOCS = ("README.md", "docs/configuration.md")
# Named in docs/configuration.md as what the portal refuses or warns of.
DOCUMENTED_MISTAKES = {"PORTAL_OFFICE__POSTCODE", "PORTAL_SECRETKEY"}


def documented_variables() -> list[tuple[str, str]]:
    """Return each `PORTAL_…=value` example of README.md and docs/configuration.md with its document."""
    import re
    import shlex

    root = Path(__file__).parent.parent
    found = []
    for document in CONFIGURATION_DOCS:
        for example in re.findall(r"`(PORTAL_[A-Z_]+=[^`]+)`", (root / document).read_text(encoding="utf-8")):
            [assignment] = shlex.split(example)
            found.append((document, assignment))
    return found


def declared(variable: str) -> bool:
    """Tell whether a PORTAL_ variable names a setting the core or a built-in plugin declares."""
    from portal.plugins import installed_entry_points

    path = variable.removeprefix(config.ENV_PREFIX).lower().split(config.ENV_DELIMITER)
    if path[0] == "plugin_settings":
        module = installed_entry_points()[path[1]][0].load()
        model, path = module.portal_settings_model(), path[2:]
    else:
        model = config.CoreSettings
    for part in path:
        if model is None or part not in model.model_fields:
            return False
        default = model.model_fields[part].default
        model = type(default) if isinstance(default, config.BaseModel) else None
    return True


def test_the_variables_the_docs_name_are_settings_or_said_not_to_be():
    import re

    root = Path(__file__).parent.parent
    names = {name for document in CONFIGURATION_DOCS
             for name in re.findall(r"`(PORTAL_[A-Z_]+)[`=]", (root / document).read_text(encoding="utf-8"))}
    assert "PORTAL_OFFICE__NAME" in names and "PORTAL_PLUGIN_SETTINGS__EMERGENCY__RETENTION_DAYS" in names
    assert not [name for name in names - DOCUMENTED_MISTAKES
                if not declared(name) and not config._not_a_setting(name)]
    assert not [name for name in DOCUMENTED_MISTAKES if declared(name)]


def test_the_docs_give_examples_of_plugin_settings_from_the_environment():
    documents = {document for document, assignment in documented_variables()
                 if assignment.startswith("PORTAL_PLUGIN_SETTINGS__")}
    assert documents == {"README.md", "docs/configuration.md"}


@pytest.mark.parametrize("document, assignment", documented_variables())
def test_the_documented_environment_variables_are_accepted(tmp_path, monkeypatch, document, assignment):
    name, value = assignment.split("=", 1)
    monkeypatch.setenv(name, value)
    app = start(tmp_path)
    if name.startswith("PORTAL_PLUGIN_SETTINGS__"):
        plugin, key = name.removeprefix("PORTAL_PLUGIN_SETTINGS__").lower().split("__")
        assert str(app.config["PORTAL"]["plugin_settings"][plugin][key]) == value
