"""QR codes as inline SVG, so a page or a printed letter shows them without another request."""

from __future__ import annotations

from functools import lru_cache

import segno
from markupsafe import Markup

SCALE, BORDER = 3, 4
# Drawing a code costs milliseconds (segno tries all eight masks); a client's pass or ticket is shown on every
# visit of their page. Only someone who holds the same data gets its drawing, and passes hold nothing personal.
KEPT_DRAWINGS = 128


@lru_cache(maxsize=KEPT_DRAWINGS)
def qr_svg(data: str, title: str, css_class: str) -> Markup:
    """Return the QR code of `data` (error correction M) as inline SVG with a title for screen readers, scalable."""
    code = segno.make(data, error="m")
    width, height = code.symbol_size(scale=SCALE, border=BORDER)
    svg = code.svg_inline(scale=SCALE, border=BORDER, title=title, svgclass=css_class)
    # With a viewBox the code scales to the size a stylesheet gives it (3 cm on a letter) instead of being cut off.
    return Markup(svg.replace("<svg ", f'<svg viewBox="0 0 {width} {height}" ', 1))
