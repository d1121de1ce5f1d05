"""Languages: the /<lang>/ URL prefix, locale choice, catalogs of core and plugins, text direction."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask import Flask, current_app, g, request
from flask_babel import Babel, format_date, format_datetime, format_time, get_locale
from markupsafe import Markup

LANGUAGE_COOKIE = "portal_lang"


@cache
def language_name(code: str, reader: str | None = None) -> str:
    """Return a language's name in that language (Deutsch, English, العربية), or as `reader`'s language writes it."""
    if reader is not None:
        # Inside a sentence the reader's own spelling holds: "in German", "en allemand", "Almanca".
        return Locale.parse(code).get_language_name(reader)
    name = Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]


def source_language() -> str:
    """Return the language staff write content in, in which every text exists: the first fallback language."""
    return current_app.config["PORTAL"]["fallback_languages"][0]


@cache
def text_direction(code: str) -> str:
    """Return "rtl" or "ltr" for a language code, as Babel's locale data writes it."""
    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


def enabled_languages() -> list[str]:
    """Return the enabled language codes in configured order."""
    return current_app.config["PORTAL"]["languages"]


def current_language() -> str:
    """Return the language of the current request."""
    return g.get("lang") or current_app.config["PORTAL"]["default_language"]


def preferred_language() -> str:
    """Choose a language from the cookie, then Accept-Language, then the default."""
    languages = enabled_languages()
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config["PORTAL"]["default_language"]


def fallback_chain(lang: str | None = None) -> list[str]:
    """Return the languages to try for content, the visitor's first, then the configured fallbacks."""
    lang = lang or current_language()
    chain = [lang]
    for code in current_app.config["PORTAL"]["fallback_languages"]:
        if code not in chain:
            chain.append(code)
    return chain


def source_name(name: str) -> Markup:
    """Isolate a name staff wrote (office, building, room) inside a sentence of another language, marked as theirs."""
    return Markup('<bdi lang="{}">{}</bdi>').format(source_language(), name)


def lang_attrs(code: str) -> Markup:
    """Return lang and dir attributes for an element holding text in another language."""
    return Markup(f'lang="{code}" dir="{text_direction(code)}"')


def _select_locale() -> str:
    return current_language()


def init_app(app: Flask, translation_dirs: list[str]) -> None:
    """Set up Babel with the core's catalogs and the plugins' after them."""
    # flask-babel 4 takes a ;-separated string; later directories win a clash,
    # which tests/test_translations.py forbids.
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_dirs)
    app.config["BABEL_DEFAULT_LOCALE"] = "de"
    Babel(app, locale_selector=_select_locale)

    @app.url_value_preprocessor
    def _take_language(_endpoint, values):
        # g outlives a request when an app context is already pushed (as in tests): start clean.
        g.pop("lang", None)
        if values and "lang" in values:
            g.lang = values.pop("lang")

    @app.url_defaults
    def _add_language(endpoint, values):
        if "lang" in values or not endpoint:
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current_language()

    app.jinja_env.globals.update(
        language_name=language_name,
        text_direction=text_direction,
        current_language=current_language,
        enabled_languages=enabled_languages,
        lang_attrs=lang_attrs,
        source_name=source_name,
        get_locale=get_locale,
    )
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, fmt),
        time=lambda value, fmt="short": format_time(value, fmt),
        datetime=lambda value, fmt="medium": format_datetime(value, fmt),
    )
