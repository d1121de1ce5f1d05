"""What templates can call: plugin slots, navigation, tiles, language links, htmx partials."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from babel.dates import get_day_names
from babel.lists import format_list
from flask import Flask, current_app, g, render_template, request, url_for
from flask_babel import get_locale
from jinja2_fragments.flask import render_block
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from .content import as_written
from .easy import EASY_LANGUAGE, easy_standard
from .forms import error_links, has_refused_form
from .i18n import current_language, enabled_languages, language_name, language_tag, text_direction
from .keptforms import KeptForm
from .live import content_caches, kept_for_content
from .pages import is_public_page, result_address
from .plugins import call_robustly

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavItem:
    """A link in the public main navigation."""

    title: str
    endpoint: str
    order: int = 100


@dataclass(frozen=True)
class Tile:
    """A box on the home page that leads to a plugin's page."""

    title: str
    text: str
    endpoint: str
    order: int = 100
    endpoint_args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StaffMenuItem:
    """A link in the staff area, shown to accounts that have its role."""

    title: str
    endpoint: str
    role: str
    order: int = 100


def _manager():
    return current_app.extensions["portal.plugins"]


def _collect(hook_name: str) -> list:
    items = []
    for result in call_robustly(_manager(), hook_name):
        items.extend(result)
    return sorted(filter(_leads_somewhere, items), key=lambda item: item.order)


def _leads_somewhere(item) -> bool:
    """Tell whether a link's endpoint exists; one that does not is left out, so the page still renders."""
    if item.endpoint in current_app.view_functions:
        return True
    reported = current_app.extensions.setdefault("portal.dead_links", set())
    if item.endpoint not in reported:  # once per process: every page asks again, the log should not say it each time
        reported.add(item.endpoint)
        log.error("left out the link %r: no view has the endpoint %r", str(item.title), item.endpoint)
    return False


def slot(name: str, **context) -> Markup:
    """Render the plugins' answers to a declared slot, escaping any that is not Markup; failing ones are left out."""
    parts = current_app.extensions["portal.slots"].render(name, context)
    return Markup("\n").join(escape(part) for part in parts)


def slot_values(name: str, **context) -> list:
    """Return the plugins' answers to a declared slot as they are, without None and failing ones, for code to use."""
    return current_app.extensions["portal.slots"].render(name, context)


def nav_items() -> list[NavItem]:
    """Return the public navigation of all enabled plugins, in order."""
    return _collect("portal_navigation")


def home_tiles() -> list[Tile]:
    """Return the home page tiles of all enabled plugins, in order."""
    return _collect("portal_home_tiles")


def staff_menu(account) -> list[StaffMenuItem]:
    """Return the staff menu entries this account may use."""
    return [item for item in _collect("portal_staff_menu") if account.has_role(item.role)]


def language_links() -> list[dict]:
    """Return, for each enabled language, the current page's address in it (worked out once per request)."""
    if "language_links" not in g:
        g.language_links = _links(_page_address()[0])
    return g.language_links


def _page_address() -> tuple[Callable[[str], str], str | None]:
    """Return how the current page's address reads in a language, and what follows /<lang>/ in all of them."""
    if "page_address" not in g:
        g.page_address = _address_in_languages()
    return g.page_address


def _address_in_languages() -> tuple[Callable[[str], str], str | None]:
    """Return the page's address in a language, and its part after /<lang>/ (None when the language is elsewhere)."""
    answer = result_address() if request.method != "GET" else None
    if answer is not None:
        # A form's answer with an address of its own (a signed result page) switches to that answer.
        before, marker, answer_part = answer.partition(f"/{language_tag(current_language())}/")
        if marker and before == request.script_root:
            return (lambda code: f"{before}/{language_tag(code)}/{answer_part}"), answer_part
    endpoint = request.endpoint
    # A page answering its own form (with errors to correct, say) switches to the same page asked again.
    same_page = _is_a_page_in_languages()
    # The query string is copied as it came, never passed to url_for: its keys would be read as the page's
    # own arguments or as url_for's options (endpoint, _method, _external …).
    query = "?" + urlencode(list(request.args.items(multi=True)), safe="/") if same_page and request.args else ""
    endpoint, view_args = (endpoint, request.view_args or {}) if same_page else ("core.home", {})
    standard = easy_standard(endpoint)
    if standard is not None:
        # Leichte Sprache is German only: in any other language the switch leads to the page in everyday language.
        return (lambda code: url_for(endpoint, **{**view_args, "lang": code}) if code == EASY_LANGUAGE
                else url_for(standard, lang=code)), None
    # A page's address differs between languages only in its first segment, /<lang>/…: built once, not per
    # language; a rule that puts the language elsewhere gets its address built for each.
    current = current_language()
    address = url_for(endpoint, **{**view_args, "lang": current})
    before, marker, after = address.partition(f"/{language_tag(current)}/")
    if marker and before == request.script_root:
        page_part = after + query
        return (lambda code: f"{before}/{language_tag(code)}/{page_part}"), page_part
    return (lambda code: url_for(endpoint, **{**view_args, "lang": code}) + query), None


def _is_a_page_in_languages() -> bool:
    """Tell whether this request's address, asked with GET, shows a page in each language."""
    return bool(request.endpoint) and "GET" in request.url_rule.methods \
        and current_app.url_map.is_endpoint_expecting(request.endpoint, "lang")


def language_switch() -> KeptForm | None:
    """Return the form a public page answered with errors, for its language switch to carry, or None for links.

    Without it, the switch (a link) would ask for the page again and lose what the visitor typed: the switch's
    buttons send the form's fields to the same page in the other language instead, which shows them there with
    their errors and acts on nothing (Form.validate refuses the copy). Worked out once per answer, when its page
    is rendered (after the view's own checks).
    """
    if request.method != "POST":
        return None
    if "language_switch" not in g:
        refused = has_refused_form() and is_public_page() and _is_a_page_in_languages()
        g.language_switch = KeptForm.of_request() if refused else None
    return g.language_switch


def _links(address_in: Callable[[str], str]) -> list[dict]:
    links = []
    for code in enabled_languages():
        href = address_in(code)
        # Search engines want the alternates in <head> as full addresses; the switcher uses the short ones.
        links.append({"code": code, "tag": language_tag(code), "name": language_name(code), "href": href,
                      "dir": text_direction(code), "url": request.host_url.rstrip("/") + href})
    return links


# Stands in for the page's own part of its addresses in a kept fragment; markupsafe leaves it as it is.
_PAGE_PART = "\ue000page\ue000"
_kept_fragments: dict = {}
content_caches.append(_kept_fragments)
KEPT_FRAGMENTS = 1024


def kept_fragment(name: str, caller: Callable[[], str]) -> Markup:
    """Render a part of the page frame that shows nothing of the visitor once per page kind, language and content.

    For ``{% call kept_fragment(name) %}…{% endcall %}`` around parts that depend only on the language, the
    settings, the content version, the endpoint and the address root (the alternates, the header, the navigation,
    the footer): kept per process and shared by every visitor, with the page's own address put in per answer, so
    a personal address (a result page's token) is never kept. Messages the part lacks in the language still lead
    to the page's note.
    """
    page_part = _page_address()[1]
    if page_part is None or language_switch() is not None:
        # A switch that carries a form holds what the visitor typed: never kept.
        return Markup(caller())
    try:
        fragments = kept_for_content(_kept_fragments, KEPT_FRAGMENTS)
    except SQLAlchemyError:
        return Markup(caller())  # the database is away: error pages still get their frame
    # The alternates in <head> carry the host, the other parts none: kept per host like whole pages.
    key = (name, current_language(), request.endpoint, request.method == "GET", request.url_root)
    kept = fragments.get(key)
    if kept is None:
        kept = fragments[key] = _render_with_stand_in(caller)
    html, untranslated = kept
    if untranslated:
        g.setdefault("untranslated", set()).update(untranslated)
    return Markup(html.replace(_PAGE_PART, str(escape(page_part))))


def _render_with_stand_in(caller: Callable[[], str]) -> tuple[str, frozenset]:
    links, noted_before = language_links(), set(g.get("untranslated", ()))
    cut = len(_page_address()[1])
    g.language_links = [{**link, "href": link["href"][:len(link["href"]) - cut] + _PAGE_PART,
                         "url": link["url"][:len(link["url"]) - cut] + _PAGE_PART}
                        for link in links]
    try:
        html = str(caller())
    finally:
        g.language_links = links
    return html, frozenset(set(g.get("untranslated", ())) - noted_before)


def opening_hours() -> list[dict]:
    """Return the office's opening hours as day names and times for the current locale."""
    day_names = get_day_names("wide", locale=get_locale())
    rows = []
    for entry in current_app.config["PORTAL"]["office"]["opening_hours"]:
        rows.append({"days": format_list([day_names[d] for d in entry["weekdays"]], locale=get_locale()),
                     "opens": entry["opens"], "closes": entry["closes"]})
    return rows


def is_htmx() -> bool:
    """Tell whether the request came from htmx (and wants a fragment)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render_page(template: str, block: str | None = None, **context) -> str:
    """Render a whole page, or only `block` of it when htmx asked for a fragment."""
    if block and is_htmx():
        return render_block(template, block, **context)
    return render_template(template, **context)


def init_templating(app: Flask) -> None:
    """Offer the helpers to templates and mark htmx-dependent answers as varying."""
    app.jinja_env.globals.update(slot=slot, nav_items=nav_items, home_tiles=home_tiles,
                                 language_links=language_links, language_switch=language_switch,
                                 kept_fragment=kept_fragment,
                                 opening_hours=opening_hours, as_written=as_written,
                                 error_links=error_links)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _portal_context():
        settings = current_app.config["PORTAL"]
        return {"portal": settings, "office": settings["office"], "municipality": settings["municipality"]}

    @app.after_request
    def _vary_on_htmx(response):
        response.vary.add("HX-Request")
        return _refresh_language_list(response)


def _refresh_language_list(response):
    """Point the header's language list at a form's answer that htmx swaps into the page, when it has an address;
    after a public form's errors, make it the switch that carries the form's fields (as without script)."""
    if is_htmx() and (result_address() is not None or language_switch() is not None) \
            and response.status_code == 200 and response.mimetype == "text/html" and is_public_page():
        response.set_data(response.get_data(as_text=True) + render_template("_language_list.html", out_of_band=True))
    return response
