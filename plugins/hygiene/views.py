"""Public pages: every rule in force, the door poster, and the short summary other pages show."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import force_locale
from markupsafe import Markup

from portal import toolkit

from .forms import PosterForm
from .rules import PLACEHOLDER, fill_parameters, office_locations, rules_in_force, shown, shown_rules

bp = toolkit.public_blueprint("hygiene", __name__)

PAGE_LIMIT = "120 per minute"


def _by_location(entries: list) -> list[tuple[str, list]]:
    """Group shown rules by location, the rules for every location first."""
    groups: dict[str, list] = {}
    for entry in entries:
        groups.setdefault(entry.location, []).append(entry)
    return sorted(groups.items(), key=lambda group: (group[0] != "", group[0]))


@bp.route("/")
def index():
    entries = shown_rules(rules_in_force(toolkit.office_today()))
    return render_template("hygiene/index.html", groups=_by_location(entries),
                           fallback=any(entry.text.is_fallback for entry in entries),
                           several_locations=len(office_locations()) > 1)


def _poster_headings(languages: list[str]) -> dict[str, str]:
    """Translate the poster's heading into each language it shows."""
    headings = {}
    for code in languages:
        with force_locale(code):
            headings[code] = toolkit._("Bitte beachten Sie bei Ihrem Besuch")
    return headings


@bp.route("/poster")
@toolkit.limiter.limit(toolkit.client_limit(PAGE_LIMIT))
def poster():
    locations = office_locations()
    form = PosterForm(formdata=request.args if request.args else None)
    form.languages.choices = [(code, toolkit.language_name(code)) for code in toolkit.enabled_languages()
                              if code != toolkit.source_language()]
    form.location.choices = [("", toolkit._("Alle Standorte"))] + [(place, place) for place in locations]
    if not request.args and toolkit.current_language() != toolkit.source_language():
        # Opened in a reader's language: that language joins the source language until the form says otherwise.
        form.languages.data = [toolkit.current_language()]
    if len(locations) < 2:
        del form.location
    elif not request.args.get("location"):
        # An address without a location (a bookmark, say) means every location.
        form.location.data = ""
    if request.args and not form.validate():
        return render_template("hygiene/poster.html", form=form, rows=None, several_locations=len(locations) > 1), 422
    languages = [toolkit.source_language()] + list(form.languages.data or [])
    location = form.location.data or None if "location" in form else None
    rows = []
    for rule in rules_in_force(toolkit.office_today(), location):
        source = shown(rule, languages[0])
        # A missing translation, or one made for the rule's earlier words, is left out rather than repeating the
        # source language's line under another.
        current = rule.current_texts()
        others = [shown(rule, code) for code in languages[1:] if code in current]
        if source is not None:
            rows.append((source, others))
    return render_template("hygiene/poster.html", form=form, rows=rows, languages=languages,
                           headings=_poster_headings(languages), location=location,
                           several_locations=len(locations) > 1)


# The kinds of rule the door can see to as people come in; payment and the rest matter later, inside.
DOOR_KINDS = ("mask", "persons_per_room", "appointment_only", "distance")


def door_summary() -> Markup | None:
    """Render the rules in force that apply at the entrance, compact, for the door page beside the verdict."""
    entries = [entry for entry in shown_rules(rules_in_force(toolkit.office_today()))
               if entry.kind in DOOR_KINDS]
    if not entries:
        return None
    return Markup(render_template("hygiene/_door.html", entries=entries))


def summary(location: str | None) -> Markup | None:
    """Render the short list of rules in force, for one location when given, for another page's slot."""
    return _summary(location, toolkit.office_today())


@toolkit.content_cached
def _summary(location: str | None, today) -> Markup | None:
    # Rendered once per language, day and location until a staff save changes the content.
    entries = shown_rules(rules_in_force(today, location))
    if not entries:
        return None
    return Markup(render_template("hygiene/_summary.html", entries=entries, location=location,
                                  fallback=any(entry.text.is_fallback for entry in entries)))


def _easy_sentences(sentences: list[str], rule) -> list[str]:
    """Fill a kind's sentences with the rule's numbers in German; leave out a sentence whose number is not set."""
    filled = [fill_parameters(sentence, rule, toolkit.EASY_LANGUAGE) for sentence in sentences]
    return [sentence for sentence in filled if not PLACEHOLDER.search(sentence)]


@bp.route("/leicht")
def easy():
    """Show the rules in force in Leichte Sprache: for each rule, what its kind means, with its numbers."""
    text = toolkit.easy_text("hygiene", "regeln")
    rules = [{"kind": rule.kind, "location": rule.location,
              "text": _easy_sentences(text["kind"][rule.kind]["text"], rule),
              "heading": text["kind"][rule.kind]["heading"]}
             for rule in rules_in_force(toolkit.office_today())]
    return render_template("hygiene/easy.html", easy=text, rules=rules)
