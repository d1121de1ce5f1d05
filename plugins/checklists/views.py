"""Public pages: all checklists, one checklist with its questions, and the bilingual print view."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import force_locale
from markupsafe import Markup

from portal import toolkit

from .checklist import (
    answers_query,
    find_service,
    group_items,
    published_services,
    questions_by_key,
    read_answers,
    shown_text,
    used_questions,
    uses_fallback,
)

bp = toolkit.public_blueprint("checklists", __name__)

# Reading a checklist is cheap, and many visitors share one address in the office's waiting area.
PAGE_LIMIT = "600 per minute"


@bp.route("/")
def index():
    services = [(service, shown_text(service.content, "title"), shown_text(service.content, "summary"))
                for service in published_services()]
    fallback = any(uses_fallback(title, summary) for _service, title, summary in services)
    return render_template("checklists/index.html", services=services, fallback=fallback)


def _checklist_context(slug: str) -> dict | None:
    service = find_service(slug)
    if service is None:
        return None
    questions = questions_by_key()
    asked = used_questions(service.content, questions)
    answers = read_answers(request.args, asked)
    return {"service": service, "questions": questions, "asked": asked, "answers": answers,
            "query": answers_query(answers)}


@bp.route("/<slug>")
@toolkit.limiter.limit(toolkit.client_limit(PAGE_LIMIT))
def checklist(slug: str):
    context = _checklist_context(slug)
    if context is None:
        return toolkit.render_error(404)
    content = context["service"].content
    title = shown_text(content, "title")
    summary = shown_text(content, "summary")
    questions = [(question, shown_text(question.texts(), "text")) for question in context["asked"]]
    groups = group_items(content, context["questions"], context["answers"])
    fallback = uses_fallback(title, summary, *groups, *(text for _question, text in questions))
    share_url = url_for("checklists.checklist", slug=slug, _external=True, **context["query"])
    return render_template("checklists/checklist.html", title=title, summary=summary, asked_texts=questions,
                           groups=groups, fallback=fallback, share_url=share_url, **context)


@bp.route("/<slug>/print")
@toolkit.limiter.limit(toolkit.client_limit(PAGE_LIMIT))
def print_view(slug: str):
    context = _checklist_context(slug)
    if context is None:
        return toolkit.render_error(404)
    content = context["service"].content
    lang = toolkit.current_language()
    # Answered "no" leaves a group out of the printout; unanswered groups stay, marked by their condition.
    languages = [toolkit.source_language()] + ([lang] if lang != toolkit.source_language() else [])
    columns = {code: group_items(content, context["questions"], context["answers"], code) for code in languages}
    rows = []
    for index, group in enumerate(columns[toolkit.source_language()]):
        if group.hidden:
            continue
        rows.append({"group": [columns[code][index] for code in languages],
                     "items": [[columns[code][index].items[position] for code in languages]
                               for position in range(len(group.items))]})
    titles = [shown_text(content, "title", code) for code in languages]
    return render_template("checklists/print.html", languages=languages, rows=rows, titles=titles,
                           labels=_column_labels(languages), **context)


def _column_labels(languages: list[str]) -> dict[str, dict[str, str]]:
    """Translate the print view's fixed labels into the language of each column."""
    labels = {}
    for code in languages:
        with force_locale(code):
            labels[code] = {"everyone": toolkit._("Das brauchen alle"),
                            "example": toolkit._("Beispiel – bitte beim Amt erfragen")}
    return labels


@toolkit.content_cached
def service_box(slug: str) -> Markup | None:
    """Render the compact box that leads from another plugin's page to a service's checklist."""
    # Kept per language and slug until a staff save: it shows the service's checklist, nothing of the visitor.
    service = find_service(slug)
    if service is None:
        return None
    content = service.content
    return Markup(render_template("checklists/_service_box.html", service=service,
                                  title=shown_text(content, "title"),
                                  always=sum(1 for item in content["items"] if not item.get("condition")),
                                  conditional=sum(1 for item in content["items"] if item.get("condition"))))


@bp.route("/leicht")
def easy():
    """Say in Leichte Sprache what every visit needs, and link each service's checklist by its German title."""
    services = [(service.slug, toolkit.pick_translation(service.content["title"], toolkit.EASY_LANGUAGE))
                for service in published_services()]
    return render_template("checklists/easy.html", easy=toolkit.easy_text("checklists", "mitbringen"),
                           services=[(slug, title.value) for slug, title in services if title])
