"""Public pages: the list of notices, one notice, the Atom feed, and the banner and home page parts."""

from __future__ import annotations

from flask import Response, abort, render_template
from markupsafe import Markup

from portal import toolkit

from .feed import atom_feed
from .models import CATEGORIES, PRIORITIES
from .queries import localize, localize_all, published_notices, visible_notice, visible_now, visible_query

bp = toolkit.public_blueprint("notices", __name__)


def _settings() -> dict:
    return toolkit.plugin_settings("notices")


@bp.app_context_processor
def _labels():
    return {"notices_categories": CATEGORIES, "notices_priorities": PRIORITIES,
            "notices_markdown": toolkit.render_markdown}


@bp.route("/")
def index():
    page = toolkit.paginate(visible_query(toolkit.utcnow()), _settings()["page_size"])
    return render_template("notices/list.html", items=localize_all(page.items), page=page)


@bp.route("/<int:notice_id>")
def detail(notice_id: int):
    notice = visible_notice(notice_id, toolkit.utcnow())
    item = localize(notice) if notice else None
    if item is None:
        abort(404)
    return render_template("notices/detail.html", item=item)


@bp.route("/feed.atom")
def feed():
    now = toolkit.utcnow()
    notices = toolkit.session().scalars(visible_query(now).limit(_settings()["feed_size"])).all()
    return Response(atom_feed(localize_all(notices), now), content_type="application/atom+xml; charset=utf-8")


@toolkit.content_cached
def render_head() -> Markup:
    """Link the notices' small stylesheet on every page, since banner and home parts appear everywhere."""
    return Markup(render_template("notices/_head.html"))


def render_banner() -> Markup | None:
    """Render the urgent notices for the top of every public page, or nothing."""
    shown = visible_now(toolkit.utcnow(), priority="urgent")
    return _render_kept("notices/_banner.html", tuple(notice.id for notice in shown)) if shown else None


def render_home_section() -> Markup | None:
    """Render the newest notices for the home page, or nothing."""
    shown = visible_now(toolkit.utcnow(), limit=_settings()["home_count"])
    return _render_kept("notices/_home.html", tuple(notice.id for notice in shown)) if shown else None


@toolkit.content_cached
def _render_kept(template: str, notice_ids: tuple[int, ...]) -> Markup | None:
    # Rendered (Markdown included) once per language and set of notices shown, until the content changes.
    kept = {notice.id: notice for notice in published_notices()}
    items = localize_all(kept[notice_id] for notice_id in notice_ids)
    return Markup(render_template(template, items=items)) if items else None
