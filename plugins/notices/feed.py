"""The Atom feed (RFC 4287) of the notices visitors see, in one language."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

from flask import request, url_for

from portal import toolkit

from .models import CATEGORIES
from .queries import LocalizedNotice

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ElementTree.register_namespace("", ATOM)


def _add(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def _entry_id(item: LocalizedNotice) -> str:
    # A tag URI stays the same in every language's feed and whatever the page addresses become.
    host = request.host.split(":")[0]
    return f"tag:{host},{item.notice.created_at:%Y-%m-%d}:notices/{item.notice.id}"


def _updated(item: LocalizedNotice) -> datetime:
    # A notice written before its start is news from the moment it appears.
    return max(item.notice.updated_at, item.notice.starts_at)


def atom_feed(items: list[LocalizedNotice], now: datetime) -> bytes:
    """Return the feed document for the visitor's language."""
    settings = toolkit.portal_settings()
    lang = toolkit.current_language()
    feed = ElementTree.Element(f"{{{ATOM}}}feed", {XML_LANG: lang})
    self_url = url_for("notices.feed", _external=True)
    _add(feed, "id", self_url)
    _add(feed, "title", toolkit._("Mitteilungen – %(office)s, %(municipality)s", office=settings["office"]["name"],
                                  municipality=settings["municipality"]["name"]))
    _add(feed, "updated", max((_updated(item) for item in items), default=now).isoformat(timespec="seconds"))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=url_for("notices.index", _external=True))
    author = _add(feed, "author")
    _add(author, "name", settings["office"]["name"])
    for item in items:
        entry = _add(feed, "entry", **{XML_LANG: item.lang})
        _add(entry, "id", _entry_id(item))
        _add(entry, "title", item.text.title)
        _add(entry, "published", item.notice.starts_at.isoformat(timespec="seconds"))
        _add(entry, "updated", _updated(item).isoformat(timespec="seconds"))
        _add(entry, "link", rel="alternate", type="text/html",
             href=url_for("notices.detail", notice_id=item.notice.id, _external=True))
        _add(entry, "category", term=item.notice.category, label=str(CATEGORIES.get(item.notice.category, "")))
        _add(entry, "content", str(toolkit.render_markdown(item.text.body)), type="html")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
