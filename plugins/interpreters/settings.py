"""Settings of the interpreters plugin: who the volunteer initiative is and how to reach it."""

from __future__ import annotations

import re

DEFAULTS = {
    # The initiative's own name; it is not translated.
    "initiative_name": "Sprachhelfer Musterstadt",
    # A few sentences about the initiative, by language code; missing languages fall back.
    "initiative_about": {},
    "contact_email": "",
    "contact_phone": "",
    # The initiative's website, shown as a link (https:// or http://).
    "website": "",
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEBSITE = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


def check(settings: dict, languages: list[str]) -> None:
    """Raise ValueError naming the first setting that is wrong."""
    for key in ("initiative_name", "contact_email", "contact_phone", "website"):
        if not isinstance(settings[key], str):
            raise ValueError(f"setting '{key}' must be a string")
    if not settings["initiative_name"].strip():
        raise ValueError("setting 'initiative_name' must not be empty")
    if settings["contact_email"] and not _EMAIL.match(settings["contact_email"]):
        raise ValueError(f"setting 'contact_email' must be an e-mail address, got {settings['contact_email']!r}")
    if settings["website"] and not _WEBSITE.match(settings["website"]):
        raise ValueError(f"setting 'website' must start with https:// or http://, got {settings['website']!r}")
    about = settings["initiative_about"]
    if not isinstance(about, dict) or not all(isinstance(text, str) for text in about.values()):
        raise ValueError("setting 'initiative_about' must be a table of texts by language code")
    unknown = sorted(set(about) - set(languages))
    if unknown:
        raise ValueError(f"setting 'initiative_about' has texts in languages that are not enabled: "
                         f"{', '.join(unknown)}")
