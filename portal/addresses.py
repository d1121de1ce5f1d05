"""The portal's address as clients reach it, for links that leave the browser (letters, passes, mail, QR codes),
and the local addresses a form may send a visitor back to."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def public_base() -> str:
    """Return the configured public address, else the first trusted host's; '' when neither is set."""
    settings = current_app.config["PORTAL"]
    if settings["public_url"]:
        return settings["public_url"]
    hosts = [host for host in settings["trusted_hosts"] if not host.startswith(".")]
    return f"{'https' if settings['https'] else 'http'}://{hosts[0]}" if hosts else ""


def public_url_for(endpoint: str, **values) -> str:
    """Return a page's address as clients reach it, with or without a request (a command, a job)."""
    base = public_base()
    if not base:
        if not has_request_context():
            raise RuntimeError("set public_url (or trusted_hosts) so that links made outside a request have a host")
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def current_path() -> str:
    """Return this request's path and query under the portal's path prefix: an address to come back to."""
    query = request.query_string.decode(errors="replace")
    return request.script_root + request.path + (f"?{query}" if query else "")


def local_path(target: str | None) -> str | None:
    """Return target when it is a path on this site (a page to go back to), else None."""
    if not target:
        return None
    parts = urlsplit(target)
    # Browsers read a backslash as a slash, so "/\evil.example" would leave the site.
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(char) < 32 for char in target):
        return None
    return target
