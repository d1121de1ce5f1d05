"""Compare two versions of a checklist in a form staff can read: what was added, removed and changed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from markupsafe import Markup, escape

from portal import toolkit

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class TextChange:
    """One field in one language (or a setting, lang None) before and after, with the words marked."""

    label: str
    lang: str | None
    old: str
    new: str

    @property
    def marked(self) -> Markup:
        return word_diff(self.old, self.new)


@dataclass
class ItemChange:
    """An item that was added, removed or changed, named by its text in the source language."""

    name: str
    status: str
    changes: list[TextChange] = field(default_factory=list)


@dataclass
class Comparison:
    """All differences between two versions; empty when they are the same."""

    fields: list[TextChange]
    items: list[ItemChange]
    reordered: bool

    def __bool__(self) -> bool:
        return bool(self.fields or self.items or self.reordered)


def word_diff(old: str, new: str) -> Markup:
    """Return the new text with removed words in <del> and added words in <ins>, both announced."""
    old_tokens, new_tokens = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    removed, added = escape(toolkit._("gelöscht:")), escape(toolkit._("neu:"))
    parts = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old_tokens, new_tokens, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old_tokens[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(Markup('<del><span class="visually-hidden">%s </span>%s</del>')
                         % (removed, "".join(old_tokens[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(Markup('<ins><span class="visually-hidden">%s </span>%s</ins>')
                         % (added, "".join(new_tokens[j1:j2])))
    return Markup("").join(parts)


def _text_changes(label: str, old: Mapping[str, str], new: Mapping[str, str], languages: list[str]) -> list[TextChange]:
    return [TextChange(label, lang, old.get(lang, ""), new.get(lang, ""))
            for lang in languages if old.get(lang, "") != new.get(lang, "")]


def _item_changes(old: Mapping, new: Mapping, languages: list[str], condition_name) -> list[TextChange]:
    changes = _text_changes(toolkit._("Unterlage"), old["text"], new["text"], languages)
    changes += _text_changes(toolkit._("Hinweis"), old.get("hint") or {}, new.get("hint") or {}, languages)
    if old.get("condition") != new.get("condition"):
        changes.append(TextChange(toolkit._("Gilt für"), None, condition_name(old.get("condition")),
                                  condition_name(new.get("condition"))))
    if bool(old.get("example")) != bool(new.get("example")):
        changes.append(TextChange(toolkit._("Beispielangabe"), None, _yes_no(old.get("example")),
                                  _yes_no(new.get("example"))))
    return changes


def _yes_no(value) -> str:
    return toolkit._("ja") if value else toolkit._("nein")


def compare(old: Mapping, new: Mapping, languages: list[str], condition_name) -> Comparison:
    """Compare two contents; `condition_name(key)` names an item's condition for people."""
    fields = _text_changes(toolkit._("Titel"), old["title"], new["title"], languages)
    fields += _text_changes(toolkit._("Kurzbeschreibung"), old.get("summary") or {}, new.get("summary") or {},
                            languages)
    if bool(old.get("published")) != bool(new.get("published")):
        fields.append(TextChange(toolkit._("Für Besucherinnen und Besucher sichtbar"), None,
                                 _yes_no(old.get("published")), _yes_no(new.get("published"))))
    old_items = {item["key"]: item for item in old["items"]}
    new_items = {item["key"]: item for item in new["items"]}
    source = toolkit.source_language()
    items = []
    for item in new["items"]:
        name = item["text"].get(source, "")
        if item["key"] not in old_items:
            items.append(ItemChange(name, "added", _item_changes({"text": {}}, item, languages, condition_name)))
            continue
        changes = _item_changes(old_items[item["key"]], item, languages, condition_name)
        if changes:
            items.append(ItemChange(name, "changed", changes))
    for item in old["items"]:
        if item["key"] not in new_items:
            items.append(ItemChange(item["text"].get(source, ""), "removed"))
    kept_old = [key for key in old_items if key in new_items]
    kept_new = [key for key in new_items if key in old_items]
    return Comparison(fields=fields, items=items, reordered=kept_old != kept_new)
