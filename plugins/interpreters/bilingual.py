"""The side-by-side view: any public page in the language of its address and in a second one.

``?bilingual=ar`` on ``/de/…`` (or ``?bilingual=de`` on ``/ar/…``) asks for it. After the page
has been rendered as usual, the same address is rendered again in the second language through
the whole application, in a thread of its own so that nothing of this request (``g``, the
database session) is shared. The top-level blocks of both ``<main>`` elements are then paired
and shown side by side. Whatever goes wrong, the visitor gets the ordinary page.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from difflib import SequenceMatcher
from io import BytesIO
from itertools import zip_longest
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, Response, current_app, render_template, request, session
from flask_babel import force_locale
from markupsafe import Markup
from werkzeug.test import run_wsgi_app

from portal import toolkit

from .htmlblocks import Block, MarkupError, Tag, rewrite_start_tags, split_main, start_tag, top_level_blocks

PARAMETER = "bilingual"
RENDER_TIMEOUT_SECONDS = 10
# Attributes that name an element by its id, and those that hold a list of ids.
_ID_REFERENCES = ("id", "for", "list", "form", "aria-activedescendant", "aria-errormessage")
_ID_LIST_REFERENCES = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "aria-details", "headers")
_SELECTOR_REFERENCES = ("hx-target", "hx-indicator", "hx-select")
MISSING_NOTE = toolkit._l("Diesen Abschnitt gibt es in dieser Sprache nicht.")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LanguagePair:
    """The language of the page's address, and the language shown beside it."""

    page: str
    second: str


def is_public_page() -> bool:
    """Tell whether this request is for a public page under a language prefix."""
    rule, blueprint = request.url_rule, request.blueprint
    if rule is None or "lang" not in rule.arguments or blueprint is None:
        return False
    return blueprint != "staff" and not blueprint.endswith("_staff")


def partner_languages(page_lang: str) -> list[str]:
    """Return the languages that may stand beside a page: German beside any other, any other beside German."""
    office = toolkit.portal_settings()["default_language"]
    if page_lang != office:
        return [office]
    return [code for code in toolkit.enabled_languages() if code != office]


def requested_pair() -> LanguagePair | None:
    """Return the language pair this request asks for, or None for the ordinary page."""
    second = request.args.get(PARAMETER)
    if request.method != "GET" or not second or not is_public_page():
        return None
    page = toolkit.current_language()
    return LanguagePair(page, second) if second in partner_languages(page) else None


def page_url(**changes: str | None) -> str:
    """Return this page's address with query parameters changed (None removes one)."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key not in changes]
    query += [(key, value) for key, value in changes.items() if value is not None]
    encoded = urlencode(query)
    return request.script_root + request.path + (f"?{encoded}" if encoded else "")


def language_span(code: str) -> Markup:
    """Return a language's own name, marked up in that language."""
    return Markup("<span {}>{}</span>").format(toolkit.lang_attrs(code), toolkit.language_name(code))


def toggle_context() -> dict:
    """Return what the switch of the side-by-side view needs to show on this page."""
    partners = partner_languages(toolkit.current_language())
    return {
        "pair": requested_pair(),
        "partners": partners,
        "action": request.script_root + request.path,
        "kept_args": [(key, value) for key, value in request.args.items(multi=True) if key != PARAMETER],
        "single_url": page_url(**{PARAMETER: None}),
        "partner_url": page_url(**{PARAMETER: partners[0]}) if partners else None,
        "partner_name": language_span(partners[0]) if partners else None,
    }


# --- Rendering the page a second time ---------------------------------------------------------------

class SecondRenderingError(RuntimeError):
    """The page could not be rendered in the second language."""


def _cookie_header(app: Flask) -> str:
    """Return the request's cookies with the session as it is now, so a CSRF token made just now is valid."""
    name = app.config["SESSION_COOKIE_NAME"]
    raw = request.environ.get("HTTP_COOKIE", "")
    parts = [part.strip() for part in raw.split(";") if part.strip() and part.strip().split("=", 1)[0] != name]
    serializer = getattr(app.session_interface, "get_signing_serializer", lambda _app: None)(app)
    if serializer is None:
        return raw
    if session:
        parts.append(f"{name}={serializer.dumps(dict(session))}")
    return "; ".join(parts)


def _environ_for(app: Flask, pair: LanguagePair) -> dict:
    # Conditional and partial requests would not give a whole page; htmx headers would give a fragment.
    environ = {key: value for key, value in request.environ.items()
               if not key.startswith(("werkzeug.", "flask.", "HTTP_HX_", "HTTP_IF_"))
               and key not in {"REQUEST_URI", "RAW_URI", "HTTP_RANGE", "HTTP_ACCEPT_ENCODING"}}
    path = environ.get("PATH_INFO", "")
    prefix = f"/{pair.page}"
    if path != prefix and not path.startswith(prefix + "/"):
        raise SecondRenderingError(f"the address {path!r} does not start with its language")
    environ.update({
        "PATH_INFO": f"/{pair.second}{path[len(prefix):]}",
        "QUERY_STRING": urlencode([(k, v) for k, v in request.args.items(multi=True) if k != PARAMETER]),
        "REQUEST_METHOD": "GET",
        "CONTENT_LENGTH": "0",
        "wsgi.input": BytesIO(),
        "HTTP_COOKIE": _cookie_header(app),
    })
    environ.pop("CONTENT_TYPE", None)
    return environ


def render_in_language(pair: LanguagePair) -> str:
    """Render this address in the second language through the whole application; return its HTML."""
    app = current_app._get_current_object()
    environ = _environ_for(app, pair)
    outcome: dict = {}

    def run() -> None:
        try:
            body, status, headers = run_wsgi_app(app, environ, buffered=True)
            outcome.update(body=b"".join(body), status=status, content_type=headers.get("Content-Type", ""))
        except Exception as exc:  # handed to the waiting request, which logs it and shows the ordinary page
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="bilingual-view", daemon=True)
    worker.start()
    worker.join(RENDER_TIMEOUT_SECONDS)
    if worker.is_alive():
        raise SecondRenderingError(f"no answer within {RENDER_TIMEOUT_SECONDS} seconds")
    if "error" in outcome:
        raise SecondRenderingError("the page failed in the second language") from outcome["error"]
    if not outcome["status"].startswith("200") or not outcome["content_type"].startswith("text/html"):
        raise SecondRenderingError(f"the page answered {outcome['status']} ({outcome['content_type']})")
    return outcome["body"].decode("utf-8")


# --- Putting the two pages together -------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """One language's half of a pair of blocks."""

    lang: str
    html: Markup | None
    note: str | None = None

    @property
    def direction(self) -> str:
        return toolkit.text_direction(self.lang)

    @property
    def label(self) -> str:
        return toolkit.language_name(self.lang)


def align(first: list[Block], second: list[Block]) -> list[tuple[Block | None, Block | None]]:
    """Pair the blocks of two renderings by their signatures; a block without a partner gets None."""
    matcher = SequenceMatcher(None, [b.signature for b in first], [b.signature for b in second], autojunk=False)
    pairs: list[tuple[Block | None, Block | None]] = []
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation in ("equal", "replace"):
            pairs += zip_longest(first[a_start:a_end], second[b_start:b_end])
        elif operation == "delete":
            pairs += [(block, None) for block in first[a_start:a_end]]
        else:
            pairs += [(None, block) for block in second[b_start:b_end]]
    return pairs


def in_language(lang: str, message) -> str:
    """Return a lazily translated message in a given language."""
    with force_locale(lang):
        return str(message)


class _Rewriter:
    """Keep the side-by-side view when a link or search form of either side is followed."""

    def __init__(self, pair: LanguagePair, id_prefix: str = ""):
        self.pair = pair
        self.id_prefix = id_prefix
        self.script_root = request.script_root
        self.languages = set(toolkit.enabled_languages())

    def keep_view(self, url: str, *, with_parameter: bool = True) -> str | None:
        """Return the address of a public page of ours in the page language with the parameter, else None."""
        parts = urlsplit(url)
        path = parts.path
        if parts.scheme or parts.netloc or not path.startswith(self.script_root + "/"):
            return None
        segments = path[len(self.script_root):].split("/")
        if len(segments) < 2 or segments[1] not in (self.pair.page, self.pair.second) or \
                (len(segments) > 2 and segments[2] == "staff"):
            return None
        segments[1] = self.pair.page
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PARAMETER]
        if with_parameter:
            query.append((PARAMETER, self.pair.second))
        return urlunsplit(("", "", self.script_root + "/".join(segments), urlencode(query), parts.fragment))

    def _prefixed(self, value: str) -> str:
        return self.id_prefix + value

    def rewrite(self, tag: Tag, *, forms: bool = True) -> str | None:
        attrs = list(tag.attrs)
        extra = ""
        for index, (key, value) in enumerate(attrs):
            if value is None:
                continue
            if self.id_prefix and key in _ID_REFERENCES:
                attrs[index] = (key, self._prefixed(value))
            elif self.id_prefix and key in _ID_LIST_REFERENCES:
                attrs[index] = (key, " ".join(self._prefixed(part) for part in value.split()))
            elif self.id_prefix and key in _SELECTOR_REFERENCES and value.startswith("#"):
                attrs[index] = (key, "#" + self._prefixed(value[1:]))
            elif tag.name == "a" and key == "href":
                attrs[index] = (key, self._link(tag, value))
            elif tag.name == "form" and key == "action" and forms and self._is_get_form(tag):
                # A GET form sends its fields as the query, so the parameter travels as a hidden field.
                attrs[index] = (key, self.keep_view(value, with_parameter=False) or value)
        if tag.name == "form" and forms and self._is_get_form(tag) and \
                (tag.get("action") is None or self.keep_view(tag.get("action")) is not None):
            extra = start_tag("input", [("type", "hidden"), ("name", PARAMETER), ("value", self.pair.second)])
        if attrs == list(tag.attrs) and not extra:
            return None
        return start_tag(tag.name, attrs) + extra

    def _link(self, tag: Tag, href: str) -> str:
        if href.startswith("#"):
            return "#" + self._prefixed(href[1:]) if self.id_prefix and len(href) > 1 else href
        if tag.get("data-bilingual") is not None:
            return href
        if tag.get("hreflang") is not None:
            # A language switch leaves the side-by-side view: the visitor chose one language.
            parts = urlsplit(href)
            query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PARAMETER])
            return urlunsplit(parts._replace(query=query))
        return self.keep_view(href) or href

    @staticmethod
    def _is_get_form(tag: Tag) -> bool:
        return (tag.get("method") or "get").lower() == "get"

    def side(self, block: Block | None, lang: str) -> Side:
        """Return one language's half of a pair, or a note in that language when the block is missing."""
        if block is None:
            return Side(lang, None, in_language(lang, MISSING_NOTE))
        return Side(lang, Markup(rewrite_start_tags(block.html, self.rewrite)))


def compose(page_html: str, second_html: str, pair: LanguagePair) -> str:
    """Return the page with its main content replaced by the paired blocks of both languages."""
    page = split_main(page_html)
    blocks = top_level_blocks(page.content)
    messages = [Markup(block.html) for block in blocks if "flashes" in block.classes]
    blocks = [block for block in blocks if "flashes" not in block.classes]
    second_blocks = [block for block in top_level_blocks(split_main(second_html).content)
                     if "flashes" not in block.classes]
    if not blocks or not second_blocks:
        raise MarkupError("a rendering has no content in <main>")
    own = _Rewriter(pair)
    other = _Rewriter(pair, id_prefix=f"bilingual-{pair.second}-")
    pairs = [(own.side(first, pair.page), other.side(second, pair.second))
             for first, second in align(blocks, second_blocks)]
    view = render_template("interpreters/_bilingual_view.html", pairs=pairs, messages=messages, **toggle_context())
    main_classes = " ".join(page.main_tag.classes + ["bilingual-main"])
    main_attrs = [(k, v) for k, v in page.main_tag.attrs if k != "class"] + [("class", main_classes)]

    def outside_main(tag: Tag) -> str | None:
        return own.rewrite(tag, forms=False)

    return (rewrite_start_tags(page.before, outside_main) + start_tag("main", main_attrs) + view
            + rewrite_start_tags(page.after, outside_main))


def show_side_by_side(response: Response) -> Response:
    """Replace a public page by its side-by-side view when the address asks for one."""
    pair = requested_pair()
    if pair is None or response.status_code != 200 or response.mimetype != "text/html" \
            or response.is_streamed or toolkit.is_htmx():
        return response
    try:
        composed = compose(response.get_data(as_text=True), render_in_language(pair), pair)
    except Exception:
        log.exception("side-by-side view of %s failed; the page is shown in one language", request.full_path)
        return response
    response.set_data(composed)
    response.headers["Content-Language"] = f"{pair.page}, {pair.second}"
    return response


def init_app(app: Flask) -> None:
    """Offer the side-by-side view on every public page."""
    app.after_request(show_side_by_side)
