"""Letters to clients: the authoritative text in the source language and, after it, a translation."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup

from .i18n import source_language


@dataclass(frozen=True)
class LetterPart:
    """One language's part of a letter: its code, whether it is the translation, and its HTML."""

    lang: str
    translation: bool
    html: Markup


def render_letter(template: str, client_language: str | None = None, **context) -> list[LetterPart]:
    """Render a letter's part in the source language, then in the client's language unless it is the same."""
    source = source_language()
    languages = [source] + ([client_language] if client_language and client_language != source else [])
    parts = []
    for code in languages:
        with force_locale(code):
            html = render_template(template, letter_language=code, translation=code != source, **context)
        parts.append(LetterPart(code, code != source, Markup(html)))
    return parts
