"""Names of languages for the plugin's pages."""

from __future__ import annotations

from babel import Locale

from portal import toolkit


def name_in_page_language(code: str) -> str:
    """Return a language's name in the language of the current page (Arabisch on a German page)."""
    name = Locale.parse(code).get_display_name(toolkit.current_language()) or code
    return name[:1].upper() + name[1:]
