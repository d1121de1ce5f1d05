"""Security headers on every answer; small request bodies except for file uploads."""

from flask import Flask, current_app, request

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
