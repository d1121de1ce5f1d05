"""Pages as a whole: which are public, where a form's answer can be seen again, and one page in another language.

A side-by-side view of two languages (or any other feature that needs a page twice) builds on
these, not on the core's markup or URL layout:

- ``is_public_page(address)`` tells public pages from staff pages by the kind of their blueprint.
- ``set_result_address(url)`` lets the view that answers a form say where the same answer can be
  fetched again by a plain GET (a signed result link, say); ``result_address()`` reads it back.
- ``render_in_language(lang, address)`` renders a public page once more in another language,
  through the whole application, with the visitor's session, and without counting the second
  rendering against the visitor's rate limits.

Templates mark how a page's main content falls into blocks (documented in docs/plugins.md):
``data-blocks`` on the element whose children are the blocks, ``data-block="<name>"`` on a block
that pairs with the block of the same name in another language, and ``data-block-once`` on a block
that belongs to this answer alone (flashed messages), shown once rather than per language.
"""

from __future__ import annotations

import copy
import threading
from io import BytesIO
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.test import run_wsgi_app

from .addresses import current_path
from .blueprints import PortalBlueprint
from .extensions import limiter
from .i18n import language_tag

RENDER_TIMEOUT_SECONDS = 10
# Where a second rendering finds the session of the request it renders for. A client cannot set
# this key: everything a client sends lands in the environment under HTTP_ or as the request line.
_HANDOVER = "portal.second_rendering"
# Where the page cache leaves the session it verified on the way in, so the app does not verify the cookie again.
VERIFIED_SESSION = "portal.verified_session"


class RenderingError(RuntimeError):
    """A page could not be rendered in another language."""


class _Handover:
    """The visitor's session, handed to a second rendering and, when that changed it, handed back."""

    def __init__(self, data: dict):
        self.data = data
        self.changed: dict | None = None


def is_public_page(address: str | None = None) -> bool:
    """Tell whether this request, or a local address of this portal, is a public page in a language."""
    if address is None:
        rule = request.url_rule
    else:
        parts = urlsplit(address)
        root = request.script_root
        if parts.scheme or parts.netloc or not parts.path.startswith(root + "/"):
            return False
        adapter = current_app.url_map.bind(request.host, script_name=root or "/")
        try:
            rule, _args = adapter.match(parts.path[len(root):], method="GET", return_rule=True)
        except RequestRedirect as moved:
            return is_public_page(urlsplit(moved.new_url).path)
        except HTTPException:
            return False
    if rule is None or "lang" not in rule.arguments:
        return False
    blueprint = current_app.blueprints.get(rule.endpoint.rpartition(".")[0])
    return isinstance(blueprint, PortalBlueprint) and blueprint.kind == "public"


def stateless(view):
    """Mark a view that keeps no state of a visitor (a JSON API): it gets no session and sets no cookie."""
    view.stateless = True
    return view


def is_stateless() -> bool:
    """Tell whether this request's view is marked with stateless."""
    return getattr(current_app.view_functions.get(request.endpoint), "stateless", False)


def set_result_address(url: str) -> None:
    """Say that what this answer shows can be fetched again by a GET of `url` (for example a signed result link)."""
    g.portal_result_address = url


def result_address() -> str | None:
    """Return the address a view gave with set_result_address for this answer, or None."""
    return g.get("portal_result_address")


def is_second_rendering() -> bool:
    """Tell whether this request is a page rendered once more for another request (see render_in_language)."""
    return _HANDOVER in request.environ


def render_in_language(lang: str, address: str | None = None) -> str:
    """Render a public page (by default this request's address) in another language; return its HTML.

    The page is requested with GET through the whole application, in a thread of its own so that
    nothing of this request (``g``, the database session) is shared, with the visitor's cookies and
    session as they are now: forms on it carry tokens the visitor's session accepts. What that
    rendering adds to the session (a form token) is kept. Raise RenderingError when the page does
    not answer 200 with HTML in time.
    """
    app = current_app._get_current_object()
    handover = _Handover(copy.deepcopy(dict(session)))
    environ = _environ_for(lang, address or current_path(), handover)
    outcome: dict = {}

    def run() -> None:
        try:
            body, status, headers = run_wsgi_app(app, environ, buffered=True)
            outcome.update(body=b"".join(body), status=status, content_type=headers.get("Content-Type", ""))
        except Exception as exc:  # handed to the waiting request, which raises it as the cause
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="second-rendering", daemon=True)
    worker.start()
    worker.join(RENDER_TIMEOUT_SECONDS)
    if worker.is_alive():
        raise RenderingError(f"no answer within {RENDER_TIMEOUT_SECONDS} seconds")
    if "error" in outcome:
        raise RenderingError("the page failed in the other language") from outcome["error"]
    if not outcome["status"].startswith("200") or not outcome["content_type"].startswith("text/html"):
        raise RenderingError(f"the page answered {outcome['status']} ({outcome['content_type']})")
    if handover.changed is not None:
        session.clear()
        session.update(handover.changed)
    return outcome["body"].decode("utf-8")


def _environ_for(lang: str, address: str, handover: _Handover) -> dict:
    if not is_public_page(address):
        raise RenderingError(f"{address!r} is not a public page of this portal")
    parts = urlsplit(address)
    path = parts.path[len(request.script_root):]
    # Every page in a language has the language as its first segment: /<lang>/….
    rest = path[1:].partition("/")[2]
    # Conditional and partial requests would not give a whole page; htmx headers would give a fragment.
    environ = {key: value for key, value in request.environ.items()
               if not key.startswith(("werkzeug.", "flask.", "HTTP_HX_", "HTTP_IF_"))
               and key not in {"REQUEST_URI", "RAW_URI", "HTTP_RANGE", "HTTP_ACCEPT_ENCODING", "CONTENT_TYPE"}}
    environ.update({
        "PATH_INFO": f"/{language_tag(lang)}/{rest}",
        "QUERY_STRING": parts.query,
        "REQUEST_METHOD": "GET",
        "CONTENT_LENGTH": "0",
        "wsgi.input": BytesIO(),
        _HANDOVER: handover,
    })
    return environ


class PortalSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session; a second rendering takes the session of the request it renders for.

    A stateless view's answer never carries the session cookie, whatever the view or a hook put in the session.
    """

    def open_session(self, app: Flask, request):
        handover = request.environ.get(_HANDOVER)
        if handover is not None:
            return self.session_class(copy.deepcopy(handover.data))
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()  # most requests: no signing key to derive, nothing to verify
        verified = request.environ.get(VERIFIED_SESSION)
        return self.session_class(verified if verified is not None else self.verified_data(app, cookie) or {})

    def verified_data(self, app: Flask, cookie: str) -> dict | None:
        """Return what a session cookie holds when its signature verifies and it is not too old, or None."""
        try:
            data = self.get_signing_serializer(app).loads(cookie,
                                                          max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def save_session(self, app: Flask, session, response) -> None:
        if is_stateless():
            return
        handover = request.environ.get(_HANDOVER)
        if handover is not None:
            # No cookie: the answer is read by the waiting request, which keeps what changed.
            if session.modified:
                handover.changed = dict(session)
            return
        super().save_session(app, session, response)


@limiter.request_filter
def _second_rendering_is_free() -> bool:
    # The visitor's own request was counted; a page shown in two languages counts once.
    return is_second_rendering()


def init_app(app: Flask) -> None:
    """Let a page be rendered once more for another request, with that request's session."""
    app.session_interface = PortalSessionInterface()
