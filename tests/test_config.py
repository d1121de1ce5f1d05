"""Configuration: defaults < instance TOML file < PORTAL_* environment; bad values name their key."""

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
    # The generated secret is kept, so sessions survive a restart.
    assert load(tmp_path)["secret_key"] == settings["secret_key"]


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
    ('[office]\nopening_hours = [{ weekdays = [7], opens = "08:00", closes = "12:00" }]\n', "office.opening_hours"),
    ('[office]\nopening_hours = [{ weekdays = [1], opens = "12:00", closes = "08:00" }]\n', "office.opening_hours"),
    ('[theme]\ncolour = "blue"\n', "theme.colour"),
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


def test_shipped_example_configuration_is_valid(tmp_path):
    from pathlib import Path

    example = Path(__file__).parent.parent / "examples" / "duesseldorf.toml"
    settings = load(tmp_path, example.read_text(encoding="utf-8"))
    assert settings["office"]["street"] == "Erkrather Straße 377"
    assert settings["office"]["emergency_email"] == "notfall.auslaenderangelegenheiten@duesseldorf.de"
