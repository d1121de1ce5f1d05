"""The glossary: search in any language, the shipped terms, and how complete each language is."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from portal import toolkit

from . import plugin_info
from .models import GlossaryTerm, GlossaryTranslation

SHIPPED_GLOSSARY = Path(__file__).parent / "content" / "glossary.json"
MAX_QUERY_WORDS = 8

# Letters that Unicode does not split into a base letter and an accent, Arabic-script
# variants that readers treat as the same letter, and the apostrophes Ukrainian is typed with.
_FOLD = str.maketrans({
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe",
    "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ـ": None,
    "’": "'", "ʼ": "'",
})
GERMAN = "de"
_GERMAN_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return text in lower case without accents or diacritics, for matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", stripped.translate(_FOLD)).strip()


def _folded_german(text: str) -> str:
    # "Einbuergerung" is how German is typed without umlauts; index that spelling as well.
    lowered = unicodedata.normalize("NFC", text.casefold())
    return fold(text) + " " + fold(lowered.translate(_GERMAN_UMLAUTS))


def _folder(lang: str):
    return _folded_german if lang == GERMAN else fold


def refresh_search_text(term: GlossaryTerm) -> None:
    """Rebuild the search column from every language version of a term."""
    term.search_text = " | ".join(_folder(lang)(text) for lang, version in term.versions().items() for text in version)


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def query_words(query: str) -> list[str]:
    """Split a visitor's search into folded words (a few at most)."""
    return fold(query).split()[:MAX_QUERY_WORDS]


def search_terms(session: Session, query: str = "") -> list[GlossaryTerm]:
    """Return the terms containing every word of the query in some language, best matches first."""
    statement = select(GlossaryTerm)
    words = query_words(query)
    if words:
        statement = statement.where(and_(*(GlossaryTerm.search_text.like(_like_pattern(word), escape="\\")
                                           for word in words)))
    terms = session.scalars(statement).all()
    return sorted(terms, key=lambda term: (not _names_match(term, words), fold(term.term)))


def _names_match(term: GlossaryTerm, words: list[str]) -> bool:
    names = " ".join(_folder(lang)(name) for lang, (name, _explanation) in term.versions().items())
    return all(word in names for word in words)


def slugify(text: str) -> str:
    """Make an address part from a word: Einbürgerung -> einbuergerung, Séjour -> sejour."""
    lowered = unicodedata.normalize("NFC", text.casefold()).translate(_GERMAN_UMLAUTS)
    ascii_only = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:100] or "begriff"


def unique_slug(session: Session, text: str) -> str:
    """Return a slug for the word that no other term uses yet."""
    base = slugify(text)
    taken = set(session.scalars(select(GlossaryTerm.slug).where(GlossaryTerm.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def same_term(session: Session, text: str, other_than: int | None = None) -> GlossaryTerm | None:
    """Return another term already in the glossary under these words (case and accents aside), or None."""
    # Compared in Python: SQLite's lower() leaves umlauts as they are, and a glossary holds hundreds of terms.
    wanted = fold(text)
    return next((term for term in session.scalars(select(GlossaryTerm))
                 if term.id != other_than and fold(term.term) == wanted), None)


def set_translation(term: GlossaryTerm, lang: str, text: str, explanation: str) -> None:
    """Set, change or (with empty texts) remove one language version of a term."""
    existing = next((t for t in term.translations if t.lang == lang), None)
    # A removed version stays as an empty row, so loading the shipped glossary does not bring it back.
    if not text and not explanation and existing is None:
        return
    if existing is None:
        term.translations.append(GlossaryTranslation(lang=lang, term=text, explanation=explanation))
    else:
        existing.term, existing.explanation = text, explanation


def shipped_terms() -> list[dict]:
    """Return the glossary that comes with the plugin."""
    return json.loads(SHIPPED_GLOSSARY.read_text(encoding="utf-8"))["terms"]


def shipped_versions(entry: dict) -> dict[str, tuple[str, str]]:
    """Return a shipped term's (term, explanation) by language; the shipped glossary is written in German."""
    return {GERMAN: (entry["term"], entry["explanation_de"])} | {
        lang: (version["term"], version["explanation"]) for lang, version in entry["translations"].items()}


@dataclass(frozen=True)
class ShippedGaps:
    """What the shipped glossary holds and the database lacks: whole terms, and languages of terms present.

    Only terms the shipped glossary has in the source language can be added, since a term is written in it.
    """

    terms: list[dict]
    versions: list[tuple[GlossaryTerm, dict[str, tuple[str, str]]]]

    @property
    def version_count(self) -> int:
        return sum(len(versions) for _, versions in self.versions)


def shipped_gaps(session: Session) -> ShippedGaps:
    """Return the shipped terms not in the database and the shipped versions, as (term, explanation), terms lack."""
    present = {term.slug: term for term in session.scalars(select(GlossaryTerm))}
    terms, versions = [], []
    source = toolkit.source_language()
    for entry in shipped_terms():
        shipped = shipped_versions(entry)
        term = present.get(entry["slug"])
        if term is None:
            if source in shipped:
                terms.append(entry)
            continue
        lacking = toolkit.missing_shipped_versions(term.stored_versions(), shipped)
        if lacking:
            versions.append((term, lacking))
    return ShippedGaps(terms, versions)


def load_shipped_glossary(session: Session) -> ShippedGaps:
    """Add the shipped terms and language versions the database lacks; return what was added."""
    gaps = shipped_gaps(session)
    source = toolkit.source_language()
    for entry in gaps.terms:
        versions = shipped_versions(entry)
        term = GlossaryTerm(slug=entry["slug"], lang=source)
        term.term, term.explanation = versions.pop(source)
        for lang, (text, explanation) in versions.items():
            set_translation(term, lang, text, explanation)
        refresh_search_text(term)
        session.add(term)
    for term, lacking in gaps.versions:
        for lang, (text, explanation) in lacking.items():
            set_translation(term, lang, text, explanation)
        # The new search text changes the term's row, so its version rises and an edit form open meanwhile
        # is refused instead of dropping the added languages.
        refresh_search_text(term)
    session.flush()
    return gaps


def audit_shipped(added: ShippedGaps) -> None:
    """Write to the audit log which shipped terms and language versions were added, and from which version."""
    # By language, so the log names each language and lists the terms that gained it; what is empty is left out,
    # since the log would show an empty group as stored.
    translations: dict[str, list[str]] = {}
    for term, lacking in added.versions:
        for lang in lacking:
            translations.setdefault(lang, []).append(term.slug)
    after = {"added_terms": [entry["slug"] for entry in added.terms],
             "added_translations": {lang: sorted(slugs) for lang, slugs in sorted(translations.items())}}
    # The shipped glossary comes with the plugin, so the plugin's version names the glossary the texts came from.
    toolkit.audit("load_shipped", "interpreters_glossary_term", plugin_info.version,
                  after={key: value for key, value in after.items() if value})


def coverage(session: Session) -> list[toolkit.ContentStatus]:
    """Return, for each enabled language, how many terms have their words in it."""
    total = session.scalar(select(func.count()).select_from(GlossaryTerm)) or 0
    # A term's own language counts too: one saved before the office changed its source language has its words there.
    counts = Counter(dict(session.execute(
        select(GlossaryTranslation.lang, func.count())
        .where(GlossaryTranslation.term != "", GlossaryTranslation.explanation != "")
        .group_by(GlossaryTranslation.lang)).all()))
    counts.update(dict(session.execute(select(GlossaryTerm.lang, func.count()).group_by(GlossaryTerm.lang)).all()))
    return [toolkit.ContentStatus(plugin="interpreters", kind="glossary", label=toolkit._l("Glossar"), lang=lang,
                                  translated=counts.get(lang, 0), total=total)
            for lang in toolkit.enabled_languages()]
