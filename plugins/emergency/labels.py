"""How staff read a request: translated names of categories, states and delivery states, language and address."""

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


def reply_language(request: EmergencyRequest, reader: str) -> str:
    """Return a client's reply language named in `reader`'s language, then in its own: Arabisch (العربية)."""
    if request.language == OTHER_LANGUAGE:
        # The client's own words, maybe right to left: isolated, in the staff page and in the plain-text mail alike.
        return _("andere Sprache: %(language)s", language=toolkit.isolate(request.other_language))
    # Staff need a name they can read to find a colleague or mediator; the language's own name, which the mediator
    # knows, follows isolated, as it may run right to left.
    name = toolkit.language_name(request.language, reader)
    name = name[:1].upper() + name[1:]
    own = toolkit.language_name(request.language)
    return name if own.casefold() == name.casefold() else f"{name} ({toolkit.isolate(own)})"


def readable_address(address: str) -> str:
    """Return an e-mail address with an IDNA domain written as people read it: a@xn--bcher-kva.de is a@bücher.de."""
    # Browsers send an internationalised domain in IDNA form; staff should read the domain the client knows.
    local, at, domain = address.rpartition("@")
    try:
        return f"{local}@{domain.encode('ascii').decode('idna')}" if at else address
    except UnicodeError:
        # Not ASCII (already readable) or no valid IDNA: shown as the client gave it.
        return address


def state_label(state: str) -> str:
    """Return a request state's translated name."""
    return {"new": _("neu"), "in_progress": _("in Bearbeitung"), "done": _("erledigt")}[state]


def delivery_label(status: str) -> str:
    """Return an outbox status's translated name."""
    return {"pending": _("wartet auf Zustellung"), "sending": _("wird gesendet"), "sent": _("zugestellt"),
            "failed": _("Zustellung gescheitert")}[status]
