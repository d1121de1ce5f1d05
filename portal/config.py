"""Load and check the portal's configuration: defaults < instance TOML file < PORTAL_* environment."""

from __future__ import annotations

import json
import os
import re
import secrets
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message names the key."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"Configuration error in '{key}': {problem}")
        self.key = key


LANGUAGE_CODES = ("de", "en", "tr", "ar", "fa", "uk", "ru", "es", "fr", "pl")

DEFAULTS: dict[str, Any] = {
    "secret_key": "",
    "database_url": "",
    "ratelimit_storage_url": "memory://",
    "plugins": [
        "notices",
        "appointments",
        "checklists",
        "hygiene",
        "naturalisation",
        "emergency",
        "interpreters",
    ],
    "languages": list(LANGUAGE_CODES),
    "default_language": "de",
    "fallback_languages": ["de"],
    # Times staff enter and visitors read are in the office's time zone; the database keeps UTC.
    "timezone": "Europe/Berlin",
    "behind_proxy": False,
    "https": False,
    "municipality": {"name": "Musterstadt", "website": ""},
    "office": {
        "name": "Amt für Migration und Integration",
        "building": "",
        "street": "Musterstraße 1",
        "postal_code": "12345",
        "city": "Musterstadt",
        "phone": "",
        "email": "migration@musterstadt.example",
        "emergency_email": "notfall@musterstadt.example",
        "emergency_phone": "",
        "opening_hours": [
            {"weekdays": [0, 1, 3], "opens": "07:30", "closes": "12:00"},
            {"weekdays": [3], "opens": "13:30", "closes": "17:00"},
        ],
        "locations": [],
    },
    "theme": {"colour": "#005a8c", "logo": ""},
    "staff": {"idle_timeout_minutes": 30, "absolute_timeout_hours": 10, "warning_minutes": 5,
              "audit_retention_days": 730},
    "accessibility": {
        "feedback_email": "",
        "feedback_phone": "",
        "status": "partial",
        "last_review": "2026-11-01",
        "known_limitations": [],
        "enforcement_body": "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz",
        "enforcement_url": "",
        "sign_language_videos": [],
    },
    "mail": {"host": "", "port": 25, "sender": "portal@musterstadt.example", "use_tls": False, "username": "",
             "password": ""},
    "plugin_settings": {},
}

_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _is_str(value):
    return isinstance(value, str)


def _check_str_list(value):
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_languages(value):
    return _check_str_list(value) and value and all(v in LANGUAGE_CODES for v in value)


def _check_email(value):
    return isinstance(value, str) and (value == "" or bool(_EMAIL_RE.match(value)))


def _check_timezone(value):
    try:
        ZoneInfo(value)
    except (TypeError, ValueError, ZoneInfoNotFoundError):
        return False
    return True


def _check_hours(value):
    if not isinstance(value, list):
        return False
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"weekdays", "opens", "closes"}:
            return False
        days = entry["weekdays"]
        if not isinstance(days, list) or not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
            return False
        if not all(isinstance(entry[k], str) and _TIME_RE.match(entry[k]) for k in ("opens", "closes")):
            return False
        if entry["opens"] >= entry["closes"]:
            return False
    return True


def _check_videos(value):
    if not isinstance(value, list):
        return False
    for video in value:
        if not isinstance(video, dict) or not {"title", "file"} <= set(video):
            return False
        # Videos must come from this site: no request may leave it.
        if not isinstance(video["file"], str) or not video["file"].startswith("/") or video["file"].startswith("//"):
            return False
    return True


# Each checked key: (test, what a valid value looks like).
_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "secret_key": (_is_str, "a string"),
    "database_url": (_is_str, "an SQLAlchemy URL"),
    "ratelimit_storage_url": (
        lambda v: isinstance(v, str) and v.split("://")[0] in {"memory", "redis", "rediss"},
        "memory:// or a redis:// URL",
    ),
    "plugins": (_check_str_list, "a list of plugin names"),
    "languages": (_check_languages, f"a non-empty list of language codes from {', '.join(LANGUAGE_CODES)}"),
    "default_language": (lambda v: v in LANGUAGE_CODES, "one of the enabled languages"),
    "fallback_languages": (_check_languages, "a list of enabled language codes"),
    "timezone": (_check_timezone, "an IANA time zone name like Europe/Berlin"),
    "behind_proxy": (lambda v: isinstance(v, bool), "true or false"),
    "https": (lambda v: isinstance(v, bool), "true or false"),
    "municipality.name": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
    "office.name": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
    "office.email": (_check_email, "an e-mail address"),
    "office.emergency_email": (lambda v: _check_email(v) and v != "", "an e-mail address"),
    "office.opening_hours": (_check_hours, 'a list of {weekdays = [0..6], opens = "HH:MM", closes = "HH:MM"}'),
    "theme.colour": (lambda v: isinstance(v, str) and bool(_COLOUR_RE.match(v)), "a colour like #005a8c"),
    "staff.idle_timeout_minutes": (lambda v: isinstance(v, int) and v > 0, "a positive whole number"),
    "staff.absolute_timeout_hours": (lambda v: isinstance(v, int) and v > 0, "a positive whole number"),
    "staff.warning_minutes": (lambda v: isinstance(v, int) and v > 0, "a positive whole number"),
    "staff.audit_retention_days": (lambda v: isinstance(v, int) and v > 0, "a positive whole number"),
    "mail.port": (lambda v: isinstance(v, int) and 0 < v < 65536, "a port number"),
    "accessibility.feedback_email": (_check_email, "an e-mail address"),
    "accessibility.status": (lambda v: v in {"full", "partial", "none"}, "full, partial or none"),
    "accessibility.last_review": (lambda v: isinstance(v, str) and bool(re.match(r"^\d{4}-\d{2}-\d{2}$", v)),
                                  "a date like 2026-11-01"),
    "accessibility.known_limitations": (_check_str_list, "a list of texts"),
    "accessibility.sign_language_videos": (_check_videos, 'a list of {title = "...", file = "/static/..."} '
                                                          "served by this site"),
}


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return base updated by override, merging nested tables."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _parse_env_value(raw: str) -> Any:
    """Read an environment value as JSON when it is JSON, else as a plain string or comma list."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Turn PORTAL_A__B=value variables into {"a": {"b": value}}."""
    result: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("PORTAL_") or name in {"PORTAL_CONFIG", "PORTAL_INSTANCE", "PORTAL_TEST_DATABASE_URL"}:
            continue
        path = name[len("PORTAL_"):].lower().split("__")
        value = _parse_env_value(raw)
        if path[-1] in {"plugins", "languages", "fallback_languages"} and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        node = result
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return result


def _lookup(settings: Mapping[str, Any], dotted: str) -> Any:
    node: Any = settings
    for part in dotted.split("."):
        node = node[part]
    return node


def validate(settings: dict[str, Any]) -> None:
    """Raise ConfigError for the first key that is unknown or has a wrong value."""
    for key, value in settings.items():
        if key not in DEFAULTS:
            raise ConfigError(key, "unknown key")
        if isinstance(DEFAULTS[key], dict) and not isinstance(value, dict):
            raise ConfigError(key, "must be a table")
        if isinstance(DEFAULTS[key], dict) and key != "plugin_settings":
            for sub in value:
                if sub not in DEFAULTS[key]:
                    raise ConfigError(f"{key}.{sub}", "unknown key")
    for key, (check, expected) in _CHECKS.items():
        if not check(_lookup(settings, key)):
            raise ConfigError(key, f"must be {expected}, got {_lookup(settings, key)!r}")
    if settings["default_language"] not in settings["languages"]:
        raise ConfigError("default_language", "must be one of the enabled languages")
    for lang in settings["fallback_languages"]:
        if lang not in settings["languages"]:
            raise ConfigError("fallback_languages", f"'{lang}' is not an enabled language")
    if len(set(settings["plugins"])) != len(settings["plugins"]):
        duplicated = sorted({p for p in settings["plugins"] if settings["plugins"].count(p) > 1})
        raise ConfigError("plugins", f"plugin named twice: {', '.join(duplicated)}")


def load(instance_path: Path, overrides: Mapping[str, Any] | None = None,
         environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the checked settings for an instance folder."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    config_file = Path(environ.get("PORTAL_CONFIG") or instance_path / "portal.toml")
    if config_file.exists():
        try:
            settings = merge(settings, tomllib.loads(config_file.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(config_file), f"not valid TOML: {exc}") from None
    elif "PORTAL_CONFIG" in environ:
        raise ConfigError("PORTAL_CONFIG", f"file {config_file} does not exist")
    settings = merge(settings, from_environment(environ))
    settings = merge(settings, overrides or {})
    validate(settings)
    if not settings["database_url"]:
        settings["database_url"] = f"sqlite:///{instance_path / 'portal.sqlite3'}"
    if not settings["secret_key"]:
        settings["secret_key"] = _instance_secret(instance_path)
    return settings


def _instance_secret(instance_path: Path) -> str:
    """Return a random secret kept in the instance folder, made on first use."""
    secret_file = instance_path / "secret_key"
    if not secret_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(secrets.token_hex(32))
        secret_file.chmod(0o600)
    return secret_file.read_text().strip()
