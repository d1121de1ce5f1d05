"""The audit log's changes as readable rows: field, value before, value after, in the reader's locale."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from babel.lists import format_list
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _

# Snapshots store times as ISO text; only text with an offset is a point in time that office time can show.
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ABSENT = object()


@dataclass(frozen=True)
class Change:
    """One field of an audit entry; `before` or `after` is None where that side has no such field."""

    field: str
    before: str | None
    after: str | None


def readable_value(value) -> str:
    """Return a snapshot value as a person reads it: office time, local dates, lists in the locale's punctuation."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nein")
    if isinstance(value, list):
        return format_list([readable_value(item) for item in value], locale=get_locale())
    if isinstance(value, str) and ISO_INSTANT.fullmatch(value):
        return format_datetime(datetime.fromisoformat(value), "short")
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return format_date(date.fromisoformat(value), "medium")
    return str(value)


def _flatten(snapshot, prefix: str = "") -> dict:
    """Turn nested snapshots (texts per language) into one level of dotted field names."""
    if not isinstance(snapshot, dict):
        return {} if snapshot is None else {prefix or _("Wert"): snapshot}
    fields = {}
    for key, value in snapshot.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        fields.update(_flatten(value, name) if isinstance(value, dict) and value else {name: value})
    return fields


def readable_changes(entry) -> list[Change]:
    """Return the fields an audit entry changed (or set, or removed), in the order the snapshots name them."""
    before, after = _flatten(entry.before), _flatten(entry.after)
    changes = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name, ABSENT), after.get(name, ABSENT)
        if old == new:
            continue
        changes.append(Change(name, None if old is ABSENT else readable_value(old),
                              None if new is ABSENT else readable_value(new)))
    return changes
