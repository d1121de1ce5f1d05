"""The core's public pages: language choice, home page, health check, theme."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask, Response, abort, current_app, jsonify, redirect, render_template, request, send_file, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import __version__
from .blueprints import PortalBlueprint
from .db import session as db_session
from .easy import easy_text
from .i18n import LANGUAGE_COOKIE, current_language, preferred_language
from .migrate import CORE, UPGRADE_COMMAND, schema_behind, version_table
from .pages import is_stateless
from .staff.auth import current_staff

bp = PortalBlueprint("core", __name__, kind="public")
ONE_YEAR = 365 * 24 * 3600


@bp.route("/")
def choose_language():
    response = redirect(url_for("core.home", lang=preferred_language()))
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.route("/<lang:lang>/")
def home():
    return render_template("home.html")


@bp.route("/healthz")
def healthz():
    """Report whether the application answers on a database migrated for it; details only to the server or staff."""
    behind = {}
    try:
        behind = schema_behind()
        if not behind:  # once the schema was found current the check asks nothing; this tells that the database answers
            db_session().execute(text(f"SELECT version_num FROM {version_table(CORE)}"))
        database = "ok"
    except Exception as exc:  # any failure means unhealthy; the reason goes to those who may see details
        db_session().rollback()
        database = f"unavailable: {exc.__class__.__name__}"
    healthy = database == "ok" and not behind
    body = {"status": "ok" if healthy else "degraded"}
    if _may_see_details(database == "ok"):
        body.update(version=__version__, database=database, plugins=current_app.config["PORTAL"]["plugins"])
        if database == "ok":
            body["schema"] = {"behind": behind, "run": UPGRADE_COMMAND} if behind else "current"
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503


def _may_see_details(database_answers: bool) -> bool:
    """Tell whether the caller may learn versions, plugins and errors: the machine itself or signed-in staff."""
    if request.remote_addr and ipaddress.ip_address(request.remote_addr).is_loopback:
        return True
    if not database_answers:
        return False
    try:
        return current_staff() is not None
    except SQLAlchemyError:  # the core's own tables need `db upgrade`: nobody's session can be checked
        db_session().rollback()
        return False


def theme_version() -> str:
    """Return a short hash of the theme colour, so its stylesheet can be cached for a year."""
    return hashlib.sha256(current_app.config["PORTAL"]["theme"]["colour"].encode()).hexdigest()[:10]


@bp.route("/theme.css")
def theme_css():
    colour = current_app.config["PORTAL"]["theme"]["colour"]
    response = Response(f":root{{--brand:{colour}}}\n", mimetype="text/css")
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


@bp.route("/theme/<version>/logo")
def theme_logo(version: str):
    """Serve the office's logo from the instance's theme folder, cached for a year under its content's hash."""
    logo = current_app.extensions["portal.theme_logo"]
    if logo is None or version != logo.version:
        abort(404)
    response = send_file(logo.path, max_age=ONE_YEAR)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    # An SVG opened at its own address must run nothing: it is an image, never a page of the site.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@dataclass(frozen=True)
class ThemeLogo:
    """The logo file and the hash of its content, which its address carries."""

    path: Path
    version: str


def _theme_logo(app: Flask) -> ThemeLogo | None:
    name = app.config["PORTAL"]["theme"]["logo"]
    if not name:
        return None
    path = Path(app.instance_path) / "theme" / name
    return ThemeLogo(path, hashlib.sha256(path.read_bytes()).hexdigest()[:10])


def theme_logo_url() -> str | None:
    """Return the logo's address, or None when the office has none."""
    logo = current_app.extensions["portal.theme_logo"]
    return url_for("core.theme_logo", version=logo.version) if logo else None


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


def init_app(app: Flask) -> None:
    """Register the core pages and remember the visitor's language choice."""
    app.register_blueprint(bp)
    app.extensions["portal.theme_logo"] = _theme_logo(app)
    app.jinja_env.globals.update(theme_version=theme_version, theme_logo_url=theme_logo_url)

    @app.after_request
    def _remember_language(response):
        rule = request.url_rule
        if rule is None or "lang" not in rule.arguments or is_stateless():
            return response
        lang = current_language()
        if request.cookies.get(LANGUAGE_COOKIE) != lang:
            response.set_cookie(LANGUAGE_COOKIE, lang, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                                secure=current_app.config["PORTAL"]["https"])
        return response


def _statement() -> dict:
    """Return the accessibility statement's settings and the date of its last review, None before the first."""
    settings = current_app.config["PORTAL"]["accessibility"]
    return {"statement": settings,
            "last_review": date.fromisoformat(settings["last_review"]) if settings["last_review"] else None}


@bp.route("/<lang:lang>/accessibility")
def accessibility():
    return render_template("accessibility.html", **_statement())


@bp.route("/<lang:lang>/easy-language")
def easy_language():
    """Explain the portal, its pages in Leichte Sprache and the accessibility statement, in German Leichte Sprache."""
    return render_template("easy_language.html", easy=easy_text("core", "start"), **_statement())


@bp.route("/<lang:lang>/sign-language")
def sign_language():
    return render_template("sign_language.html",
                           videos=current_app.config["PORTAL"]["accessibility"]["sign_language_videos"])
