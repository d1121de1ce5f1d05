"""The one module plugins import from the core: a small, stable facade.

Everything a plugin needs is here; everything else in ``portal`` is internal
and may change. tests/test_architecture.py checks that first-party plugins
import nothing else from the core.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pluggy
from flask import current_app
from flask_babel import gettext, lazy_ngettext, ngettext
from flask_babel import lazy_gettext as _l

from .addresses import current_path, local_path, public_url_for
from .assets import asset_url
from .blueprints import public_blueprint, staff_blueprint
from .clock import (
    office_now,
    office_open_at,
    office_today,
    office_zone,
    opening_day,
    opening_times,
    opening_times_text,
    opening_weekdays,
)
from .config import DEMO, EmailSetting, PluginSettings
from .content import (
    ContentStatus,
    Translated,
    edited_texts,
    mark_source_names,
    missing_shipped_versions,
    outdated_languages,
    pick_translation,
    render_markdown,
    source_fingerprint,
    stamp_translations,
)
from .csvexport import formula_safe, write_csv
from .csvimport import CsvFormatError, CsvReport, parse_date_cell, parse_time_cell, read_rows, run_import
from .day_field import DayChoiceForm, DayField
from .db import Base, UTCDateTime, hold, insert_for, one_of, session, utcnow
from .deleting import DeleteForm, delete_if_current, deleted_already
from .easy import EASY_LANGUAGE, EasyPage, easy_language_code, easy_text, easy_url
from .errors import (
    answer_with_stored,
    deleted_meanwhile,
    render_error,
    too_many_requests_message,
    too_many_requests_title,
)
from .events import publish
from .extensions import csrf, limiter
from .forms import Form, MailAddress, SubForm, as_choices, strip_spaces
from .hookspecs import AuditTarget, Event, Slot
from .i18n import (
    current_language,
    date_pattern,
    enabled_languages,
    isolate,
    lang_attrs,
    language_from_tag,
    language_name,
    language_tag,
    languages_besides_source,
    preferred_language,
    source_language,
    source_language_name,
    text_direction,
)
from .language_fields import PerLanguageField
from .letters import render_letter
from .live import bump, conditional, content_cached, content_changed, content_version, live_version, live_view
from .lookups import (
    REFERENCE_SEPARATORS,
    BirthDateField,
    DateBoxesField,
    LockedReference,
    ReferenceLimit,
    ReferenceLimitSetting,
    ReferenceLocked,
    SignedTokens,
    ascii_digits,
    birth_date_problem,
    keyed_hash,
    keyed_hash_matches,
    normalize_reference,
    reference_key,
    reference_key_expression,
)
from .mail import MailMessage, queue_mail, send_after_response
from .migrate import ids_never_reused
from .pagecache import kept_form_page, not_cached
from .pages import (
    RenderingError,
    is_public_page,
    render_in_language,
    result_address,
    set_result_address,
    stateless,
)
from .pagination import Page, paginate
from .qr import qr_svg
from .ratelimits import client_limit, client_network
from .security import accepts_uploads
from .staff.auth import audit, current_staff, forget_audit_details
from .staff.changes import SYSTEM_ACTOR, readable_languages
from .submissions import SendingKeyField, claim_sending, keep_answer
from .templating import NavItem, StaffMenuItem, Tile, is_htmx, render_page, slot, slot_values
from .versioning import VersionField, VersionForm, save_if_current

hookimpl = pluggy.HookimplMarker("portal")
_ = gettext


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says about itself; the core shows and checks it."""

    name: str
    title: object
    description: object
    version: str
    requires_core: str = ">=1.0,<2"
    author: str = ""
    roles: tuple[str, ...] = field(default_factory=tuple)
    # Slots the plugin's pages offer to other plugins, each named '<plugin-name>.<slot>'.
    slots: tuple[Slot, ...] = field(default_factory=tuple)
    # Events the plugin publishes with publish(), each named '<plugin-name>.<event>'.
    events: tuple[Event, ...] = field(default_factory=tuple)
    # Its pages in Leichte Sprache, listed on the core's Leichte Sprache page.
    easy_pages: tuple[EasyPage, ...] = field(default_factory=tuple)
    # What its audit entries are about, in words the audit log shows: one AuditTarget per target type it audits.
    audit_targets: tuple[AuditTarget, ...] = field(default_factory=tuple)


def plugin_settings(name: str) -> dict:
    """Return a plugin's checked settings as a dict: its declared defaults merged with the municipality's values."""
    return current_app.config["PORTAL"]["plugin_settings"].get(name, {})


def portal_settings() -> dict:
    """Return the portal's checked configuration (read-only by convention)."""
    return current_app.config["PORTAL"]


__all__ = [
    # A static file's fingerprinted address, as templates write it (portal/assets.py).
    "asset_url",
    "Base", "ContentStatus", "CsvFormatError", "CsvReport", "NavItem", "PluginInfo",
    "DEMO", "EmailSetting", "MailMessage", "PluginSettings", "Slot", "office_now", "office_today", "office_zone",
    "opening_day", "opening_weekdays", "opening_times", "opening_times_text", "office_open_at",
    "parse_date_cell", "parse_time_cell", "queue_mail", "render_letter", "run_import", "send_after_response",
    "isolate", "source_language", "source_language_name",
    # Public lookups by reference and date of birth (portal/lookups.py).
    "BirthDateField", "DateBoxesField", "LockedReference", "REFERENCE_SEPARATORS", "ReferenceLimit",
    "ReferenceLimitSetting", "ReferenceLocked", "SignedTokens", "ascii_digits",
    "birth_date_problem", "client_limit", "client_network", "keyed_hash", "keyed_hash_matches", "normalize_reference",
    "reference_key", "reference_key_expression",
    # The audit log: record a change, and the words it shows for it (portal/staff/changes.py).
    "AuditTarget", "SYSTEM_ACTOR", "audit", "readable_languages",
    # What the log says of records a purge deleted goes with them (portal/staff/auth.py).
    "forget_audit_details",
    "StaffMenuItem", "Tile", "Translated", "UTCDateTime", "one_of", "_", "_l", "csrf", "current_language",
    "current_staff", "edited_texts", "enabled_languages", "gettext", "hold", "hookimpl", "insert_for", "is_htmx",
    "lang_attrs", "language_from_tag", "language_name", "language_tag", "languages_besides_source", "lazy_ngettext",
    "limiter", "missing_shipped_versions",
    # A translation's quoted names of the source text, marked as the source language's (portal/content.py).
    "mark_source_names",
    # Translations made for source words that changed since (portal/content.py).
    "outdated_languages", "source_fingerprint", "stamp_translations",
    "ngettext", "pick_translation",
    "plugin_settings", "preferred_language",
    "portal_settings", "public_blueprint", "read_rows", "render_error", "render_markdown", "render_page",
    "session", "staff_blueprint", "text_direction", "too_many_requests_message", "too_many_requests_title", "utcnow",
    # Dates in the visitor's language, with the portal's fixes to CLDR's patterns (portal/i18n.py).
    "date_pattern",
    # The bases of every form, with the portal's words for WTForms' messages (portal/forms.py).
    "Form", "MailAddress", "SubForm", "as_choices", "strip_spaces",
    # A form that makes something, sent twice (a double tap without JavaScript), makes it once (portal/submissions.py).
    "SendingKeyField", "claim_sending", "keep_answer",
    "Page", "PerLanguageField", "VersionField", "VersionForm", "accepts_uploads", "paginate",
    # Days in staff forms and the day a staff page shows (portal/day_field.py).
    "DayChoiceForm", "DayField",
    # An edit form sent for a record deleted meanwhile: what was typed, offered as a new record; an answer with the
    # record as stored now, or that (portal/errors.py).
    "answer_with_stored", "deleted_meanwhile",
    # A staff page's delete: by version, once however often the page is sent, said plainly when someone else deleted
    # the record first (portal/deleting.py).
    "DeleteForm", "delete_if_current", "deleted_already",
    # A plugin's revision that rebuilds its older tables so that SQLite never gives an id twice (portal/migrate.py).
    "ids_never_reused",
    "save_if_current",
    "Event", "publish", "qr_svg", "public_url_for", "current_path", "local_path", "formula_safe", "write_csv",
    "slot", "slot_values",
    "RenderingError", "is_public_page", "render_in_language", "result_address", "set_result_address", "stateless",
    # Live versions of topics named '<plugin>:<name>', shared by all processes (portal/live.py).
    "bump", "conditional", "live_version", "live_view",
    # Pages in Leichte Sprache, German texts from content files (portal/easy.py).
    "EASY_LANGUAGE", "EasyPage", "easy_language_code", "easy_text", "easy_url",
    # Cached public pages (portal/pagecache.py): a change visitors read, a page kept out of the cache.
    "content_cached", "content_changed", "content_version", "kept_form_page", "not_cached",
]
