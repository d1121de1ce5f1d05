"""Whole public pages for anonymous visitors, kept per worker and keyed by the content version all processes share.

A page is kept only when nothing in it can belong to one visitor: a GET of a public page in a language, asked
with no cookie but the language one, answered 200 without setting another (no session, so no form token and no
flash message), with no ``Cache-Control`` of private, no-store or no-cache (result pages, followed views),
varying on nothing but compression, htmx and that cookie. It is served to visitors with no cookie but the
language one and a session that holds a form token alone (one who opened a form earlier): a kept page never
holds a token, since rendering one for a visitor without a session sets the session cookie.

The key holds the content version (``live.CONTENT_TOPIC``), which every committed staff save, import or command
advances, so an edit on one server shows on the next request on every server. Pages that change with the clock
alone (a notice's window opening) are kept at most ``page_cache_seconds``. A page served from here skips the
app, its rate limits included.
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, current_app, g, make_response, request, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_cookie

from .compression import PrecompressedPage
from .i18n import LANGUAGE_COOKIE, current_language
from .live import CONTENT_TOPIC, CONTENT_VERSION_KEY, content_caches, content_version
from .pages import VERIFIED_SESSION, is_public_page, is_second_rendering
from .submissions import KEY_STAND_IN, new_sending_key

_KEEP = "portal.page_cache.keep"
# Set by the middleware for a request asked without a session: only its answer may be kept.
_WITHOUT_SESSION = "portal.page_cache.without_session"
LONGEST_LANGUAGE_COOKIE = 8
CACHED_TYPES = ("text/html", "application/atom+xml")
# Headers that belong to the request that rendered the page, not to the page.
UNSHARED_HEADERS = frozenset({"retry-after", "x-ratelimit-limit", "x-ratelimit-remaining",
                              "x-ratelimit-reset"})
# Cookie: a kept page is only served to requests whose one cookie, the language's, is part of the key.
SHARED_VARY = frozenset({"accept-encoding", "hx-request", "cookie"})
REFUSED_CACHE_CONTROL = ("private", "no-store", "no-cache")
LONGEST_KEY_PART = 512
MOST_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class _Page:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | PrecompressedPage  # a kept form page: compressed once, the token and form key put in per answer
    expires: float


def not_cached(view):
    """Keep a public view's answers out of the page cache (what it shows changes without a staff save)."""
    view.not_cached = True
    return view


# Stands in for the visitor's form token in a kept form page; random per process, so no visitor can send it.
_TOKEN_PLACEHOLDER = f"portal-form-token-{secrets.token_hex(16)}".encode()
# Stands in for the key of a form that makes something (submissions.SendingKeyField), drawn anew for each answer.
_KEY_PLACEHOLDER = f"portal-sending-key-{secrets.token_hex(16)}".encode()
_PLACEHOLDERS = (_TOKEN_PLACEHOLDER, _KEY_PLACEHOLDER)
# Flask-WTF keeps the request's signed token in g under the token's field name and hands that out to every form.
_TOKEN_FIELD = "csrf_token"
KEPT_FORM_PAGES = 64


def _form_page_key() -> tuple | None:
    """Return what a form page's HTML depends on for this request, or None when it must be rendered anew.

    Kept: a GET without query of a public page by a visitor whose session holds a form token at most (no
    sign-in, no flash message, nothing typed), not a second rendering, with the page cache on.
    """
    if (request.method != "GET" or request.query_string or not current_app.config["PORTAL"]["page_cache_seconds"]
            or is_second_rendering() or set(session) - {_TOKEN_FIELD} or not is_public_page()):
        return None
    return (request.endpoint, tuple(sorted(request.view_args.items())), current_language(), request.host_url,
            request.headers.get("HX-Request"), request.headers.get("HX-History-Restore-Request"))


def kept_form_page(view):
    """Keep a public form page's HTML for anonymous visitors and put each visitor's own form token in it.

    The page is rendered once per language and content version (at most page_cache_seconds old) with a
    placeholder for the token; every visitor still gets a token of their own in a session of their own, as
    Flask-WTF makes it, and every answer a form key of its own (submissions.SendingKeyField). Only for views whose
    GET shows the same page to every anonymous visitor: anything they sent or hold besides the token (a query, a
    flash message, a sign-in) renders the page anew.
    """
    kept: dict = {}
    content_caches.append(kept)

    @functools.wraps(view)
    def keep_or_render(**view_args):
        key = _form_page_key()
        if key is None:
            return view(**view_args)
        try:
            version, now = content_version(), time.monotonic()
        except SQLAlchemyError:
            # The database is away: a form that works without it (the emergency form) still answers.
            return view(**view_args)
        page = kept.get(key)
        if page is None or page.expires <= now or kept.get(_HELD_VERSION) != version:
            g.pop(_TOKEN_FIELD, None)
            setattr(g, _TOKEN_FIELD, _TOKEN_PLACEHOLDER.decode())
            setattr(g, KEY_STAND_IN, _KEY_PLACEHOLDER.decode())
            try:
                response = make_response(view(**view_args))
            finally:
                g.pop(_TOKEN_FIELD, None)
                g.pop(KEY_STAND_IN, None)
            if response.is_streamed:
                return response
            if response.status_code != 200 or response.mimetype != "text/html":
                # Not a page to keep: it gets the visitor's token and a key of its own like any other answer.
                response.set_data(response.get_data().replace(_TOKEN_PLACEHOLDER, _visitors_token())
                                  .replace(_KEY_PLACEHOLDER, _new_key()))
                return response
            headers = tuple((name, value) for name, value in response.headers.items() if name != "Content-Length")
            page = _Page(response.status, headers, PrecompressedPage(response.get_data(), _PLACEHOLDERS),
                         now + current_app.config["PORTAL"]["page_cache_seconds"])
            if kept.get(_HELD_VERSION) != version or len(kept) > KEPT_FORM_PAGES:
                kept.clear()
                kept[_HELD_VERSION] = version
            kept[key] = page
        return page.body.response(_REPLACEMENT_MAKERS, page.status, list(page.headers))

    return keep_or_render


def _visitors_token() -> bytes:
    return generate_csrf().encode()


def _new_key() -> bytes:
    return new_sending_key().encode()


# What an answer puts in for each of _PLACEHOLDERS: the visitor's form token and a new form key.
_REPLACEMENT_MAKERS = (_visitors_token, _new_key)


_HELD_VERSION = object()


def _storable(status: str, headers: list[tuple[str, str]], size: int) -> bool:
    if not status.startswith("200") or size > MOST_BYTES // 16:
        return False
    for name, value in headers:
        name = name.lower()
        if name == "set-cookie" and not value.startswith(LANGUAGE_COOKIE + "="):
            return False
        if name == "content-type" and not value.startswith(CACHED_TYPES):
            return False
        if name == "cache-control" and any(word in value.lower() for word in REFUSED_CACHE_CONTROL):
            return False
        if name == "vary" and {part.strip().lower() for part in value.split(",")} - SHARED_VARY:
            return False
    return True


class PageCache:
    """WSGI middleware that answers a kept page without calling the app."""

    def __init__(self, app: Flask, wsgi_app, seconds: float):
        self.app = app
        self.wsgi_app = wsgi_app
        self.seconds = seconds
        self.pages: OrderedDict[tuple, _Page] = OrderedDict()
        content_caches.append(self.pages)
        self.size = 0
        self.lock = threading.Lock()
        # Public pages live under a language; anything else (health check, theme, files) passes untouched.
        self.languages = frozenset(app.config["PORTAL"]["languages"])

    def _anonymous_language(self, environ) -> str | None:
        """Return the language cookie ('' for none) of an anonymous visitor; None for anyone with more cookies.

        Anonymous: besides the language cookie at most a session holding a form token alone. A session with
        anything else (a staff sign-in, a flash message) or one that does not verify is left to the app.
        """
        header = environ.get("HTTP_COOKIE")
        if not header:
            environ[_WITHOUT_SESSION] = True
            return ""
        cookies = dict(parse_cookie(header))
        language = cookies.pop(LANGUAGE_COOKIE, "")
        session = cookies.pop(self.app.config["SESSION_COOKIE_NAME"], None)
        if cookies or len(language) > LONGEST_LANGUAGE_COOKIE:
            return None
        if session is None:
            environ[_WITHOUT_SESSION] = True
            return language
        data = self.app.session_interface.verified_data(self.app, session)
        if data is None:
            return None
        environ[VERIFIED_SESSION] = data
        return language if set(data) <= {"csrf_token"} else None

    def _key(self, environ) -> tuple | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") \
                or "HTTP_AUTHORIZATION" in environ or "HTTP_IF_NONE_MATCH" in environ or "HTTP_RANGE" in environ:
            return None
        path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        if path[1:].partition("/")[0] not in self.languages or len(path) + len(query) > LONGEST_KEY_PART:
            return None
        language = self._anonymous_language(environ)
        if language is None:
            return None
        try:
            version = self.app.extensions["portal.live"].version(CONTENT_TOPIC)
        except SQLAlchemyError:
            return None  # the database is away: the app answers (or explains) as it would without the cache
        environ[CONTENT_VERSION_KEY] = version  # the app's content_version() reads it from here
        return (version, environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME", ""),
                path, query, language, environ.get("HTTP_ACCEPT_ENCODING", "")[:100], environ.get("HTTP_HX_REQUEST"),
                environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST"))

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        page = self.pages.get(key)
        if page is not None and page.expires > time.monotonic():
            start_response(page.status, list(page.headers))
            return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]
        answered = {}

        def remember(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember)
        if not (environ.get(_KEEP) and environ.get(_WITHOUT_SESSION)) or environ["REQUEST_METHOD"] != "GET":
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        if _storable(answered["status"], answered["headers"], len(data)):
            headers = tuple((name, value) for name, value in answered["headers"]
                            if name.lower() not in UNSHARED_HEADERS)
            self._store(key, _Page(answered["status"], headers, data, time.monotonic() + self.seconds))
        return [data]

    def _store(self, key: tuple, page: _Page) -> None:
        with self.lock:
            if not self.pages:
                self.size = 0  # emptied by forget_content()
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.pages[key] = page
            self.size += len(page.body)
            while self.size > MOST_BYTES and self.pages:
                _key, dropped = self.pages.popitem(last=False)
                self.size -= len(dropped.body)


def init_app(app: Flask) -> None:
    """Keep anonymous public pages for page_cache_seconds (0: never); wrap before the proxy fix reads headers."""
    seconds = app.config["PORTAL"]["page_cache_seconds"]
    if not seconds:
        return

    @app.after_request
    def _mark_keepable(response):
        view = current_app.view_functions.get(request.endpoint)
        if (request.method == "GET" and request.environ.get(_WITHOUT_SESSION) and is_public_page()
                and not getattr(view, "not_cached", False) and not hasattr(view, "live_followed")):
            request.environ[_KEEP] = True
        return response

    app.wsgi_app = PageCache(app, app.wsgi_app, seconds)
