"""Load and check the portal's configuration: defaults < instance TOML file < PORTAL_* environment.

The core's settings and every plugin's are declared as pydantic models (type,
default, description); a value is checked against its declaration and an
environment variable is read as the declared type, so PORTAL_OFFICE__POSTAL_CODE=01067
stays a string. Unknown keys are refused with the full key in the message.
"""

from __future__ import annotations

import calendar
import difflib
import logging
import os
import re
import secrets
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import EnvSettingsSource
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .i18n import INTERFACE_LANGUAGE
from .resources import core_path

log = logging.getLogger(__name__)

ENV_PREFIX = "PORTAL_"
ENV_DELIMITER = "__"
# PORTAL_ variables that are read elsewhere (gunicorn's settings, the instance folder, the tests), not settings.
NOT_SETTINGS = frozenset({"PORTAL_CONFIG", "PORTAL_INSTANCE", "PORTAL_BIND"})
NOT_SETTINGS_PREFIXES = ("PORTAL_TEST_", "PORTAL_BENCH_")
# Plugins shipped with the portal, in their default order.
BUILT_IN_PLUGINS = ("notices", "appointments", "arrival", "checklists", "hygiene", "naturalisation", "emergency",
                    "interpreters")
# Under https the secret protects sessions, form tokens, result links and the date-of-birth hashes.
MIN_SECRET_BYTES = 32
# The databases the portal is tested on, with the drivers it installs (docs/configuration.md).
DATABASE_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite", "postgresql+psycopg"})


class DemoValue:
    """Mark a setting whose default is the demo's, so that a portal served over https warns while it is kept."""


# In a setting's Annotated[...]: its default is the demo's, shown to visitors until the office sets its own.
DEMO = DemoValue()


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message names the key."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"Configuration error in '{key}': {problem}")
        self.key = key


@cache
def catalog_languages() -> tuple[str, ...]:
    """Return the languages the core has a catalog for: German (the source) first, then by code."""
    found = {path.parent.parent.name for path in core_path("translations").glob("*/LC_MESSAGES/messages.po")}
    return (INTERFACE_LANGUAGE, *sorted(found - {INTERFACE_LANGUAGE}))


LANGUAGE_CODES = catalog_languages()


def _matching(pattern: str, expected: str) -> AfterValidator:
    """Return a check that a whole text matches pattern, saying what is expected when it does not."""
    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"must be {expected}, got {value!r}")
        return value

    return AfterValidator(check)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _on_this_site(path: str) -> str:
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f'must be a path on this site like "/static/…", got {path!r}: no request may leave the site')
    return path


def _iso_date(value: str) -> str:
    if not value:
        return value
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be a date like 2026-11-01, got {value!r}") from None
    return value


def _distinct(values: list) -> list:
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} named twice")
    return values


def _known_language(code: str) -> str:
    if code not in catalog_languages():
        # The addresses show the BCP 47 tag (/fa-AF/), which is what an operator is likely to copy.
        meant = [known for known in catalog_languages()
                 if known.replace("_", "-").lower() == code.replace("_", "-").lower()]
        hint = f"did you mean '{meant[0]}'? " if meant else ""
        raise ValueError(f"'{code}' has no catalog in the portal; {hint}available: {', '.join(catalog_languages())} "
                         "(docs/translating.md says how to add a language)")
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"'{code}' is not a locale Babel knows") from None
    return code


EmailSetting = Annotated[str, _matching(r"([^@\s]+@[^@\s]+\.[^@\s]+)?", "an e-mail address")]
Text = Annotated[str, AfterValidator(_not_blank)]
ClockTime = Annotated[str, _matching(r"([01]\d|2[0-3]):[0-5]\d",
                                     'a time of day from "00:00" to "23:59" like "07:30"')]
LanguageCode = Annotated[str, AfterValidator(_known_language)]
# A leading dot allows sub-domains; an IPv6 address is in brackets.
HostName = Annotated[str, _matching(r"\.?[A-Za-z0-9.-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?",
                                    "a host name like portal.example.org")]


class Section(BaseModel):
    """A table of settings: unknown keys are refused, each field's docstring describes it."""

    # The docstrings are for readers: pydantic's use_attribute_docstrings would read every settings class's source
    # at each start (about 40 ms of CPU) for descriptions nothing shows.
    model_config = ConfigDict(extra="forbid", validate_default=True)


class PluginSettings(Section):
    """Base of a plugin's declared settings; read back with toolkit.plugin_settings(name) as a dict."""


class Municipality(Section):
    name: Annotated[Text, DEMO] = "Musterstadt"
    """The municipality's name, shown in the header and the legal pages."""
    website: str = ""
    """The municipality's website, linked from the footer; empty: no link."""


class OpeningHours(Section):
    weekdays: list[Annotated[int, Field(ge=0, le=6)]]
    """Days these hours apply to, 0 (Monday) to 6 (Sunday)."""
    opens: ClockTime
    """Opening time, "HH:MM" in the office's time zone."""
    closes: ClockTime
    """Closing time, "HH:MM", later than opens."""

    @field_validator("closes")
    @classmethod
    def _after_opening(cls, closes: str, info: ValidationInfo) -> str:
        if "opens" in info.data and closes <= info.data["opens"]:
            raise ValueError(f"must be later than opens ({info.data['opens']})")
        return closes


class Office(Section):
    name: Text = "Amt für Migration und Integration"
    """The office's name."""
    building: str = ""
    """The building's name, if it has one."""
    street: Annotated[str, DEMO] = "Musterstraße 1"
    """Street and number."""
    postal_code: Annotated[str, DEMO] = "12345"
    """Postal code, kept as written (leading zeros stay)."""
    city: Annotated[str, DEMO] = "Musterstadt"
    """City."""
    phone: str = ""
    """The office's phone number as it should be dialled."""
    email: Annotated[EmailSetting, DEMO] = "migration@musterstadt.example"
    """The office's e-mail address; empty: none shown."""
    emergency_email: Annotated[EmailSetting, AfterValidator(_not_blank), DEMO] = "notfall@musterstadt.example"
    """Where emergency requests go."""
    emergency_phone: str = ""
    """Phone number for emergencies; empty: none shown."""
    opening_hours: list[OpeningHours] = [
        OpeningHours(weekdays=[0, 1, 3], opens="07:30", closes="12:00"),
        OpeningHours(weekdays=[3], opens="13:30", closes="17:00"),
    ]
    """Opening hours as [{weekdays = [0, 1], opens = "07:30", closes = "12:00"}, …]; a day's hours do not overlap."""
    locations: list[str] = []
    """The office's locations (buildings or floors); empty: one place only."""


    @field_validator("opening_hours")
    @classmethod
    def _not_overlapping(cls, entries: list[OpeningHours]) -> list[OpeningHours]:
        # Two spans of one day would show as two openings of the office where it has one, and count its hours twice.
        for weekday in range(7):
            spans = sorted((entry.opens, entry.closes, index) for index, entry in enumerate(entries)
                           if weekday in entry.weekdays)
            for (_, closes, first), (opens, _, second) in zip(spans, spans[1:], strict=False):
                if opens < closes:
                    raise ValueError(f"entries {min(first, second)} and {max(first, second)} overlap on weekday "
                                     f"{weekday} ({calendar.day_name[weekday]})")
        return entries


class Theme(Section):
    colour: Annotated[str, _matching(r"#[0-9a-fA-F]{6}", "a colour like #005a8c")] = "#005a8c"
    """The accent colour, like #005a8c."""
    logo: Annotated[str, _matching(r"([\w.-]+\.(svg|png|webp))?",
                                   "a file name like logo.svg (.svg, .png or .webp)")] = ""
    """The name of a logo file in the instance's theme folder, like logo.svg; empty: none, the names alone."""


class Staff(Section):
    idle_timeout_minutes: PositiveInt = 30
    """Minutes without activity after which a staff member is signed out."""
    absolute_timeout_hours: PositiveInt = 10
    """Hours after which every staff session ends."""
    warning_minutes: PositiveInt = 5
    """Minutes before the idle sign-out at which the page warns; fewer than idle_timeout_minutes."""
    audit_retention_days: PositiveInt = 730
    """Days the audit log keeps an entry."""

    @field_validator("warning_minutes")
    @classmethod
    def _before_the_sign_out(cls, minutes: int, info: ValidationInfo) -> int:
        # A warning as long as the idle limit would show from the first minute of every page on.
        if "idle_timeout_minutes" in info.data and minutes >= info.data["idle_timeout_minutes"]:
            raise ValueError(f"must be fewer than idle_timeout_minutes ({info.data['idle_timeout_minutes']})")
        return minutes


class SignLanguageVideo(Section):
    title: str
    """The video's title."""
    file: Annotated[str, AfterValidator(_on_this_site)]
    """The video's path on this site ("/static/…"): no request may leave the site."""
    description: str = ""
    """A sentence about what the video explains; empty: none."""


class Accessibility(Section):
    feedback_email: EmailSetting = ""
    """Where visitors report barriers."""
    feedback_phone: str = ""
    """Phone number for reporting barriers."""
    status: Literal["full", "partial", "none"] = "partial"
    """How far the site meets the accessibility requirements: full, partial or none."""
    last_review: Annotated[str, AfterValidator(_iso_date), DEMO] = ""
    """Date of the last review, like 2026-11-01; empty: the statement says it has not been reviewed yet."""
    known_limitations: list[str] = []
    """Known barriers, one text each."""
    enforcement_body: str = "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz"
    """The body visitors may turn to when a report is not answered."""
    enforcement_url: str = ""
    """That body's website."""
    sign_language_videos: list[SignLanguageVideo] = []
    """Sign language videos served by this site: [{title = "…", file = "/static/…"}]."""


class Mail(Section):
    host: str = ""
    """SMTP server; empty: mail is written to mail-sink.mbox in the instance folder instead (for the demo)."""
    port: Annotated[int, Field(gt=0, lt=65536)] = 25
    """SMTP port."""
    sender: Annotated[EmailSetting, AfterValidator(_not_blank)] = "portal@musterstadt.example"
    """The sender address of mail from the portal."""
    use_tls: bool = False
    """Use STARTTLS."""
    username: str = ""
    """SMTP user name; empty: no login."""
    password: str = ""
    """SMTP password."""
    retry_base_seconds: PositiveInt = 60
    """Seconds to wait after a failed delivery attempt; the wait doubles with each attempt."""
    retry_max_seconds: PositiveInt = 3600
    """Longest wait between two delivery attempts."""
    max_attempts: PositiveInt = 20
    """Delivery attempts before a message is marked as failed."""
    retention_days: PositiveInt = 30
    """Days sent or failed mail stays in the outbox; waiting mail is kept."""


class CoreSettings(Section):
    """The core's settings: top-level keys and tables of portal.toml."""

    secret_key: str = ""
    """Signs sessions, form tokens and result links and keys the lookup hashes; empty: generated in the instance
    folder. With https = true it must be at least 32 bytes."""
    database_url: str = ""
    """SQLAlchemy URL of the database, sqlite:///… or postgresql+psycopg://…; empty: SQLite in the instance folder."""
    ratelimit_storage_url: str = "memory://"
    """Where rate limits are counted: memory:// (one process) or a redis:// URL (shared by all workers); a Redis
    here also carries live versions between processes (portal/live.py)."""
    plugins: Annotated[list[str], AfterValidator(_distinct)] = list(BUILT_IN_PLUGINS)
    """The plugins to run, in order; setting it replaces the built-in list (use extra_plugins to add one)."""
    extra_plugins: Annotated[list[str], AfterValidator(_distinct)] = []
    """Plugins to run after those of `plugins`, for example a municipality's own."""
    languages: Annotated[list[LanguageCode], Field(min_length=1), AfterValidator(_distinct)] = \
        ["de", "en", "tr", "ar", "fa", "uk", "ru", "es", "fr", "pl", "ku", "ckb", "fa_AF", "ps", "ti"]
    """The enabled languages, in the order of the language switch; any language with the core's catalog may be
    enabled."""
    default_language: str = "de"
    """The language of / and of visitors whose browser asks for none of the enabled ones."""
    fallback_languages: Annotated[list[LanguageCode], Field(min_length=1), AfterValidator(_distinct)] = ["de"]
    """Languages to show content in when it is missing in the visitor's, in this order; the first is the source
    language, in which staff write every text."""
    timezone: str = "Europe/Berlin"
    """The office's IANA time zone: staff enter and visitors read times in it; the database keeps UTC."""
    page_cache_seconds: NonNegativeInt = 30
    """How long a worker may serve a public page to anonymous visitors without rendering it again; any staff save
    ends it at once on every server (0: render every page)."""
    behind_proxy: bool = False
    """Trust X-Forwarded-For/-Proto/-Host from one reverse proxy."""
    https: bool = False
    """The site is served over https: secure cookies, a __Host- session cookie, a long secret key."""
    trusted_hosts: Annotated[list[HostName], AfterValidator(_distinct)] = []
    """Host names the portal answers to (a leading dot allows sub-domains); empty: any, for development."""
    public_url: Annotated[str, _matching(r"(https?://[A-Za-z0-9.-]+(:\d+)?(/[^?#\s]*)?)?",
                                         "an address like https://termine.musterstadt.de")] = ""
    """The portal's address as clients reach it, for links in letters, passes, mail and QR codes (also those made
    on a staff page served under an internal name, or by a command); empty: the first trusted host over https,
    else the request's own address."""
    shared_networks: list[IPvAnyNetwork] = []
    """Networks where many clients share one address (the waiting room's guest Wi-Fi, a shelter): their
    per-address rate limits are multiplied by shared_network_factor."""
    shared_network_factor: PositiveInt = 10
    """How many clients' worth of requests an address of a shared network may make."""
    municipality: Municipality = Municipality()
    office: Office = Office()
    theme: Theme = Theme()
    staff: Staff = Staff()
    accessibility: Accessibility = Accessibility()
    mail: Mail = Mail()
    plugin_settings: dict[str, dict[str, Any]] = {}
    """Settings of each plugin, in [plugin_settings.<plugin-name>], as the plugin declares them."""

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        if not url:
            return url
        expected = "a URL like sqlite:///… or postgresql+psycopg://user@host/name"
        try:
            drivername = make_url(url).drivername
        except ArgumentError:
            # Not repeated: the text may hold the database's password.
            raise ValueError(f"must be {expected}; this is no database URL") from None
        if drivername not in DATABASE_DRIVERS:
            raise ValueError(f"must be {expected} (the databases and drivers the portal runs on), "
                             f"got {drivername}://")
        return url

    @field_validator("ratelimit_storage_url")
    @classmethod
    def _limit_storage(cls, url: str) -> str:
        if url.split("://")[0] not in {"memory", "redis", "rediss"}:
            raise ValueError(f"must be memory:// or a redis:// URL, got {url!r}")
        return url

    @field_validator("default_language")
    @classmethod
    def _default_enabled(cls, code: str, info: ValidationInfo) -> str:
        if code not in info.data.get("languages", ()):
            raise ValueError(f"'{code}' is not one of the enabled languages")
        return code

    @field_validator("fallback_languages")
    @classmethod
    def _fallbacks_enabled(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        for code in codes:
            if code not in info.data.get("languages", ()):
                raise ValueError(f"'{code}' is not an enabled language")
        return codes

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"must be an IANA time zone name like Europe/Berlin, got {name!r}") from None
        return name


DEFAULTS: dict[str, Any] = CoreSettings().model_dump()


class _Environment(EnvSettingsSource):
    """Read PORTAL_* variables from a given mapping as the declared types; lists also as "a, b"."""

    def __init__(self, model: type[BaseModel], environ: Mapping[str, str], prefix: str):
        self._given = environ
        super().__init__(model, case_sensitive=False, env_prefix=prefix, env_nested_delimiter=ENV_DELIMITER,
                         env_ignore_empty=False, env_parse_none_str=None)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._given.items()}

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError:
            if get_origin(field.annotation) is list or get_origin(_unwrapped(field.annotation)) is list:
                return [part.strip() for part in value.split(",") if part.strip()]
            raise


def _unwrapped(annotation: Any) -> Any:
    return getattr(annotation, "__origin__", annotation) if get_origin(annotation) is Annotated else annotation


def _environment_values(model: type[BaseModel], environ: Mapping[str, str], prefix: str) -> dict[str, Any]:
    try:
        return _Environment(model, environ, prefix)()
    except Exception as exc:  # pydantic-settings' SettingsError names the field in its message
        raise ConfigError(prefix.lower().removeprefix("portal_").replace("__", "."), str(exc)) from None


def _problem(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    return f"{error['msg']}, got {error['input']!r}"


def _keys_at(model: type[BaseModel], location: tuple) -> tuple[str, ...]:
    """Return the keys the table at a location of a declaration takes (none where it is not a table)."""
    for part in location:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        if get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ()
        model = annotation
    return tuple(model.model_fields)


def _first_problem(model: type[BaseModel], errors: list[Mapping[str, Any]]) -> tuple[tuple, str]:
    """Return the location and description of the problem to report first: an unknown key before all others."""
    # A misspelt key also leaves the key it was meant to be missing; the misspelling is the one to name.
    unknown = [error for error in errors if error["type"] == "extra_forbidden"]
    if not unknown:
        return errors[0]["loc"], _problem(errors[0])
    location = unknown[0]["loc"]
    return location, _unknown_key(str(location[-1]), _keys_at(model, location[:-1]))


def _unknown_key(key: str, known: Iterable[str]) -> str:
    """Describe an unknown key, naming the known key it is likely a misspelling of."""
    meant = difflib.get_close_matches(key, list(known), n=1)
    return f"unknown key; did you mean '{meant[0]}'?" if meant else "unknown key"


def _validated(model: type[BaseModel], values: Mapping[str, Any], prefix: str = "",
               context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check values against a declaration; raise ConfigError naming the full key of the first problem."""
    try:
        return model.model_validate(values, context=context).model_dump()
    except ValidationError as exc:
        location, problem = _first_problem(model, exc.errors())
        key = ".".join([part for part in prefix.split(".") if part] + [str(part) for part in location])
        raise ConfigError(key or prefix or "settings", problem) from None


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return base updated by override, merging nested tables."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_file(instance_path: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    config_file = Path(environ.get("PORTAL_CONFIG") or instance_path / "portal.toml")
    if not config_file.exists():
        if "PORTAL_CONFIG" in environ:
            raise ConfigError("PORTAL_CONFIG", f"file {config_file} does not exist")
        return {}
    try:
        return tomllib.loads(config_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(config_file), f"not valid TOML: {exc}") from None


def _not_a_setting(name: str) -> bool:
    return name in NOT_SETTINGS or name.startswith(NOT_SETTINGS_PREFIXES)


def _check_environment_names(environ: Mapping[str, str]) -> None:
    """Refuse PORTAL_<TABLE>__<KEY> variables for tables that have no such key; other variables are not ours."""
    tables = {name for name, field in CoreSettings.model_fields.items() if isinstance(field.default, BaseModel)}
    for name in environ:
        if not name.startswith(ENV_PREFIX) or _not_a_setting(name):
            continue
        path = name[len(ENV_PREFIX):].lower().split(ENV_DELIMITER)
        if path[0] in CoreSettings.model_fields:
            continue
        if len(path) > 1 or path[0] in tables:
            raise ConfigError(".".join(path), f"{_unknown_key(path[0], CoreSettings.model_fields)} (from {name})")
        log.warning("%s is not a setting of the portal and is left alone", name)


def _check_secret(settings: Mapping[str, Any]) -> None:
    secret = settings["secret_key"]
    if settings["https"] and secret and len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError("secret_key", f"is {len(secret.encode())} bytes long; with https = true it must be at "
                                        f"least {MIN_SECRET_BYTES}, because it protects sessions, form tokens, "
                                        "result links and the date-of-birth hashes (python3 -c 'import secrets; "
                                        "print(secrets.token_hex(32))' makes one)")


def _kept_demo_values(model: type[BaseModel], values: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Return the keys of the settings marked DEMO, in tables too, whose values are still their defaults."""
    kept = []
    for name, field in model.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            kept += _kept_demo_values(type(default), values[name], f"{prefix}{name}.")
        elif DEMO in field.metadata and values[name] == default:
            kept.append(f"{prefix}{name}")
    return kept


def warn_of_demo_values(settings: Mapping[str, Any], declarations: Mapping[str, type[BaseModel]]) -> None:
    """Log one warning naming the demo's settings, the core's and the plugins', that a portal over https keeps."""
    if not settings["https"]:
        return
    kept = _kept_demo_values(CoreSettings, settings)
    for name, model in declarations.items():
        if name in settings["plugin_settings"]:
            kept += _kept_demo_values(model, settings["plugin_settings"][name], f"plugin_settings.{name}.")
    if kept:
        log.warning("settings still at their defaults, the demo's, which visitors see: %s; set the office's own",
                    ", ".join(kept))


def _check_logo(instance_path: Path, logo: str) -> None:
    if logo and not (instance_path / "theme" / logo).is_file():
        raise ConfigError("theme.logo", f"there is no file {instance_path / 'theme' / logo}")


def load(instance_path: Path, overrides: Mapping[str, Any] | None = None,
         environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the checked core settings for an instance folder; plugin tables are checked after loading plugins."""
    environ = os.environ if environ is None else environ
    _check_environment_names(environ)
    # Single plugin settings are typed by the plugins' declarations, once the plugins are loaded.
    plugin_variables = f"{ENV_PREFIX}PLUGIN_SETTINGS{ENV_DELIMITER}"
    from_environment = _environment_values(
        CoreSettings, {name: value for name, value in environ.items() if not name.upper().startswith(plugin_variables)},
        ENV_PREFIX)
    values = merge(merge(_read_file(instance_path, environ), from_environment), overrides or {})
    settings = _validated(CoreSettings, values)
    _check_secret(settings)
    _check_logo(instance_path, settings["theme"]["logo"])
    clash = sorted(set(settings["plugins"]) & set(settings["extra_plugins"]))
    if clash:
        raise ConfigError("extra_plugins", f"{', '.join(clash)} named twice (already in plugins)")
    settings["plugins"] = settings["plugins"] + settings["extra_plugins"]
    turned_off = [name for name in BUILT_IN_PLUGINS if name not in settings["plugins"]]
    if "plugins" in values and turned_off:
        log.warning("built-in plugins turned off by the setting 'plugins': %s; to keep them, name them there or "
                    "add your own plugins with 'extra_plugins' instead", ", ".join(turned_off))
    if not settings["database_url"]:
        settings["database_url"] = f"sqlite:///{instance_path / 'portal.sqlite3'}"
    if not settings["secret_key"]:
        settings["secret_key"] = _instance_secret(instance_path)
    return settings


def check_plugin_settings(settings: dict[str, Any], declarations: Mapping[str, type[BaseModel]],
                          environ: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Return each enabled plugin's checked settings: declared defaults < file < environment."""
    environ = os.environ if environ is None else environ
    given = settings["plugin_settings"]
    env_prefix = f"{ENV_PREFIX}PLUGIN_SETTINGS{ENV_DELIMITER}"
    from_environment = {name[len(env_prefix):].lower().split(ENV_DELIMITER)[0] for name in environ
                        if name.upper().startswith(env_prefix)}
    for name in sorted(set(given) | from_environment):
        if name not in settings["plugins"]:
            raise ConfigError(f"plugin_settings.{name}", "unknown key: no enabled plugin has this name")
        if name not in declarations:
            raise ConfigError(f"plugin_settings.{name}", "unknown key: this plugin declares no settings")
    checked = {}
    for name in settings["plugins"]:
        model = declarations.get(name)
        if model is None:
            checked[name] = {}
            continue
        prefix = f"{env_prefix}{name.upper()}{ENV_DELIMITER}"
        for variable in environ:
            field = variable[len(prefix):].lower().split(ENV_DELIMITER)[0]
            if variable.upper().startswith(prefix) and field not in model.model_fields:
                raise ConfigError(f"plugin_settings.{name}.{field}",
                                  f"{_unknown_key(field, model.model_fields)} (from {variable})")
        values = merge(given.get(name, {}), _environment_values(model, environ, prefix))
        checked[name] = _validated(model, values, f"plugin_settings.{name}", context={"portal": settings})
    return checked


def _instance_secret(instance_path: Path) -> str:
    """Return a random secret kept in the instance folder, made on first use."""
    secret_file = instance_path / "secret_key"
    if not secret_file.exists():
        instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created private: the key is never readable by others, not even for a moment.
        with os.fdopen(os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_hex(32))
    return secret_file.read_text().strip()
