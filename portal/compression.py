"""Compress text answers (pages, styles, scripts, JSON) for browsers that accept gzip.

A reverse proxy may compress as well; it leaves answers alone that arrive
compressed. Doing it here keeps phones on slow networks fast when the portal
runs without one. Static files are compressed once per worker and kept.
Flask-Compress would add brotli but not the per-worker cache of static files;
docs/deployment.md explains the choice and what BREACH means here.
"""

from __future__ import annotations

import gzip
import re
import struct
import zlib
from collections.abc import Callable

from flask import Flask, Response, request

COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/plain", "text/calendar", "text/javascript", "application/javascript",
    "application/json", "application/atom+xml", "application/xml", "image/svg+xml",
})
# Below this size the gzip header and the work cost more than they save.
MINIMUM_SIZE = 500
LEVEL = 6
STATIC_ENDPOINTS = frozenset({"static", "plugin_static"})
_static_cache: dict[tuple[str, str], bytes] = {}
STATIC_CACHE_ENTRIES = 512


def _compressed_static(response: Response) -> bytes:
    key = (request.path, response.headers.get("ETag", ""))
    compressed = _static_cache.get(key)
    if compressed is None:
        compressed = gzip.compress(response.get_data(), LEVEL, mtime=0)
        if len(_static_cache) >= STATIC_CACHE_ENTRIES:
            _static_cache.clear()
        _static_cache[key] = compressed
    return compressed


# A gzip member's header: deflate, no name, no time (as gzip.compress(..., mtime=0)), unknown system.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_LAST_EMPTY_BLOCK = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)


def _deflated_alone(data: bytes) -> bytes:
    """Return data as deflate blocks that end byte-aligned and refer to nothing before or after them."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _stored(data: bytes) -> bytes:
    """Return data as stored (uncompressed) deflate blocks of at most 65,535 bytes each."""
    return b"".join(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk
                    for chunk in (data[start:start + 0xFFFF] for start in range(0, len(data), 0xFFFF)))


class PrecompressedPage:
    """A page compressed once but for stand-ins that each answer replaces (a visitor's form token, a form's key).

    The parts around the stand-ins are compressed when the page is kept. Each replacement goes in as a stored
    block of its own: it is never compressed against anything else in the page, and a random token would not
    shrink, while setting up a compressor for it would cost each answer more than the rest of the page's gzip.
    """

    def __init__(self, body: bytes, stand_ins: tuple[bytes, ...]):
        pattern = re.compile(b"|".join(re.escape(stand_in) for stand_in in stand_ins))
        self.parts = pattern.split(body)
        # Which stand-in each gap between two parts held, as an index into the replacements.
        self.gaps = [stand_ins.index(found) for found in pattern.findall(body)]
        self.deflated = [_deflated_alone(part) for part in self.parts]

    def _joined(self, parts: list[bytes], replacements: list[bytes]) -> bytes:
        pieces = [parts[0]]
        for gap, part in zip(self.gaps, parts[1:], strict=True):
            pieces += (replacements[gap], part)
        return b"".join(pieces)

    def body(self, replacements: tuple[bytes, ...]) -> bytes:
        """Return the page with each stand-in replaced by its replacement, given in the stand-ins' order."""
        return self._joined(self.parts, list(replacements))

    def gzipped(self, replacements: tuple[bytes, ...]) -> bytes:
        """Return the page with each stand-in replaced, gzip-compressed."""
        blocks = self._joined(self.deflated, [_stored(replacement) for replacement in replacements])
        body = self.body(replacements)
        return b"".join((_GZIP_HEADER, blocks, _LAST_EMPTY_BLOCK,
                         struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)))

    def response(self, makers: tuple[Callable[[], bytes], ...], status: str,
                 headers: list[tuple[str, str]]) -> Response:
        """Return the answer with each stand-in replaced by what its maker returns, compressed when the visitor accepts
        it and it is worth it; a maker whose stand-in the page does not hold is not called."""
        replacements = tuple(make() if index in self.gaps else b"" for index, make in enumerate(makers))
        response = Response(status=status, headers=headers)
        response.vary.add("Accept-Encoding")
        if request.accept_encodings["gzip"] and sum(map(len, self.parts)) >= MINIMUM_SIZE:
            response.set_data(self.gzipped(replacements))
            response.headers["Content-Encoding"] = "gzip"
        else:
            response.set_data(self.body(replacements))
        return response


def compress(response: Response) -> Response:
    """Return the response gzip-compressed when the client accepts it and it is worth it."""
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (response.status_code != 200 or "Content-Encoding" in response.headers
            or "Content-Range" in response.headers or not request.accept_encodings["gzip"]):
        return response
    static = request.endpoint in STATIC_ENDPOINTS
    if static:
        response.direct_passthrough = False  # read the file, once per worker
    elif response.is_streamed:
        return response
    if (response.content_length or len(response.get_data())) < MINIMUM_SIZE:
        return response
    if static:
        file = response.response
        body = _compressed_static(response)
        if hasattr(file, "close"):
            file.close()
    else:
        body = gzip.compress(response.get_data(), LEVEL, mtime=0)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)  # the compressed bytes differ from the file's
    return response


def init_app(app: Flask) -> None:
    """Compress answers; the factory's request pipeline runs this after every other answer hook."""
    app.after_request(compress)
