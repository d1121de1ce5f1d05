"""The address in the invitation letter's QR code: it opens the lookup with the reference filled in."""

from __future__ import annotations

from flask import url_for


def lookup_url(reference: str, lang: str) -> str:
    """Return the absolute address of the lookup in a language, with the reference (never the birth date)."""
    return url_for("appointments.lookup", lang=lang, ref=reference, _external=True)

