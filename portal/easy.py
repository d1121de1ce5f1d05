"""Leichte Sprache: German texts in content files, the plugins' easy pages and the links to them.

Leichte Sprache is a German reading aid, not a language of the interface: its texts are written once, in
German, in TOML files (`<package>/leicht/<name>.toml`), and never go through the interface catalogs.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, url_for
from markupsafe import Markup, escape

from .i18n import current_language
from .plugins import PluginError
from .resources import core_path

# Leichte Sprache exists in German only, whatever the portal's source language is.
EASY_LANGUAGE = "de"
EASY_FOLDER = "leicht"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class EasyPage:
    """A plugin's page in Leichte Sprache: its view's endpoint and the content file that gives its title."""

    endpoint: str
    # The file's name in the plugin's leicht/ folder, without '.toml'; it holds at least `title` and `summary`.
    text: str
    order: int = 100
    # The endpoint of the page that says the same in everyday language, which the language switch leads to in
    # every language but German: Leichte Sprache has no other.
    standard: str = "core.home"


@functools.lru_cache(maxsize=256)
def _read(path: Path) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _folder(owner: str) -> Path:
    if owner == "core":
        return core_path(EASY_FOLDER)
    for plugin in current_app.extensions["portal.loaded_plugins"]:
        if plugin.name == owner:
            return plugin.root / EASY_FOLDER
    raise LookupError(f"no enabled plugin is called '{owner}'")


def easy_text(owner: str, name: str) -> dict:
    """Return a Leichte Sprache content file of the core ('core') or an enabled plugin, as a dict."""
    return _read(_folder(owner) / f"{name}.toml")


def easy_language_code() -> str:
    """Return the language of addresses that lead to Leichte Sprache: German when enabled, else the visitor's."""
    return EASY_LANGUAGE if EASY_LANGUAGE in current_app.config["PORTAL"]["languages"] else current_language()


def easy_url(endpoint: str, **values) -> str:
    """Return the address of a page for readers of Leichte Sprache, in German whatever the current language."""
    return url_for(endpoint, lang=easy_language_code(), **values)


def easy_fill(sentence: str, **values) -> Markup:
    """Put values into a sentence's {placeholders}; the sentence is escaped, Markup values are kept."""
    text = escape(sentence)
    return Markup(PLACEHOLDER.sub(lambda match: str(escape(values.get(match.group(1), match.group(0)))), text))


def easy_pages() -> list[dict]:
    """Return the easy pages of the enabled plugins: title, summary, pictogram and address, in their order."""
    pages = []
    for plugin in current_app.extensions["portal.loaded_plugins"]:
        for page in getattr(plugin.info, "easy_pages", ()):
            text = easy_text(plugin.name, page.text)
            pages.append({"title": text["title"], "summary": text["summary"], "pictogram": text.get("pictogram"),
                          "url": easy_url(page.endpoint), "order": page.order})
    return sorted(pages, key=lambda page: page["order"])


def check_easy_pages(app: Flask) -> None:
    """Stop the start when a plugin's easy page names an unknown view or a content file without title or summary.

    Keep, for each easy page's endpoint, the endpoint of its page in everyday language (easy_standard).
    """
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    standards = {"core.easy_language": "core.home"}
    for plugin in app.extensions["portal.loaded_plugins"]:
        for page in getattr(plugin.info, "easy_pages", ()):
            if not page.endpoint.startswith(f"{plugin.name}.") or page.endpoint not in endpoints:
                raise PluginError(plugin.name, f"easy page '{page.endpoint}' is not a public view of the plugin")
            if page.standard not in endpoints or not app.url_map.is_endpoint_expecting(page.standard, "lang"):
                raise PluginError(plugin.name, f"easy page '{page.endpoint}': its standard '{page.standard}' is not "
                                               "a public page in each language")
            standards[page.endpoint] = page.standard
            path = plugin.root / EASY_FOLDER / f"{page.text}.toml"
            try:
                text = _read(path)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise PluginError(plugin.name, f"easy page text '{path.name}' cannot be read: {exc}") from None
            missing = [key for key in ("title", "summary") if not text.get(key)]
            if missing:
                raise PluginError(plugin.name, f"easy page text '{path.name}' lacks {', '.join(missing)}")


    app.extensions["portal.easy_standards"] = standards


def easy_standard(endpoint: str | None) -> str | None:
    """Return the endpoint of the everyday page an easy page's endpoint explains, or None for any other page."""
    return current_app.extensions["portal.easy_standards"].get(endpoint)


def easy_standard_url(easy_endpoint: str) -> str:
    """Return the address of an easy page's page in everyday language, in the current language."""
    # Named by the template, not read from the request: a refused easy form is answered by its normal form's view.
    return url_for(easy_standard(easy_endpoint), lang=current_language())


def init_app(app: Flask) -> None:
    """Offer the Leichte Sprache helpers to templates."""
    app.jinja_env.globals.update(easy_text=easy_text, easy_url=easy_url, easy_fill=easy_fill, easy_pages=easy_pages,
                                 easy_language_code=easy_language_code, easy_standard_url=easy_standard_url)
