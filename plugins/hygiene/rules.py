"""Rules in force: which apply today at which location, and their texts with parameters filled in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_decimal
from markupsafe import Markup
from sqlalchemy import or_, select

from portal import toolkit
from portal.toolkit import _l

from .models import Rule

KINDS = {
    "mask": _l("Maske tragen"),
    "persons_per_room": _l("Begrenzte Zahl von Personen pro Raum"),
    "payment": _l("Nur Kartenzahlung"),
    "appointment_only": _l("Zutritt nur mit Termin"),
    "distance": _l("Abstand halten"),
    "other": _l("Weitere Regel"),
}
# The parameter each kind needs, named as its placeholder in the texts ({persons}, {metres}).
PARAMETERS = {"persons_per_room": "persons", "distance": "metres"}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True)
class ShownRule:
    """A rule as visitors read it: its kind, its text in one language and where it applies."""

    rule: Rule
    text: toolkit.Translated
    source: str = ""

    @property
    def html(self) -> Markup:
        """Return the text as HTML, the source language's names it quotes marked as such."""
        return toolkit.mark_source_names(self.text.value, self.text.lang, self.source)

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.rule.kind])

    @property
    def location(self) -> str:
        return self.rule.location


def office_locations() -> list[str]:
    """Return the office's configured locations (empty when it has one place only)."""
    return list(toolkit.portal_settings()["office"]["locations"])


def rules_in_force(today: date, location: str | None = None, now: datetime | None = None) -> list[Rule]:
    """Return the rules in force on `today`, for one location (with those for all) or for every location."""
    now = now or toolkit.utcnow()
    query = (select(Rule)
             .where(Rule.starts_on <= today, or_(Rule.ends_on.is_(None), Rule.ends_on >= today),
                    or_(Rule.ended_at.is_(None), Rule.ended_at > now))
             .order_by(Rule.location, Rule.position, Rule.id))
    if location is not None:
        query = query.where(Rule.location.in_(["", location]))
    return list(toolkit.session().scalars(query))


def written_number(value: int | Decimal, lang: str) -> str:
    """Return a rule's number as that language writes it: 1,5 in German, 1.5 in English, without trailing zeros."""
    return format_decimal(value.normalize() if isinstance(value, Decimal) else value, locale=lang)


def fill_parameters(text: str, rule: Rule, lang: str) -> str:
    """Put the rule's parameters into a text, written as numbers are in that language."""
    values = {"persons": rule.persons, "metres": rule.metres}

    def replace(match: re.Match) -> str:
        value = values.get(match.group(1))
        if value is None:
            return match.group(0)
        return written_number(value, lang)

    return PLACEHOLDER.sub(replace, text)


def unknown_placeholders(text: str, kind: str) -> list[str]:
    """Return the placeholders in a text that this kind of rule cannot fill."""
    allowed = {PARAMETERS[kind]} if kind in PARAMETERS else set()
    return [f"{{{name}}}" for name in PLACEHOLDER.findall(text) if name not in allowed]


def shown(rule: Rule, lang: str | None = None) -> ShownRule | None:
    """Return a rule's text in a language (or its fallback) with the parameters filled in."""
    texts = rule.current_texts()
    picked = toolkit.pick_translation(texts, lang)
    if picked is None:
        return None
    return ShownRule(rule, toolkit.Translated(picked.lang, fill_parameters(picked.value, rule, picked.lang),
                                              picked.requested),
                     texts.get(toolkit.source_language(), ""))


def shown_rules(rules: list[Rule], lang: str | None = None) -> list[ShownRule]:
    """Return the rules that have a text, in a language or its fallback."""
    return [entry for entry in (shown(rule, lang) for rule in rules) if entry is not None]


def not_ended(rule: Rule, today: date) -> bool:
    """Tell whether a rule is in force or still to come, as of today."""
    return rule.ended_at is None and (rule.ends_on is None or rule.ends_on >= today)


def translation_status() -> list[toolkit.ContentStatus]:
    """Count, per enabled language, how many rules not yet ended have a current text in that language."""
    today = toolkit.office_today()
    # Every rule with words in any language counts, so a rule written before the source language changed
    # shows as missing in the source language's row rather than not at all.
    rules = [rule for rule in toolkit.session().scalars(select(Rule))
             if not_ended(rule, today) and any(rule.text.values())]
    return [toolkit.ContentStatus(plugin="hygiene", kind="rules", label=_l("Hygieneregeln"), lang=lang,
                                  translated=sum(1 for rule in rules if lang in rule.current_texts()),
                                  total=len(rules))
            for lang in toolkit.enabled_languages()]
