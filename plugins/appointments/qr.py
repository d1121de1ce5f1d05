"""The QR code on the invitation letter: it opens the lookup with the reference filled in."""

from __future__ import annotations

import segno
from flask import url_for
from markupsafe import Markup


def lookup_url(reference: str, lang: str) -> str:
    """Return the absolute address of the lookup in a language, with the reference (never the birth date)."""
    return url_for("appointments.lookup", lang=lang, ref=reference, _external=True)


def qr_svg(url: str, title: str) -> Markup:
    """Return the QR code of an address as inline SVG, so printing needs no other request."""
    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=3, border=4, title=title, svgclass="appointments-letter__qr"))
