"""The pass where the appointments plugin asks for it: the invitation letter, the calendar file and the CSV export.

Each answer names the appointment by its public id only; without a valid
pass (none, revoked, or its key's file gone) it answers None and the
appointments plugin keeps what it shows without passes.
"""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from portal import toolkit

from .issuing import current_pass, current_passes, pass_address
from .passes import public_id_bytes, short_code


def letter_code(public_id: str | None) -> Markup | None:
    """Answer the letter's head: the QR code of the pass's address, 3 cm wide, and the short code."""
    code = current_pass(public_id) if public_id else None
    if code is None:
        return None
    address = pass_address(code)
    return Markup(render_template(
        "arrival/_letter_code.html", address=address, short_code=short_code(public_id_bytes(public_id)),
        qr=toolkit.qr_svg(address, toolkit._("QR-Code: Ihre Einlasskarte"), "arrival-letter__qr")))


def letter_text(public_id: str | None) -> Markup | None:
    """Answer a language's part of the letter: show the code at the door, with the short code in text."""
    if not public_id or current_pass(public_id) is None:
        return None
    return Markup(render_template("arrival/_letter_text.html", short_code=short_code(public_id_bytes(public_id))))


def client_address(public_id: str | None) -> str | None:
    """Answer the address a client opens for the appointment: the pass's page in the asking page's language."""
    code = current_pass(public_id) if public_id else None
    # Not the QR code's short /P/ address, which picks a language by the phone's settings: the calendar file was
    # made in the client's language and opens in it.
    return toolkit.public_url_for("arrival.pass_page", lang=toolkit.current_language(), code=code) if code else None


def export_columns(public_ids: list[str] | None) -> dict[str, dict[str, str]]:
    """Answer the CSV export's columns: the pass's address and short code per public id that has a valid pass."""
    passes = current_passes(list(public_ids or ()))
    return {
        "pass_address": {public_id: pass_address(code) for public_id, code in passes.items()},
        "short_code": {public_id: short_code(public_id_bytes(public_id)) for public_id in passes},
    }
