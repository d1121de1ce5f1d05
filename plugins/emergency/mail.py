"""The e-mail that brings an emergency request to the office, queued in the core's outbox with the request."""

from __future__ import annotations

from flask_babel import force_locale, format_datetime

from portal import toolkit
from portal.toolkit import _

from .labels import category_label, readable_address, reply_language
from .models import EmergencyRequest


def recipient() -> str:
    """Return the emergency address the requests go to."""
    return toolkit.plugin_settings("emergency")["recipient"] or toolkit.portal_settings()["office"]["emergency_email"]


def compose(request: EmergencyRequest) -> tuple[str, str]:
    """Return the subject and text of the e-mail for the staff, in the language they work in."""
    with force_locale(toolkit.source_language()):
        subject = _("Notfall-Anfrage %(number)s: %(category)s", number=request.confirmation,
                    category=category_label(request.category))
        # Shown on the office's clock, named by its zone, so nobody reads it as another zone's time.
        received = f"{format_datetime(request.created_at, 'short')} ({toolkit.office_zone().key})"
        lines = [
            _("Eine Notfall-Anfrage ist über das Portal eingegangen."),
            "",
            f"{_('Bestätigungsnummer')}: {request.confirmation}",
            f"{_('Eingegangen')}: {received}",
            f"{_('Worum es geht')}: {category_label(request.category)}",
            f"{_('Aktenzeichen oder Nummer des Aufenthaltstitels')}: {request.reference or '–'}",
            f"{_('Bevorzugte Sprache')}: {reply_language(request, toolkit.source_language())}",
            # Reply-To carries the address in IDNA form for mail programs; the text shows the domain people know.
            f"{_('E-Mail')}: {readable_address(request.contact_email) or '–'}",
            f"{_('Telefon')}: {request.contact_phone or '–'}",
            "",
            _("Anliegen") + ":",
            request.matter,
            "",
            _("Im Mitarbeiterbereich des Portals finden Sie die Anfrage unter ihrer Bestätigungsnummer."),
        ]
    return subject, "\n".join(lines)


def queue(request: EmergencyRequest) -> toolkit.MailMessage:
    """Queue a request's e-mail to the emergency address (committed with the request); the client is Reply-To."""
    subject, body = compose(request)
    request.mail = toolkit.queue_mail(recipient(), subject, body, reply_to=request.contact_email,
                                      plugin="emergency", idstring=request.confirmation)
    return request.mail
