"""QR codes as inline SVG, so a page or a printed letter shows them without another request."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str, title: str, css_class: str) -> Markup:
    """Return the QR code of `data` (error correction M) as inline SVG with a title for screen readers."""
    code = segno.make(data, error="m")
    return Markup(code.svg_inline(scale=3, border=4, title=title, svgclass=css_class))
