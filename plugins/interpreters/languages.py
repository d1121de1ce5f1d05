"""Names of languages for the plugin's pages."""

from __future__ import annotations

from babel.lists import format_list
from markupsafe import Markup

from portal import toolkit


def name_in_page_language(code: str) -> str:
    """Return a language's name in the language of the current page (Arabisch on a German page)."""
    # Standing alone, as in a list or a table cell, the name begins with a capital letter.
    name = toolkit.language_name(code, toolkit.current_language())
    return name[:1].upper() + name[1:]


def _in_language(code: str, text: str) -> Markup:
    return Markup("<span {}>{}</span>").format(toolkit.lang_attrs(code), text)


def language_list(codes: list[str], others: str = "") -> Markup:
    """Return languages as a list in the page's style, each by its own name, with the page's name beside it."""
    page = toolkit.current_language()
    items = []
    for code in codes:
        own, local = toolkit.language_name(code), name_in_page_language(code)
        item = _in_language(code, own)
        if code == page or local == own:
            items.append(item)
        else:
            # A name with brackets of its own ("Kurdî (kurmancî)") takes the page's name after a dash, not in more.
            items.append(item + Markup(" – {}" if "(" in own else " ({})").format(local))
    if others:
        # Staff write other languages' names in the source language.
        items.append(_in_language(toolkit.source_language(), others))
    # The list patterns hold only punctuation and words such as "and"; every item is escaped already.
    return Markup(format_list([str(item) for item in items], locale=page))
