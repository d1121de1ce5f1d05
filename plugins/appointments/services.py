"""Translated names of the services an appointment is for; the slugs are shared with the checklists plugin."""

from __future__ import annotations

from flask_babel import get_locale
from markupsafe import Markup

from portal import toolkit
from portal.toolkit import _l

SERVICE_NAMES: dict[str, object] = {
    "residence-permit-extension": _l("Verlängerung der Aufenthaltserlaubnis"),
    "settlement-permit": _l("Niederlassungserlaubnis"),
    "naturalisation-application": _l("Einbürgerungsantrag"),
    "naturalisation-certificate-handover": _l("Aushändigung der Einbürgerungsurkunde"),
    "eu-blue-card": _l("Blaue Karte EU"),
    "family-reunification": _l("Familiennachzug"),
    "permit-transfer-new-passport": _l("Übertrag des Aufenthaltstitels in einen neuen Pass"),
    "lost-residence-card": _l("Verlust des elektronischen Aufenthaltstitels (eAT)"),
}


def extra_services() -> dict[str, str]:
    """Return the municipality's own services (slug: name in the source language) from the settings."""
    return toolkit.plugin_settings("appointments")["extra_services"]


def known_services() -> list[str]:
    """Return every service slug an appointment may have."""
    return [*SERVICE_NAMES, *extra_services()]


def service_name(slug: str) -> str:
    """Return a service's name in the visitor's language (a municipality's own services stay in the source language)."""
    if slug in SERVICE_NAMES:
        return str(SERVICE_NAMES[slug])
    return extra_services().get(slug, slug)


def service_name_markup(slug: str) -> Markup:
    """Return a service's name, marked as the source language when it has no translation and the page is in another."""
    name = service_name(slug)
    # The locale, not the page's language: a letter renders its second half under the client's locale.
    if slug in SERVICE_NAMES or str(get_locale()) == toolkit.source_language():
        return Markup.escape(name)
    return Markup('<span {}>{}</span>').format(toolkit.lang_attrs(toolkit.source_language()), name)
