"""Languages: the /<lang>/ URL prefix, locale choice, catalogs of core and plugins, text direction."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from babel import Locale, localedata
from babel.core import get_global
from babel.numbers import format_percent
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, Domain, format_date, format_datetime, format_time, get_babel, get_locale, gettext
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept

log = logging.getLogger(__name__)

LANGUAGE_COOKIE = "portal_lang"
# The language the interface's messages are written in: each catalog translates from it, and it needs none.
INTERFACE_LANGUAGE = "de"
# CLDR's aliases of language subtags a browser may send: prs (Dari) is fa_AF, kmr (Kurmanji) is ku.
LANGUAGE_ALIASES: dict[str, str] = get_global("language_aliases")


def language_tag(code: str) -> str:
    """Return a language code as BCP 47 writes it for URLs and lang attributes: fa_AF becomes fa-AF."""
    return code.replace("_", "-")


def language_from_tag(tag: str) -> str | None:
    """Return the enabled language whose tag (fa-AF) or code (fa_AF) this is, in any letter case, or None."""
    wanted = tag.replace("_", "-").casefold()
    return next((code for code in enabled_languages() if language_tag(code).casefold() == wanted), None)


@cache
def language_name(code: str, reader: str | None = None) -> str:
    """Return a language's name in that language (Deutsch, English, العربية), or as `reader`'s language writes it."""
    if reader is not None:
        # Inside a sentence the reader's own spelling holds: "in German", "en allemand", "Almanca".
        return Locale.parse(reader).languages.get(code) or Locale.parse(code).get_language_name(reader)
    # CLDR names some regional variants as languages of their own: fa_AF is دری (Dari), not "Persian (Afghanistan)".
    name = Locale.parse(code).languages.get(code) or Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]


def source_language() -> str:
    """Return the language staff write content in, in which every text exists: the first fallback language."""
    return current_app.config["PORTAL"]["fallback_languages"][0]


def languages_besides_source() -> list[str]:
    """Return the enabled languages other than the source language: those content is translated into."""
    source = source_language()
    return [code for code in enabled_languages() if code != source]


def source_language_name() -> str:
    """Return the source language's name as the current page's language writes it inside a sentence."""
    return language_name(source_language(), current_language())


# CLDR's date patterns where they read wrongly for the office's readers: Pashto's and Sorani's full dates put Latin
# commas (and, in Sorani, the year first) into right-to-left text; Sorani's medium date starts with the year.
DATE_PATTERNS = {("ps", "full"): "EEEE، d MMMM y", ("ckb", "full"): "EEEE، d MMMM y", ("ckb", "medium"): "d MMMM y"}


def date_pattern(width: str = "medium") -> str:
    """Return the pattern of a date width (short, medium, long, full) in the current language, CLDR's or the fix."""
    return DATE_PATTERNS.get((str(get_locale()), width), width)


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
    return _best_match(request.accept_languages, languages) or current_app.config["PORTAL"]["default_language"]


def _best_match(accepted: LanguageAccept, languages: list[str]) -> str | None:
    """Return the enabled language the browser prefers most, matching a whole tag first, then its language."""
    # Werkzeug's best_match would take an exact tr or ar asked for second over ku-TR or ckb-IQ asked for first.
    by_tag = {language_tag(code).lower(): code for code in languages}
    for value, quality in accepted:
        tag = _unalias(value).lower()
        if quality > 0 and (tag in by_tag or tag.split("-")[0] in by_tag):
            return by_tag.get(tag) or by_tag[tag.split("-")[0]]
    return None


def _unalias(value: str) -> str:
    """Return an Accept-Language value with an aliased language subtag replaced: prs-AF becomes fa-AF."""
    primary, _, region = value.replace("_", "-").partition("-")
    alias = LANGUAGE_ALIASES.get(primary.lower())
    if alias is None:
        return value
    return language_tag(alias) if "_" in alias or not region else f"{alias}-{region}"


def fallback_chain(lang: str | None = None) -> list[str]:
    """Return the languages to try for content, the visitor's first, then the configured fallbacks."""
    lang = lang or current_language()
    chain = [lang]
    for code in current_app.config["PORTAL"]["fallback_languages"]:
        if code not in chain:
            chain.append(code)
    return chain


def isolate(text: str) -> str:
    """Wrap words of any direction (a client's note) in Unicode isolates, so a sentence around them keeps its order."""
    # First-strong isolates work in plain text (mail, CSV) as well as in HTML, where <bdi> would need markup.
    return f"\u2068{text}\u2069" if text else ""


def source_name(name: str) -> Markup:
    """Isolate a name staff wrote (office, building, room) inside a sentence of another language, marked as theirs."""
    return Markup('<bdi lang="{}">{}</bdi>').format(source_language(), name)


def written_in(text: str, code: str) -> Markup:
    """Show a text staff wrote, marked with its language and isolated when the page is in another one."""
    if code == current_language():
        return escape(text)
    return Markup("<bdi {}>{}</bdi>").format(lang_attrs(code), text)


def lang_attrs(code: str) -> Markup:
    """Return lang and dir attributes for an element holding text in another language."""
    return Markup(f'lang="{language_tag(code)}" dir="{text_direction(code)}"')


def _select_locale() -> str:
    return current_language()


class _GermanFallback(NullTranslations):
    """The last resort of a catalog: the German source text, noted for the request that asked for it."""

    def gettext(self, message):
        if has_request_context():
            g.setdefault("untranslated", set()).add(message)
        return message

    def ngettext(self, singular, plural, n):
        if has_request_context():
            g.setdefault("untranslated", set()).add(singular)
        return singular if n == 1 else plural


class _NotingDomain(Domain):
    """The message domain whose catalogs note each message they lack in a language other than German."""

    def get_translations(self):
        # A page asks for its catalog some fifty times: while the request's locale (force_locale sets another) is the
        # one it was found for, the catalog is the same, without Flask-Babel's locale lookup and catalog key each time.
        # `g` is a context-local proxy: looked up once here, not at each attribute.
        state = g._get_current_object() if g else None
        found = getattr(state, "portal_translations", None)
        if found is not None and found[0] is getattr(getattr(state, "_flask_babel", None), "babel_locale", None):
            return found[1]
        translations = super().get_translations()
        if not getattr(translations, "notes_fallbacks", False) and str(get_locale()) != INTERFACE_LANGUAGE:
            translations.add_fallback(_GermanFallback())
            translations.notes_fallbacks = True
        if g:
            g.portal_translations = (g._flask_babel.babel_locale, translations)
        return translations


def untranslated_note() -> Markup:
    """Return the page's note that some of its text is German, or nothing when every message had a translation."""
    if not g.get("untranslated"):
        return Markup()
    text = gettext("Einige Texte auf dieser Seite sind noch nicht übersetzt und stehen deshalb auf Deutsch da.")
    # The note itself may lack a translation: then it is German and says so.
    attrs = lang_attrs(INTERFACE_LANGUAGE) if text in g.untranslated else Markup("")
    return Markup('<p class="fallback-note" role="note" {}>{}</p>').format(attrs, text)


def warn_of_clashing_catalogs(shipped: list[Path], own: list[Path]) -> None:
    """Log each German text that a plugin of the office's own translates unlike a catalog loaded with it.

    The catalogs are merged into one per language, later ones winning, so such a plugin would change the words
    of the core's or another plugin's pages. The shipped catalogs agree with each other (tests/test_translations.py),
    so an installation without plugins of its own reads nothing here.
    """
    from babel.messages.mofile import read_mo

    languages = {path.parts[-3] for folder in own for path in folder.glob("*/LC_MESSAGES/messages.mo")}
    for language in sorted(languages):
        first: dict = {}
        plural_rule = None
        for folder in [*shipped, *own]:
            compiled = folder / language / "LC_MESSAGES" / "messages.mo"
            if not compiled.is_file():
                continue
            with compiled.open("rb") as file:
                catalog = read_mo(file)
            # The merged catalog takes the last one's plural rule: `pybabel init` may write another than the core's.
            if plural_rule is None:
                plural_rule = (catalog.plural_forms, folder)
            elif catalog.plural_forms != plural_rule[0] and (folder in own or plural_rule[1] in own):
                log.warning("catalogs clash in %s: the plural rule is %r in %s but %r in %s, which would leave "
                            "plural texts untranslated on every page; copy the first one's Plural-Forms line",
                            language, plural_rule[0], plural_rule[1], catalog.plural_forms, folder)
            for message in catalog:
                if not message.id or not message.string:
                    continue
                key, string = catalog_text(message.id), catalog_text(message.string)
                found = first.setdefault(key, (string, folder))
                if found[0] != string and (folder in own or found[1] in own):
                    log.warning("catalogs clash in %s: %r is %r in %s but %r in %s, which wins on every page; "
                                "give the German text one translation", language, key, found[0], found[1],
                                string, folder)


def catalog_text(text: str | list | tuple) -> str | tuple:
    """Return a catalog entry's id or string as a key: plural forms (a list in compiled catalogs) as a tuple."""
    return text if isinstance(text, str) else tuple(text)


def init_app(app: Flask, translation_dirs: list[str]) -> None:
    """Set up Babel with the core's catalogs and the plugins' after them."""
    # flask-babel 4 takes a ;-separated string; later directories win a clash,
    # which tests/test_translations.py forbids.
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_dirs)
    app.config["BABEL_DEFAULT_LOCALE"] = INTERFACE_LANGUAGE
    babel = Babel(app, locale_selector=_select_locale)
    domain = babel.domain_instance = _NotingDomain(domain=get_babel(app).default_domain)
    # Templates ask this app's domain for the catalog directly, and `_` is the translating function itself, not
    # Jinja's alias that looks `gettext` up in the page's context at every message.
    app.jinja_env.install_gettext_callables(
        gettext=lambda message: domain.get_translations().ugettext(message),
        ngettext=lambda singular, plural, n: domain.get_translations().ungettext(singular, plural, n),
        pgettext=lambda context, message: domain.get_translations().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: domain.get_translations().unpgettext(context, singular,
                                                                                              plural, n),
        newstyle=True)
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"]

    @app.url_value_preprocessor
    def _take_language(_endpoint, values):
        # g outlives a request when an app context is already pushed (as in tests): start clean.
        g.pop("lang", None)
        g.pop("untranslated", None)
        if values and "lang" in values:
            g.lang = values.pop("lang")

    @app.url_defaults
    def _add_language(endpoint, values):
        if "lang" in values or not endpoint:
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current_language()

    # Every page's language switcher names each enabled language in itself: named here once, in the process that
    # loads the app (gunicorn's master), rather than on each worker's first page, where each language's whole
    # locale data (about 1 MiB) would stay in the worker. Later pages load only the data of their own language.
    for code in app.config["PORTAL"]["languages"]:
        language_name(code)
        text_direction(code)
    localedata.clear_caches()

    app.jinja_env.globals.update(
        language_name=language_name,
        language_tag=language_tag,
        text_direction=text_direction,
        current_language=current_language,
        enabled_languages=enabled_languages,
        lang_attrs=lang_attrs,
        source_language=source_language,
        source_language_name=source_language_name,
        source_name=source_name,
        written_in=written_in,
        get_locale=get_locale,
        untranslated_note=untranslated_note,
    )
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, date_pattern(fmt)),
        time=lambda value, fmt="short": format_time(value, fmt),
        datetime=lambda value, fmt="medium": format_datetime(value, fmt),
        # A share (0.996) as the reader's language writes a percentage to one decimal: "99,6 %", "%99,6".
        percent=lambda share: format_percent(round(share, 3), locale=get_locale(), decimal_quantization=False),
    )
