"""Security headers; small bodies except where a view takes uploads; no NUL characters; bounded integers; LF lines."""

from flask import Flask, Request, abort, current_app, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

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


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)
HTTPS_HEADERS = (("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),)


def security_headers(https: bool) -> tuple[tuple[str, str], ...]:
    """Return the headers every answer carries (also those given before Flask's pipeline, portal/live.py)."""
    return SECURITY_HEADERS + HTTPS_HEADERS if https else SECURITY_HEADERS


def init_app(app: Flask) -> None:
    """Add the headers after every request."""

    @app.after_request
    def _security_headers(response):
        # A view's own value wins. One pass over the answer's headers: setdefault would scan them once per name.
        present = {name.lower() for name in response.headers.keys()}
        headers = security_headers(current_app.config["PORTAL"]["https"])
        response.headers.extend([(name, value) for name, value in headers if name.lower() not in present])
        return response


def accepts_uploads(view):
    """Let a view receive bodies up to MAX_CONTENT_LENGTH (file uploads); every other view gets small ones."""
    view.accepts_uploads = True
    return view


def limit_request_bodies(app: Flask) -> None:
    """Allow MAX_CONTENT_LENGTH only to views marked with accepts_uploads; all others get MAX_FORM_MEMORY_SIZE.

    Werkzeug reads a URL-encoded form or a JSON body into memory whole, and a
    multipart body to its end, so a 20 MB body to a public form would tie up a
    worker. Registered before the CSRF check, which is the first to read the body.
    """

    @app.before_request
    def _limit_body():
        view = app.view_functions.get(request.endpoint)
        if not getattr(view, "accepts_uploads", False):
            request.max_content_length = current_app.config["MAX_FORM_MEMORY_SIZE"]


def _contains_nul(value) -> bool:
    """Tell whether a string anywhere in a (JSON) value holds a NUL; walks without recursion, so depth is harmless."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def _json_body():
    """Return the request's JSON, None when it is not JSON; a body nested too deep to parse is a bad request."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400)


def refuse_nul_characters(app: Flask) -> None:
    """Answer 400 to a request whose address, query, form, file names or JSON hold a NUL character.

    Nobody types one, and PostgreSQL refuses to compare or store it, which
    would otherwise surface as a server error wherever a plugin queries the value.
    """

    @app.before_request
    def _refuse_nul():
        if _contains_nul(request.path) or _contains_nul(list(request.args.items(multi=True))):
            abort(400)
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            names = [upload.filename or "" for upload in request.files.values()]
            if _contains_nul(list(request.form.items(multi=True))) or _contains_nul(names):
                abort(400)
        elif request.is_json and _contains_nul(_json_body()):
            abort(400)


# Every id column is an SQL INTEGER, which PostgreSQL keeps in 32 bits; larger numbers cannot name a row.
LARGEST_DATABASE_INTEGER = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    """Match `<int:…>` route parts only up to the largest database integer, so a huge id is a 404."""

    def __init__(self, map, *args, max=LARGEST_DATABASE_INTEGER, **kwargs):  # noqa: A002 - Werkzeug's names
        super().__init__(map, *args, max=min(max, LARGEST_DATABASE_INTEGER), **kwargs)


class BoundedParameters(ImmutableMultiDict):
    """Query and form values where `get(…, type=int)` treats a number beyond the database's range as invalid."""

    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's names
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and abs(value) > LARGEST_DATABASE_INTEGER:
            return default
        return value


class PortalRequest(Request):
    """A request whose integer parameters stay within what the database can compare, and whose lines end in LF."""

    parameter_storage_class = BoundedParameters

    def _load_form_data(self) -> None:
        super()._load_form_data()
        # A browser sends each line break of a text area as CR LF but counts it as one character against the box's
        # maxlength: read as it was counted, a text the box accepted is never refused as too long by Length(max=…).
        form = self.__dict__["form"]
        if any("\r" in value for _name, value in form.items(multi=True)):
            self.__dict__["form"] = self.parameter_storage_class(
                (name, value.replace("\r\n", "\n")) for name, value in form.items(multi=True))


def bound_integers(app: Flask) -> None:
    """Keep integers from addresses, queries and forms within the database's range; call before routes exist."""
    app.request_class = PortalRequest
    app.url_map.converters["int"] = DatabaseIntegerConverter
