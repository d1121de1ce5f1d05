"""Read a rendered page just enough to cut its content into blocks and to rewrite attributes of tags.

The standard library's tokenizer gives each tag with its position; nothing is re-serialized
except the start tags that are changed, so the rest of the markup passes through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                           "source", "track", "wbr"})
_BLOCK_ELEMENTS = frozenset({"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
                             "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main",
                             "nav", "ol", "p", "pre", "section", "table", "ul"})
# Elements whose end tag HTML lets authors leave out, and the start tags that end them.
_ENDED_BY = {"p": _BLOCK_ELEMENTS, "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"},
             "option": {"option", "optgroup"}, "tr": {"tr"}, "td": {"td", "th", "tr"}, "th": {"td", "th", "tr"}}


class MarkupError(ValueError):
    """The page cannot be cut into blocks safely."""


@dataclass(frozen=True)
class Tag:
    """A start tag, with where it stands in the text."""

    name: str
    attrs: tuple[tuple[str, str | None], ...]
    start: int
    end: int
    void: bool

    def get(self, name: str) -> str | None:
        """Return an attribute's value (None when it is missing)."""
        return next((value for key, value in self.attrs if key == name), None)

    def has(self, name: str) -> bool:
        """Tell whether the tag has an attribute, with or without a value."""
        return any(key == name for key, _value in self.attrs)

    @property
    def classes(self) -> list[str]:
        return (self.get("class") or "").split()


@dataclass(frozen=True)
class EndTag:
    """An end tag, with where it stands in the text."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Text:
    """A run of text (or a character reference) and whether it holds anything but white space."""

    start: int
    blank: bool


Token = Tag | EndTag | Text


class _Tokenizer(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
        self.tokens: list[Token] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        self.tokens.append(Tag(tag, tuple(attrs), start, start + len(self.get_starttag_text()),
                               tag in VOID_ELEMENTS))

    def handle_startendtag(self, tag, attrs):
        start = self._offset()
        self.tokens.append(Tag(tag, tuple(attrs), start, start + len(self.get_starttag_text()), True))

    def handle_endtag(self, tag):
        start = self._offset()
        end = self.html.find(">", start)
        self.tokens.append(EndTag(tag, start, len(self.html) if end < 0 else end + 1))

    def handle_data(self, data):
        self.tokens.append(Text(self._offset(), not data.strip()))

    def handle_entityref(self, name):
        self.tokens.append(Text(self._offset(), False))

    def handle_charref(self, name):
        self.tokens.append(Text(self._offset(), False))


def tokenize(html: str) -> list[Token]:
    """Return the tags and text runs of an HTML text, in order."""
    tokenizer = _Tokenizer(html)
    tokenizer.feed(html)
    tokenizer.close()
    return tokenizer.tokens


@dataclass(frozen=True)
class Page:
    """A page cut around the element that holds its blocks (marked ``data-blocks``)."""

    before: str
    container: Tag
    content: str
    after: str


def split_page(html: str) -> Page:
    """Cut a page into what comes before its blocks' container, the container's start tag, its content, the rest."""
    tokens = tokenize(html)
    opening = next((t for t in tokens if isinstance(t, Tag) and t.has("data-blocks")), None)
    if opening is None or opening.void:
        raise MarkupError("the page marks no element with data-blocks")
    depth = 0
    for token in tokens[tokens.index(opening) + 1:]:
        if isinstance(token, Tag) and token.name == opening.name and not token.void:
            depth += 1
        elif isinstance(token, EndTag) and token.name == opening.name:
            if depth == 0:
                return Page(html[:opening.start], opening, html[opening.end:token.start], html[token.start:])
            depth -= 1
    raise MarkupError("the element marked data-blocks is not closed")


@dataclass(frozen=True)
class Block:
    """One top-level piece of a page's main content: an element, or a run of bare text."""

    html: str
    root: Tag | None

    @property
    def once(self) -> bool:
        """Tell whether the block belongs to this answer alone (``data-block-once``), not to a language."""
        return self.root is not None and self.root.has("data-block-once")

    @property
    def unseen(self) -> bool:
        """Tell whether the block is for screen readers only (``visually-hidden``): nothing to set side by side."""
        return self.root is not None and "visually-hidden" in self.root.classes

    @property
    def signature(self) -> str:
        """Return what identifies the block across languages: element, id, classes, data-block."""
        if self.root is None:
            return "#text"
        root = self.root
        return "|".join([root.name, root.get("id") or "", " ".join(sorted(root.classes)),
                         root.get("data-block") or ""])


def top_level_blocks(content: str) -> list[Block]:
    """Cut the inside of an element into its top-level children (white space and comments between them dropped)."""
    blocks: list[Block] = []
    open_elements: list[str] = []
    root: Tag | None = None
    text_start: int | None = None
    for token in tokenize(content):
        if isinstance(token, Text):
            if not open_elements and not token.blank and text_start is None:
                text_start = token.start
            continue
        if not open_elements and text_start is not None:
            blocks.append(Block(content[text_start:token.start], None))
            text_start = None
        if isinstance(token, Tag):
            while open_elements and token.name in _ENDED_BY.get(open_elements[-1], ()):
                open_elements.pop()
                if not open_elements:
                    blocks.append(Block(content[root.start:token.start], root))
            if not open_elements:
                root = token
                if token.void:
                    blocks.append(Block(content[token.start:token.end], token))
            if not token.void:
                open_elements.append(token.name)
        elif token.name in open_elements:
            while open_elements.pop() != token.name:
                pass
            if not open_elements:
                blocks.append(Block(content[root.start:token.end], root))
    if open_elements:
        blocks.append(Block(content[root.start:], root))
    if text_start is not None:
        blocks.append(Block(content[text_start:], None))
    return blocks


def start_tag(name: str, attrs: list[tuple[str, str | None]] | tuple[tuple[str, str | None], ...]) -> str:
    """Write a start tag with escaped attribute values."""
    parts = [name] + [key if value is None else f'{key}="{escape(value, quote=True)}"' for key, value in attrs]
    return "<" + " ".join(parts) + ">"


def rewrite_start_tags(html: str, rewrite: Callable[[Tag], str | None]) -> str:
    """Return the HTML with each start tag replaced by what `rewrite` returns for it (None keeps it)."""
    pieces: list[str] = []
    position = 0
    for token in tokenize(html):
        if isinstance(token, Tag):
            replacement = rewrite(token)
            if replacement is not None:
                pieces += [html[position:token.start], replacement]
                position = token.end
    pieces.append(html[position:])
    return "".join(pieces)
