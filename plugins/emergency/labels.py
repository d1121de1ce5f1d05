"""Translated names of categories, states and delivery states."""

from __future__ import annotations

from portal import toolkit
from portal.toolkit import _

from .models import CATEGORIES, OTHER_LANGUAGE, EmergencyRequest


def category_label(category: str) -> str:
    """Return a category's translated name."""
    return {"permit": _("Aufenthaltstitel läuft in den nächsten Tagen ab"),
            "work": _("Eine Arbeitsstelle beginnt bald"),
            "travel": _("Dringende Reise"),
            "lost": _("Dokumente verloren oder gestohlen"),
            "other": _("Anderes dringendes Anliegen")}[category]


def category_choices() -> list[tuple[str, str]]:
    """Return the categories with their translated names, in the form's order."""
    return [(code, category_label(code)) for code in CATEGORIES]


def reply_language(request: EmergencyRequest) -> str:
    """Return the language a client asked to be answered in, as staff read it."""
    if request.language == OTHER_LANGUAGE:
        # The client's own words, maybe right to left: isolated, in the staff page and in the plain-text mail alike.
        return _("andere Sprache: %(language)s", language=toolkit.isolate(request.other_language))
    return f"{toolkit.language_name(request.language)} ({request.language})"


def state_label(state: str) -> str:
    """Return a request state's translated name."""
    return {"new": _("neu"), "in_progress": _("in Bearbeitung"), "done": _("erledigt")}[state]


def delivery_label(status: str) -> str:
    """Return an outbox status's translated name."""
    return {"pending": _("wartet auf Zustellung"), "sending": _("wird gesendet"), "sent": _("zugestellt"),
            "failed": _("Zustellung gescheitert")}[status]
