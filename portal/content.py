"""Helpers for content that staff write in several languages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Generic, TypeVar

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .i18n import enabled_languages, fallback_chain, lang_attrs, source_language

T = TypeVar("T")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code", "pre",
                 "hr", "table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(source: str) -> Markup:
    """Render Markdown to HTML that is safe to show: no raw HTML, scripts, handlers or unsafe links."""
    html = _markdown.render(source or "")
    clean = nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}, "th": {"scope"}},
                      url_schemes={"https", "http", "mailto", "tel"}, link_rel="noopener noreferrer nofollow")
    # Headings in notices sit below the page's own h1.
    return Markup(clean.replace("<h1>", "<h2>").replace("</h1>", "</h2>"))


@dataclass(frozen=True)
class Translated(Generic[T]):
    """A piece of content in the language found for it, and whether that is a fallback."""

    lang: str
    value: T
    requested: str

    @property
    def is_fallback(self) -> bool:
        return self.lang != self.requested


def pick_translation(versions: Mapping[str, T], lang: str | None = None) -> Translated[T] | None:
    """Choose the version for the visitor's language, else the first fallback that exists, else any (None: none)."""
    wanted = fallback_chain(lang)
    # Content saved before the office changed its source language may lack it: shown in a language it has (an
    # enabled one first), it is never hidden for that. Chained lazily: the visitor's language mostly answers.
    for code in chain(wanted, enabled_languages(), versions):
        value = versions.get(code)
        if value:
            return Translated(code, value, wanted[0])
    return None


def as_written(versions: Mapping[str, T]) -> Translated[T] | None:
    """Return the version staff work from: the source language's, else (saved before it changed) another one."""
    return pick_translation(versions, source_language())


# A name in brackets or quotation marks, as translations quote the source language's names: "(Zusatzblatt)",
# «Leben in Deutschland». Not a bracket glued to a word, like the "(e)" of the French "salarié(e)".
_QUOTED = re.compile(r"(?<!\w)[(«‹“„\"]([^()«»‹›“”„\"]+)[)»›”“\"]")
_WORD = re.compile(r"\w+")
# The source sentence may decline the name a translation quotes: "der Deutschen Rentenversicherung".
_LONGEST_ENDING = 2
_SHORTEST_DECLINED_WORD = 4


def _same_word(quoted: str, source: str) -> bool:
    """Tell whether a quoted word is the source text's word, as written there or with a short ending more."""
    return quoted == source or (len(quoted) >= _SHORTEST_DECLINED_WORD and source.startswith(quoted)
                                and len(source) - len(quoted) <= _LONGEST_ENDING)


def _quotes_source(words: Sequence[str], source_words: Sequence[str]) -> bool:
    """Tell whether the words stand one after another in the source text, each as written there or declined."""
    return any(all(_same_word(word, source) for word, source in zip(words, source_words[start:], strict=False))
               for start in range(len(source_words) - len(words) + 1))


def mark_source_names(text: str, lang: str, source: str) -> Markup:
    """Return a translation as HTML, each name of the source text it quotes marked as the source language's."""
    source_lang = source_language()
    if lang == source_lang or not source:
        return escape(text)
    source_words = _WORD.findall(source)
    html, done = [], 0
    for quoted in _QUOTED.finditer(text):
        name = quoted.group(1).strip()
        if not any(letter.isalpha() for letter in name) or not _quotes_source(_WORD.findall(name), source_words):
            continue
        start = quoted.start(1) + quoted.group(1).index(name)
        # Read with the source language's voice and isolated, so a right-to-left sentence keeps its brackets in order.
        html += [escape(text[done:start]),
                 Markup("<bdi {}>{}</bdi>").format(lang_attrs(source_lang), name)]
        done = start + len(name)
    html.append(escape(text[done:]))
    return Markup("").join(html)


def missing_shipped_versions(stored: Mapping[str, T], shipped: Mapping[str, T]) -> dict[str, T]:
    """Return the shipped versions in enabled languages that stored never had, if both say the same in the source."""
    if stored.get(source_language()) != shipped.get(source_language()):
        # A shipped translation of a text staff have changed since would tell visitors something else.
        return {}
    # A language present with an empty version is one staff removed (see edited_texts): it stays removed.
    return {code: shipped[code] for code in enabled_languages() if code not in stored and shipped.get(code)}


def edited_texts(stored: Mapping[str, str], entered: Mapping[str, str], languages: Iterable[str]) -> dict[str, str]:
    """Return stored with the languages' versions as entered; one left blank that existed is kept empty, as removed."""
    texts = dict(stored)
    for code in languages:
        text = (entered.get(code) or "").strip()
        if text:
            texts[code] = text
        elif code in texts:
            texts[code] = ""
    return texts


def source_fingerprint(*parts: str) -> str:
    """Return a short fingerprint of the source language's words, which each translation records it was made for."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def stamp_translations(stored: Mapping[str, object], saved: Mapping[str, object],
                       stamps: Mapping[str, str | None], fingerprint: str, still_fit: bool = False) -> dict:
    """Return, for each language saved with words, the fingerprint of the source words its text was made for.

    The source language's text, and every text new or changed in this save, are made for the source words
    saved now (``fingerprint``); a translation left as it was keeps the words it was made for, and so is outdated
    once those change, unless staff say it still fits (a typing error corrected, say). One saved before
    fingerprints were kept has none (None) and counts as current until the source words change; then it is
    marked as made for earlier words ("").
    """
    source = source_language()
    earlier = "" if stored.get(source) != saved.get(source) else None

    def kept(lang: str) -> str | None:
        stamp = stamps.get(lang)
        return earlier if stamp is None else stamp

    return {lang: fingerprint if (lang == source or still_fit or stored.get(lang) != value) else kept(lang)
            for lang, value in saved.items() if value}


def outdated_languages(stamps: Mapping[str, str | None]) -> set[str]:
    """Return the languages whose text was made for other source words than the source language's text now."""
    current = stamps.get(source_language())
    if current is None:
        # Saved before fingerprints were kept: every text is taken as current.
        return set()
    return {lang for lang, stamp in stamps.items() if stamp not in (None, current)}


@dataclass(frozen=True)
class ContentStatus:
    """How much of one plugin's content exists in one language (for the completeness report)."""

    plugin: str
    kind: str
    lang: str
    translated: int
    total: int
    # What the staff report calls this kind of content (a translated name); without one, the kind's code shows.
    label: object = ""
