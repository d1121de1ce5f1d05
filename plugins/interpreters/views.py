"""Public pages: the initiative, the guide for mediators, the help times and the glossary."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template, request
from sqlalchemy import select

from portal import toolkit

from .glossary import search_terms
from .languages import language_list, name_in_page_language
from .models import GlossaryTerm
from .schedule import by_day, upcoming_help_times

bp = toolkit.public_blueprint("interpreters", __name__)

MAX_QUERY_LENGTH = 100
PREVIEW_HELP_TIMES = 3


def search_query() -> str:
    """Return the glossary search the address asks for, cut to a sensible length."""
    return request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class TermView:
    """A glossary term as one page shows it: the source language, and the visitor's language when there is one."""

    slug: str
    source: tuple[str, str] | None
    shown: toolkit.Translated

    @property
    def term(self) -> str:
        return self.shown.value[0]

    @property
    def explanation(self) -> str:
        return self.shown.value[1]


def term_view(term: GlossaryTerm) -> TermView:
    """Return how the current page shows a term."""
    versions = term.versions()
    return TermView(term.slug, versions.get(toolkit.source_language()), toolkit.pick_translation(versions))


def initiative() -> dict:
    """Return the initiative's name, contact and its text about itself in the visitor's language."""
    settings = toolkit.plugin_settings("interpreters")
    # Not translated, the name is written in the source language: pages show it with the core's source_name().
    return {**settings, "name": settings["initiative_name"],
            "about": toolkit.pick_translation(settings["initiative_about"])}


@bp.context_processor
def _page_helpers():
    return {"initiative": initiative(), "language_in_page": name_in_page_language, "language_list": language_list}


@bp.route("/")
def index():
    upcoming = upcoming_help_times(toolkit.session(), toolkit.utcnow(), limit=PREVIEW_HELP_TIMES)
    return render_template("interpreters/index.html", upcoming=upcoming)


@bp.route("/guide")
def guide():
    return render_template("interpreters/guide.html")


@bp.route("/schedule")
def schedule():
    days = by_day(upcoming_help_times(toolkit.session(), toolkit.utcnow()))
    return render_template("interpreters/schedule.html", days=days)


@bp.route("/glossary")
@toolkit.limiter.limit(toolkit.client_limit("60 per minute"))
def glossary():
    slug = request.args.get("term")
    if slug:
        return _one_term(slug)
    query = search_query()
    terms = [term_view(term) for term in search_terms(toolkit.session(), query)]
    return render_template("interpreters/glossary.html", query=query, terms=terms)


def _one_term(slug: str):
    """Show one term in every enabled language (a variant of the glossary page, so it can be shared)."""
    found = toolkit.session().scalar(select(GlossaryTerm).where(GlossaryTerm.slug == slug)) or abort(404)
    versions = found.versions()
    languages = [(code, versions.get(code)) for code in toolkit.enabled_languages()]
    return render_template("interpreters/term.html", term=term_view(found), languages=languages)
