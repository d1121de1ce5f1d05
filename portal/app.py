"""Assemble the application: configuration, plugins, database, languages, security and pages."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from . import assets, catalogs, cli, compression, config, easy, errors, i18n, live, pagecache, pages, security, views
from .blueprints import PluginBlueprint
from .db import Database
from .events import collect_events
from .extensions import csrf, limiter
from .i18n import language_tag
from .plugins import PluginError, call_each, collect_slots, load_plugins
from .resources import core_path
from .staff import init_staff
from .staff.changes import collect_audit_targets
from .templating import init_templating

log = logging.getLogger(__name__)


def _language_converter(languages: list[str]) -> type[BaseConverter]:
    codes = {language_tag(code): code for code in languages}

    class LanguageConverter(BaseConverter):
        """Match only an enabled language's BCP 47 tag (/fa-AF/ for the code fa_AF), so /xx/ is a 404."""

        regex = "|".join(re.escape(tag) for tag in sorted(codes, key=len, reverse=True))

        def to_python(self, value: str) -> str:
            return codes[value]

        def to_url(self, value: str) -> str:
            return language_tag(value)

    return LanguageConverter


# The layers every request passes top to bottom before its view, and its answer bottom to top after it. Each
# entry is a set-up function; the request and answer hooks it registers run at its place in this order, before
# and after all other hooks of the core and the plugins.
REQUEST_PIPELINE = (
    compression.init_app,  # outermost: compresses the finished answer, headers and error pages included
    security.init_app,  # security headers on every answer, refusals below included
    security.limit_request_bodies,  # before anything reads the body
    security.refuse_nul_characters,  # reads the form under the body limit
    csrf.init_app,  # a forged form is refused before any view or rate limit counts it
    limiter.init_app,  # innermost: app-wide limits, if any (a route's own apply at its view); rate headers
)


def _hooks_registered_by(app: Flask, set_up) -> tuple[list, list]:
    """Run a set-up function; take the app-wide request and answer hooks it registered, in the order Flask runs them."""
    before = app.before_request_funcs.setdefault(None, [])
    after = app.after_request_funcs.setdefault(None, [])
    known_before, known_after = len(before), len(after)
    set_up(app)
    taken_before, taken_after = before[known_before:], after[known_after:]
    del before[known_before:], after[known_after:]
    return taken_before, list(reversed(taken_after))


def _install_request_pipeline(app: Flask) -> None:
    """Run REQUEST_PIPELINE's request hooks first and its answer hooks last, in the order it states."""
    request_steps: list = []
    answer_steps: list = []
    for set_up in REQUEST_PIPELINE:
        before, after = _hooks_registered_by(app, set_up)
        request_steps += before
        answer_steps[:0] = after

    def request_pipeline():
        for step in request_steps:
            answer = step()
            if answer is not None:
                return answer
        return None

    def answer_pipeline(response):
        for step in answer_steps:
            response = step(response)
        return response

    app.before_request_funcs[None].insert(0, request_pipeline)
    # Flask runs answer hooks last-registered first: the first in the list runs after all others.
    app.after_request_funcs[None].insert(0, answer_pipeline)
    # The request steps stay a list: _leave_out_idle_app_wide_limits may take one out once every blueprint is in.
    app.extensions["portal.pipeline"] = (request_steps, tuple(answer_steps))


def _leave_out_idle_app_wide_limits(app: Flask) -> None:
    """Take the limiter's app-wide check out of the request pipeline when there is no app-wide limit to check.

    A route's own limits are checked by its decorator. The check Flask-Limiter runs before every view adds
    application, default and blueprint limits; the portal sets none (`extensions.py`), and without them the check
    finds nothing for about a sixth of the core's work per request. A plugin that limits a whole blueprint keeps it.
    """
    manager = limiter.limit_manager
    # Read where Flask-Limiter keeps them: its public views evaluate each limit, which needs a request. Should a
    # release move them, the check stays.
    app_wide = [getattr(manager, "_application_limits", True), getattr(manager, "_default_limits", True),
                getattr(limiter, "_meta_limits", True)]
    limited = getattr(manager, "_blueprint_limits", None)
    if limited is None or any(app_wide) or any(blueprint.name in limited for blueprint in app.blueprints.values()):
        return
    request_steps = app.extensions["portal.pipeline"][0]
    if limiter._check_request_limit in request_steps:  # a disabled limiter registers no hooks
        request_steps.remove(limiter._check_request_limit)


def _flask_settings(settings: dict) -> dict:
    https = settings["https"]
    return {
        "PORTAL": settings,
        "SECRET_KEY": settings["secret_key"],
        "DATABASE_URL": settings["database_url"],
        "SESSION_COOKIE_NAME": "__Host-portal" if https else "portal",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        # A forged Host header would otherwise end up in feed ids, alternates and the API's links.
        "TRUSTED_HOSTS": settings["trusted_hosts"] or None,
        "BABEL_DEFAULT_TIMEZONE": settings["timezone"],
        # Tokens live as long as the session, so a form left open for hours still sends.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": https,
        "RATELIMIT_STORAGE_URI": settings["ratelimit_storage_url"],
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    }


def describe_start_failure(failure: Exception) -> str:
    """Say in one line why the portal cannot start."""
    return f"portal cannot start: {failure}"


def _plugin_listing_app(instance_path: Path, settings: dict, failure: PluginError) -> Flask:
    """Create an app whose one command lists the plugins, and any other says why the portal cannot start."""
    app = Flask("portal", instance_path=str(instance_path))
    app.cli = cli.PluginListingGroup(describe_start_failure(failure))
    app.config["PORTAL"] = settings
    app.extensions["portal.loaded_plugins"] = []
    return app


def build_app(test_config: dict | None = None, *, listing_plugins_on_failure: bool = False) -> Flask:
    """Create and configure the portal; raise ConfigError or PluginError on a bad set-up.

    With `listing_plugins_on_failure`, plugins that cannot be loaded give an app that can only list them.
    """
    test_config = dict(test_config or {})
    instance_path = Path(test_config.pop("instance_path", None) or os.environ.get("PORTAL_INSTANCE")
                         or Path.cwd() / "instance").resolve()
    settings = config.load(instance_path, overrides=test_config)
    try:
        manager, plugins = load_plugins(settings["plugins"])
    except PluginError as failure:
        if not listing_plugins_on_failure:
            raise
        return _plugin_listing_app(instance_path, settings, failure)

    app = Flask("portal", instance_path=str(instance_path), static_folder=str(core_path("static")),
                static_url_path="/static/core")
    app.cli = cli.SchemaCheckingGroup()
    app.config.update(_flask_settings(settings))
    app.extensions["portal.plugins"] = manager
    app.extensions["portal.loaded_plugins"] = plugins
    app.url_map.converters["lang"] = _language_converter(settings["languages"])
    security.bound_integers(app)
    app.url_map.strict_slashes = False

    declarations = dict(call_each(manager, "portal_settings_model"))
    settings["plugin_settings"] = config.check_plugin_settings(settings, declarations)
    config.warn_of_demo_values(settings, declarations)

    Database(app)
    live.init_app(app)  # answers followers' unchanged polls before the pipeline, so inside the proxy fix
    # Inside the proxy fix too: the cache keys on the visitor's scheme and host, as the pages' full addresses do.
    pagecache.init_app(app)
    if settings["behind_proxy"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    pages.init_app(app)
    _install_request_pipeline(app)
    i18n.init_app(app, [str(core_path("translations"))] + [str(p.translations) for p in plugins])
    own = [p for p in plugins if not p.module.__name__.startswith("portal_plugins.")]
    i18n.warn_of_clashing_catalogs([core_path("translations")] + [p.translations for p in plugins if p not in own],
                                   [p.translations for p in own])

    theme = instance_path / "theme" / "templates"
    app.jinja_loader = FileSystemLoader([str(theme), str(core_path("templates"))] + [str(p.templates) for p in plugins])
    init_templating(app)
    easy.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    views.init_app(app)
    init_staff(app)
    cli.init_app(app)
    catalogs.init_app(app)

    # Models first: a blueprint's import may resolve relationships by class name, which a clash makes fail there.
    model_owners: dict[str, str] = {}
    for plugin_name, models in call_each(manager, "portal_models"):
        for model in models:
            if not model.__tablename__.startswith(f"{plugin_name}_"):
                raise PluginError(plugin_name, f"table '{model.__tablename__}' must start with '{plugin_name}_'")
            # All models share one registry, where relationships name classes as text.
            owner = model_owners.setdefault(model.__name__, plugin_name)
            if owner != plugin_name:
                raise PluginError(plugin_name, f"model class name '{model.__name__}' is taken by plugin '{owner}'")
    for plugin_name, blueprints in call_each(manager, "portal_blueprints"):
        for blueprint in blueprints:
            if not isinstance(blueprint, PluginBlueprint) or blueprint.plugin_name != plugin_name:
                raise PluginError(plugin_name, "blueprints must come from toolkit.public_blueprint or staff_blueprint "
                                               "with the plugin's own name")
            app.register_blueprint(blueprint)
    easy.check_easy_pages(app)
    app.extensions["portal.slots"] = collect_slots(manager, plugins)
    app.extensions["portal.events"] = collect_events(manager, plugins)
    app.extensions["portal.audit_targets"] = collect_audit_targets(plugins)
    command_owners = dict.fromkeys(app.cli.commands, "the core")
    for plugin_name, commands in call_each(manager, "portal_cli_commands"):
        for command in commands:
            # Flask would silently replace a command of the same name.
            owner = command_owners.setdefault(command.name, plugin_name)
            if owner != plugin_name:
                raise PluginError(plugin_name, f"command '{command.name}' is taken by {owner}")
            app.cli.add_command(command)
    list(call_each(manager, "portal_init_app", app=app))
    _leave_out_idle_app_wide_limits(app)
    log.info("portal started with plugins: %s", ", ".join(settings["plugins"]) or "none")
    return app
