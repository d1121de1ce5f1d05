"""The audit log in the reader's words: what happened to what, and each changed field before and after."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from babel.lists import format_list
from flask import current_app
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..blueprints import role_label
from ..config import LANGUAGE_CODES
from ..hookspecs import AuditTarget
from ..i18n import current_language, date_pattern, language_name
from ..plugins import LoadedPlugin, PluginError

# Snapshots store times as ISO text; only text with an offset is a point in time that office time can show.
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ABSENT = object()
log = logging.getLogger(__name__)

#: Who a change is by when no staff member made it: the portal itself (a timer, shipped content), or a command.
SYSTEM_ACTOR = "system"
COMMAND_LINE_ACTOR = "command line"

#: The core's own target: staff accounts, made and locked in the staff area or on the command line.
STAFF_ACCOUNT = AuditTarget(
    "staff_account",
    actions={"create": _l("Konto angelegt"), "activate": _l("Konto entsperrt"), "deactivate": _l("Konto gesperrt"),
             "change_password": _l("Eigenes Passwort geändert"), "reset_password": _l("Passwort neu gesetzt"),
             "change_role": _l("Rolle geändert")},
    fields={"email": _l("E-Mail-Adresse"), "display_name": _l("Name"), "role": _l("Rolle"), "active": _l("Aktiv"),
            "sessions_ended": _l("Beendete Sitzungen")},
    values={"role": role_label},
)
#: The fields of the one entry ``toolkit.run_import`` writes for a whole import, whatever its target type.
IMPORT_FIELDS = {"created": _l("Neu angelegt"), "updated": _l("Geändert"), "unchanged": _l("Unverändert")}


@dataclass(frozen=True)
class Change:
    """One field of an audit entry; `before` or `after` is None where that side has no such field."""

    field: str
    before: str | None
    after: str | None


def collect_audit_targets(loaded: list[LoadedPlugin]) -> dict[str, AuditTarget]:
    """Gather the core's and the enabled plugins' audit targets; raise PluginError for a misnamed or repeated one."""
    targets = {STAFF_ACCOUNT.name: STAFF_ACCOUNT}
    for plugin in loaded:
        for target in plugin.info.audit_targets:
            if not target.name.startswith(f"{plugin.name}_"):
                raise PluginError(plugin.name, f"audit target '{target.name}' must be named '{plugin.name}_<thing>'")
            if target.name in targets:
                raise PluginError(plugin.name, f"audit target '{target.name}' is declared twice")
            targets[target.name] = target
    return targets


def audit_areas() -> dict[str, tuple[str, list[str]]]:
    """Return the areas the log can be narrowed to: the accounts and each plugin with its title and target types."""
    areas = {"staff": (_("Konten"), [STAFF_ACCOUNT.name])}
    for plugin in current_app.extensions["portal.loaded_plugins"]:
        if plugin.info.audit_targets:
            areas[plugin.name] = (str(plugin.info.title), [target.name for target in plugin.info.audit_targets])
    return areas


def _target(target_type: str) -> AuditTarget | None:
    return current_app.extensions["portal.audit_targets"].get(target_type)


def _labels(target: AuditTarget | None, action: str) -> dict:
    """Return the field labels of a target's entries; an import's entry has the core's fields besides."""
    if target is None:
        return {}
    return {**IMPORT_FIELDS, **target.fields} if action == "import" else dict(target.fields)


def _split(path: tuple[str, ...]) -> tuple[str, list[str]]:
    """Return a snapshot path's field key (dotted, without language codes) and the language codes in it."""
    languages = [part for part in path if part in LANGUAGE_CODES]
    return ".".join(part for part in path if part not in LANGUAGE_CODES), languages


def undescribed(action: str, target_type: str, *snapshots: dict | None) -> list[str]:
    """Return what the declared audit targets leave without words: the action, or a snapshot's field keys."""
    target = _target(target_type)
    if target is None:
        return [f"target type '{target_type}'"]
    missing = [] if action in target.actions else [f"action '{action}' of '{target_type}'"]
    known = _labels(target, action)
    keys = dict.fromkeys(_split(path)[0] for snapshot in snapshots for path in _flatten(snapshot))
    return missing + [f"field '{key}' of '{target_type}'" for key in keys if key and key not in known]


def actor_name(actor: str) -> str:
    """Return who made a change as staff read it: the account's address, or the portal or a command in words."""
    if actor == SYSTEM_ACTOR:
        return _("Portal (automatisch)")
    if actor == COMMAND_LINE_ACTOR:
        return _("Befehlszeile auf dem Server")
    return actor


def what_happened(entry) -> str | None:
    """Return what an audit entry says happened, in the reader's language; None for an action nobody declared."""
    target = _target(entry.target_type)
    label = target.actions.get(entry.action) if target else None
    return None if label is None else str(label)


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
        return format_date(date.fromisoformat(value), date_pattern("medium"))
    return str(value)


def readable_languages(codes: str | Iterable[str] | None) -> str:
    """Return language codes (one, a list, or separated by spaces) as their names in the reader's language."""
    codes = codes.split() if isinstance(codes, str) else list(codes or ())
    return format_list([language_name(code, current_language()) for code in codes], locale=get_locale()) or "–"


def _flatten(snapshot, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    """Turn nested snapshots (texts per language) into one level of field paths."""
    if not isinstance(snapshot, dict):
        return {} if snapshot is None else {prefix: snapshot}
    fields = {}
    for key, value in snapshot.items():
        path = (*prefix, str(key))
        fields.update(_flatten(value, path) if isinstance(value, dict) and value else {path: value})
    return fields


def _field_name(path: tuple[str, ...], labels: dict) -> str:
    key, languages = _split(path)
    name = str(labels[key]) if key in labels else (".".join(path) or _("Wert"))
    if key not in labels or not languages:
        return name
    return _("%(field)s (%(language)s)", field=name, language=readable_languages(languages))


def _value(value, describer) -> str:
    # Empty values reach the describer too: for some fields they mean something ("all locations").
    if describer is not None:
        try:
            return describer(value)
        except (KeyError, ValueError):
            pass  # a value the plugin no longer knows (a status since removed) shows as stored
        except Exception:
            # Like a render-time hook: one plugin's fault must not keep the whole log from an admin.
            log.exception("the audit log's describer %r failed on %r", describer, value)
    return readable_value(value)


def readable_changes(entry) -> list[Change]:
    """Return the fields an audit entry changed (or set, or removed), in the order the snapshots name them."""
    target = _target(entry.target_type)
    labels = _labels(target, entry.action)
    describers = dict(target.values) if target else {}
    before, after = _flatten(entry.before), _flatten(entry.after)
    changes = []
    for path in dict.fromkeys([*before, *after]):
        old, new = before.get(path, ABSENT), after.get(path, ABSENT)
        if old == new:
            continue
        describer = describers.get(_split(path)[0])
        changes.append(Change(_field_name(path, labels), None if old is ABSENT else _value(old, describer),
                              None if new is ABSENT else _value(new, describer)))
    return changes
