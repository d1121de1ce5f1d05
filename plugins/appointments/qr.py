"""The address in the invitation letter's QR code: it opens the lookup with the reference filled in."""

from __future__ import annotations

from portal import toolkit


def lookup_url(reference: str, lang: str) -> str:
    """Return the absolute address of the lookup in a language, with the reference (never the birth date)."""
    return toolkit.public_url_for("appointments.lookup", lang=lang, ref=reference)

