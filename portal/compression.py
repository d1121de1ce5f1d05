"""Compress text answers (pages, styles, scripts, JSON) for browsers that accept gzip.

A reverse proxy may compress as well; it leaves answers alone that arrive
compressed. Doing it here keeps phones on slow networks fast when the portal
runs without one. Static files are compressed once per worker and kept.
Flask-Compress would add brotli but not the per-worker cache of static files;
docs/deployment.md explains the choice and what BREACH means here.
"""

from __future__ import annotations

import gzip

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
