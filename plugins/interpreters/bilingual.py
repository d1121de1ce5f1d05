"""The side-by-side view: any public page in the language of its address and in a second one.

``?bilingual=ar`` on ``/de/…`` (or ``?bilingual=de`` on ``/ar/…``) asks for it. After the page
has been rendered as usual, the core renders the same address in the second language
(``toolkit.render_in_language``). The blocks of both pages (the children of the element marked
``data-blocks``) are then paired and shown side by side. Links, search forms and forms that send
something keep the view; a form whose answer has an address of its own
(``toolkit.set_result_address``) leads to that address side by side. Whatever goes wrong, the
visitor gets the ordinary page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import zip_longest
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, Response, render_template, request
from flask_babel import force_locale
from markupsafe import Markup, escape

from portal import toolkit

from .htmlblocks import Block, MarkupError, Tag, rewrite_start_tags, split_page, start_tag, top_level_blocks

PARAMETER = "bilingual"
# Attributes that name an element by its id, and those that hold a list of ids.
_ID_REFERENCES = ("id", "for", "list", "form", "aria-activedescendant", "aria-errormessage")
_ID_LIST_REFERENCES = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "aria-details", "headers")
_SELECTOR_REFERENCES = ("hx-target", "hx-indicator", "hx-select")
# htmx would swap an answer into one side only; without these attributes a form sends the whole page.
_HTMX_REQUESTS = frozenset(f"{prefix}hx-{verb}" for prefix in ("", "data-")
                           for verb in ("get", "post", "put", "patch", "delete", "boost"))
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
MISSING_NOTE = toolkit._l("Diesen Abschnitt gibt es in dieser Sprache nicht.")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LanguagePair:
    """The language of the page's address, and the language shown beside it."""

    page: str
    second: str

    def partner(self, lang: str) -> str:
        """Return the other language of the pair."""
        return self.second if lang == self.page else self.page


def partner_languages(page_lang: str) -> list[str]:
    """Return the languages that may stand beside a page: the source language beside any other, and the reverse."""
    office = toolkit.source_language()
    if page_lang != office:
        return [office]
    return [code for code in toolkit.enabled_languages() if code != office]


def requested_pair() -> LanguagePair | None:
    """Return the language pair this request asks for, or None for the ordinary page."""
    second = request.args.get(PARAMETER)
    if not second or not toolkit.is_public_page():
        return None
    page = toolkit.current_language()
    return LanguagePair(page, second) if second in partner_languages(page) else None


def with_parameter(address: str, second: str | None) -> str:
    """Return an address with the view's parameter set to `second` (None removes it)."""
    parts = urlsplit(address)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != PARAMETER]
    if second is not None:
        query.append((PARAMETER, second))
    return urlunsplit(parts._replace(query=urlencode(query)))


def shown_address() -> str:
    """Return the address of what this answer shows: the result address its view gave, else its own."""
    return toolkit.result_address() or toolkit.current_path()


def language_span(code: str) -> Markup:
    """Return a language's own name, marked up in that language."""
    return Markup("<span {}>{}</span>").format(toolkit.lang_attrs(code), toolkit.language_name(code))


def offers_switch() -> bool:
    """Tell whether this answer is a public page that can be shown side by side (a GET, or a form's result)."""
    return toolkit.is_public_page() and (request.method == "GET" or toolkit.result_address() is not None
                                          or requested_pair() is not None)


def hidden_fields(address: str) -> Markup:
    """Return hidden fields that carry an address's query, all but the view's parameter, through a GET form."""
    return Markup("").join(Markup('<input type="hidden" name="{}" value="{}">').format(key, value)
                           for key, value in parse_qsl(urlsplit(address).query, keep_blank_values=True)
                           if key != PARAMETER)


# What the switch (kept for every page, with stand-ins) and the bar show of their page, from the address it shows.
_PAGE_VALUES = {
    "single_url": lambda address: with_parameter(address, None),
    "partner_url": lambda address: with_parameter(address, partner_languages(toolkit.current_language())[0]),
    "action": lambda address: urlsplit(address).path,
    "hidden": hidden_fields,
}


def _stand_in(name: str) -> str:
    # Characters of Unicode's private use area, which markupsafe leaves as they are.
    return f"\ue000{name}\ue000"


def bar_context() -> dict:
    """Return what the bar above the side-by-side view needs to show on this page."""
    address = shown_address()
    return {"pair": requested_pair(), "partners": partner_languages(toolkit.current_language()),
            **{name: _PAGE_VALUES[name](address) for name in ("action", "hidden", "single_url")}}


def switch(out_of_band: bool = False) -> Markup:
    """Return the footer's switch of the side-by-side view for this page, kept per language with its address put in.

    out_of_band: sent with an htmx answer, to replace the switch of the page the answer is swapped into.
    """
    html = _kept_switch(requested_pair() is not None, out_of_band)
    address = shown_address()
    for name, value in _PAGE_VALUES.items():
        if _stand_in(name) in html:
            html = html.replace(_stand_in(name), escape(value(address)))
    return Markup(html)


@toolkit.content_cached
def _kept_switch(paired: bool, out_of_band: bool) -> str:
    # The same for every page of a language but for the stand-ins: rendered once, the fourteen options included.
    partners = partner_languages(toolkit.current_language())
    return render_template("interpreters/_bilingual_toggle.html", pair=paired, partners=partners,
                           out_of_band=out_of_band, partner_name=language_span(partners[0]) if partners else None,
                           **{name: Markup(_stand_in(name)) for name in _PAGE_VALUES})


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
    """Keep the side-by-side view when a link or a form of one side is followed."""

    def __init__(self, pair: LanguagePair, side_lang: str | None = None):
        self.pair = pair
        self.side_lang = side_lang or pair.page
        self.id_prefix = "" if self.side_lang == pair.page else f"bilingual-{self.side_lang}-"

    def keep_view(self, url: str, *, lang: str | None = None, with_parameter: bool = True) -> str | None:
        """Return the address of a public page of ours in `lang` (the page's) keeping the view, else None.

        Links of both sides lead to the page's language; the other side's language stands beside it.
        """
        parts = urlsplit(url)
        if not toolkit.is_public_page(url):
            return None
        root = request.script_root
        segments = parts.path[len(root):].split("/")
        # Addresses carry the BCP 47 tag (fa-AF), the pair the language code (fa_AF).
        if segments[1] not in (toolkit.language_tag(self.pair.page), toolkit.language_tag(self.pair.second)):
            return None
        target = lang or self.pair.page
        segments[1] = toolkit.language_tag(target)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PARAMETER]
        if with_parameter:
            query.append((PARAMETER, self.pair.partner(target)))
        return urlunsplit(("", "", root + "/".join(segments), urlencode(query), parts.fragment))

    def _prefixed(self, value: str) -> str:
        return self.id_prefix + value

    def rewrite(self, tag: Tag, *, forms: bool = True) -> str | None:
        attrs = [(key, value) for key, value in tag.attrs if not (forms and key in _HTMX_REQUESTS)]
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
        if tag.name == "form" and forms:
            attrs, extra = self._form(tag, attrs)
        if attrs == list(tag.attrs) and not extra:
            return None
        return start_tag(tag.name, attrs) + extra

    def _form(self, tag: Tag, attrs: list) -> tuple[list, str]:
        """Return a form's attributes and what follows its start tag, so that sending it keeps the view."""
        action = tag.get("action") or toolkit.current_path()
        if (tag.get("method") or "get").lower() == "get":
            # A GET form sends its fields as the query, so the parameter travels as a hidden field.
            kept = self.keep_view(action, with_parameter=False)
            if kept is None:
                return attrs, ""
            hidden = start_tag("input", [("type", "hidden"), ("name", PARAMETER), ("value", self.pair.second)])
            return self._with_action(attrs, kept), hidden
        # A form that sends something is answered in the language it was filled in, the other one beside it.
        kept = self.keep_view(action, lang=self.side_lang)
        return (self._with_action(attrs, kept), "") if kept is not None else (attrs, "")

    @staticmethod
    def _with_action(attrs: list, action: str) -> list:
        return [(key, value) for key, value in attrs if key != "action"] + [("action", action)]

    def _link(self, tag: Tag, href: str) -> str:
        if href.startswith("#"):
            return "#" + self._prefixed(href[1:]) if self.id_prefix and len(href) > 1 else href
        if tag.get("data-bilingual") is not None or tag.has("download"):
            return href
        if tag.get("hreflang") is not None:
            # A language switch leaves the side-by-side view: the visitor chose one language.
            return with_parameter(href, None)
        return self.keep_view(href) or href

    def side(self, block: Block | None) -> Side:
        """Return this side's half of a pair, or a note in its language when the block is missing."""
        if block is None:
            return Side(self.side_lang, None, in_language(self.side_lang, MISSING_NOTE))
        return Side(self.side_lang, Markup(rewrite_start_tags(block.html, self.rewrite)))


def compose(page_html: str, second_html: str, pair: LanguagePair) -> str:
    """Return the page with its blocks replaced by the paired blocks of both languages."""
    page = split_page(page_html)
    blocks = top_level_blocks(page.content)
    # A block of this answer alone, or one only screen readers hear (a live announcement), stands once, in the
    # page's language; paired, the second would show as an empty box under both language names.
    messages = [Markup(block.html) for block in blocks if block.once or block.unseen]
    blocks = [block for block in blocks if not (block.once or block.unseen)]
    second_blocks = [block for block in top_level_blocks(split_page(second_html).content)
                     if not (block.once or block.unseen)]
    if not blocks or not second_blocks:
        raise MarkupError("a rendering has no blocks")
    own, other = _Rewriter(pair), _Rewriter(pair, pair.second)
    pairs = [(own.side(first), other.side(second)) for first, second in align(blocks, second_blocks)]
    view = render_template("interpreters/_bilingual_view.html", pairs=pairs, messages=messages, **bar_context())
    container = page.container
    classes = " ".join(container.classes + ["interpreters-bilingual-main"])
    container_attrs = [(k, v) for k, v in container.attrs if k != "class"] + [("class", classes)]

    def outside_blocks(tag: Tag) -> str | None:
        return own.rewrite(tag, forms=False)

    return (rewrite_start_tags(page.before, outside_blocks) + start_tag(container.name, container_attrs) + view
            + rewrite_start_tags(page.after, outside_blocks))


def _composable(response: Response) -> bool:
    """Tell whether an answer is a whole page to show side by side: a page, or a form's answer to correct."""
    if response.mimetype != "text/html" or response.is_streamed:
        return False
    return response.status_code == 200 or (request.method != "GET" and 400 <= response.status_code < 500)


def _side_by_side(response: Response, pair: LanguagePair) -> Response:
    if request.method != "GET" and toolkit.result_address() is not None and response.status_code < 300:
        # The form's answer has an address of its own: show that, in both languages.
        response.status_code = 303
        response.headers["Location"] = with_parameter(toolkit.result_address(), pair.second)
        response.set_data(b"")
        return response
    if response.status_code in _REDIRECTS and "Location" in response.headers:
        kept = _Rewriter(pair).keep_view(response.headers["Location"])
        if kept is not None:
            response.headers["Location"] = kept
        return response
    if not _composable(response):
        return response
    try:
        # A form's answer stands beside the same page in the second language, as a GET: nothing is sent twice.
        second = toolkit.render_in_language(pair.second, with_parameter(toolkit.current_path(), None))
        composed = compose(response.get_data(as_text=True), second, pair)
    except Exception:
        log.exception("side-by-side view of %s failed; the page is shown in one language", request.full_path)
        return response
    response.set_data(composed)
    response.headers["Content-Language"] = f"{toolkit.language_tag(pair.page)}, {toolkit.language_tag(pair.second)}"
    return response


def _refresh_switch(response: Response) -> Response:
    """Point the switch in the footer at a form's result that htmx has just swapped into the page."""
    if toolkit.result_address() is None or response.status_code != 200 or response.mimetype != "text/html" \
            or not toolkit.is_public_page():
        return response
    response.set_data(response.get_data(as_text=True) + str(switch(out_of_band=True)))
    return response


def keep_side_by_side(response: Response) -> Response:
    """Show a public page side by side when its address asks for it, and keep the view across forms."""
    pair = requested_pair()
    if toolkit.is_htmx():
        return _refresh_switch(response) if pair is None else response
    return response if pair is None else _side_by_side(response, pair)


def init_app(app: Flask) -> None:
    """Offer the side-by-side view on every public page."""
    app.after_request(keep_side_by_side)
