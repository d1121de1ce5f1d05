"""Security headers on every answer; small request bodies except for file uploads; no NUL characters."""

from flask import Flask, abort, current_app, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app: Flask) -> None:
    """Add the headers after every request."""

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if current_app.config["PORTAL"]["https"]:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response


def limit_request_bodies(app: Flask) -> None:
    """Allow MAX_CONTENT_LENGTH only to file uploads; forms and JSON get MAX_FORM_MEMORY_SIZE.

    Werkzeug reads a URL-encoded form or a JSON body into memory whole, so a
    20 MB body to a public form would tie up a worker. Registered before the
    CSRF check, which is the first to read the form.
    """

    @app.before_request
    def _limit_body():
        if request.mimetype != "multipart/form-data":
            request.max_content_length = current_app.config["MAX_FORM_MEMORY_SIZE"]


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


def refuse_nul_characters(app: Flask) -> None:
    """Answer 400 to a request whose address, query, form or JSON holds a NUL character.

    Nobody types one, and PostgreSQL refuses to compare or store it, which
    would otherwise surface as a server error wherever a plugin queries the value.
    """

    @app.before_request
    def _refuse_nul():
        if _contains_nul(request.path) or _contains_nul(list(request.args.items(multi=True))):
            abort(400)
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if _contains_nul(list(request.form.items(multi=True))):
                abort(400)
        elif request.is_json and _contains_nul(request.get_json(silent=True)):
            abort(400)
