"""QR codes as inline SVG, so a page or a printed letter shows them without another request."""

from __future__ import annotations

import re
from functools import lru_cache

import zxingcpp
from markupsafe import Markup, escape

SCALE, BORDER = 3, 4
# M at least; a stronger level is taken while it keeps the code at its smallest size, as it then costs nothing.
ERROR_CORRECTION = ("M", "Q", "H")
DARK_RUN = re.compile(rb"\x00+")
# A client's pass or ticket is shown on every visit of their page, and its drawing is about 2 ms of that page's 6 to
# 10 (docs/performance.md). Only someone who holds the same data gets its drawing; passes hold nothing personal.
KEPT_DRAWINGS = 128


def qr_modules(data: str) -> tuple[int, bytes]:
    """Return the side and the modules (row by row, 0 dark, 255 light) of `data`'s QR code: smallest, then strongest."""
    side, modules = 0, b""
    for level in ERROR_CORRECTION:
        image = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level=level).to_image(
            add_quiet_zones=False)
        if side and image.shape[0] > side:
            break
        side, modules = image.shape[0], memoryview(image).tobytes()
    return side, modules


@lru_cache(maxsize=KEPT_DRAWINGS)
def qr_svg(data: str, title: str, css_class: str) -> Markup:
    """Return the QR code of `data` as inline SVG with a title for screen readers, scalable."""
    side, modules = qr_modules(data)
    # One stroke per run of dark modules, each step relative to the last, which keeps the path short.
    steps, x, y = [], 0, 0
    for row in range(side):
        start_of_row = row * side
        for run in DARK_RUN.finditer(modules, start_of_row, start_of_row + side):
            start = run.start() - start_of_row
            steps.append(f"m{start - x} {row - y}h{run.end() - run.start()}")
            x, y = run.end() - start_of_row, row
    span = side + 2 * BORDER
    # The viewBox holds the quiet zone and lets the code scale to the size a stylesheet gives it (3 cm on a letter).
    return Markup(f'<svg viewBox="{-BORDER} {-BORDER} {span} {span}" width="{span * SCALE}" '
                  f'height="{span * SCALE}" class="{escape(css_class)}"><title>{escape(title)}</title>'
                  f'<path stroke="#000" d="M0 .5{"".join(steps)}"/></svg>')
