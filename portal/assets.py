"""Static files of the core and plugins, fingerprinted so browsers may keep them for a year."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, abort, current_app, has_request_context, request, send_from_directory, url_for

ONE_YEAR = 365 * 24 * 3600
KEPT_ADDRESSES = 512


@cache
def _fingerprint(path: Path, _mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_folders(app: Flask) -> dict[str, Path]:
    """Return each owner's folder of static files: the core's and each enabled plugin's, by owner name."""
    return {"core": Path(app.static_folder)} | {
        plugin.name: plugin.static for plugin in app.extensions["portal.loaded_plugins"]}


def asset_url(owner: str, filename: str) -> str:
    """Return the address of a static file of the core ('core') or a plugin, with its content hash."""
    return current_app.extensions["portal.asset_url"](owner, filename)


def init_app(app: Flask) -> None:
    """Serve plugin static files and offer asset_url() to templates."""
    folders = static_folders(app)
    # Addresses by owner, file and path prefix: static files change with a release, which restarts the app; while
    # debugging, an edited file gets its new address at once.
    kept: dict[tuple[str, str, str], str] = {}

    def fingerprinted_url(owner: str, filename: str) -> str:
        """Return a static file's address with its content hash, for long caching."""
        key = (owner, filename, request.script_root if has_request_context() else "")
        address = kept.get(key)
        if address is None:
            path = folders[owner] / filename
            version = _fingerprint(path, path.stat().st_mtime)
            address = (url_for("static", filename=filename, v=version) if owner == "core"
                       else url_for("plugin_static", plugin=owner, filename=filename, v=version))
            if not app.debug:
                if len(kept) >= KEPT_ADDRESSES:  # a forged path prefix must not grow it without end
                    kept.clear()
                kept[key] = address
        return address

    @app.route("/static/<plugin>/<path:filename>", endpoint="plugin_static")
    def plugin_static(plugin: str, filename: str):
        if plugin not in folders or plugin == "core":
            abort(404)
        return send_from_directory(folders[plugin], filename)

    @app.after_request
    def _cache_fingerprinted(response):
        if request.endpoint in {"static", "plugin_static"} and response.status_code == 200:
            if "v" in request.args:
                response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
            else:
                response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    app.extensions["portal.asset_url"] = app.jinja_env.globals["asset_url"] = fingerprinted_url
