"""Deliver emergency requests to the office by SMTP through the outbox table.

Each message goes through: pending -> sending (a lease) -> sent, or back to pending with a later
attempt time, or failed after the last attempt. A sender first claims a message with one conditional
UPDATE, so two senders (the attempt right after submission and the timer's command) never both send
it. It marks the message sent only after the mail server accepted it.

Delivery is exactly once as long as no sender dies between the server's acceptance and the commit of
"sent": that window is one small UPDATE. If a sender does die there, its lease runs out and the message
is sent again: at least once is the stronger promise for an emergency, since a lost request is worse
than a duplicate. The duplicate then carries the same Message-ID, so mail programs show it as one.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from flask_babel import force_locale, format_datetime
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from portal import toolkit
from portal.toolkit import _

from .labels import category_label
from .models import FAILED, PENDING, SENDING, SENT, EmergencyOutboxMessage, EmergencyRequest

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
# Longer than any SMTP conversation may take, so a living sender never loses its lease.
LEASE = timedelta(minutes=5)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def new_message_id(confirmation: str) -> str:
    """Return a globally unique Message-ID that names the request."""
    sender = toolkit.portal_settings()["mail"]["sender"]
    return make_msgid(idstring=confirmation, domain=sender.rpartition("@")[2] or "localhost")


def retry_delay(attempts: int, settings: dict) -> timedelta:
    """Return the wait before the next attempt: doubling from the base, capped at the maximum."""
    seconds = settings["retry_base_seconds"] * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings["retry_max_seconds"]))


def recipient() -> str:
    """Return the emergency address the requests go to."""
    return toolkit.plugin_settings("emergency")["recipient"] or toolkit.portal_settings()["office"]["emergency_email"]


def build_message(message: EmergencyOutboxMessage) -> EmailMessage:
    """Write the e-mail for the staff, in German, with the client's address as Reply-To."""
    request = message.request
    mail = EmailMessage()
    with force_locale("de"):
        mail["Subject"] = _("Notfall-Anfrage %(number)s: %(category)s", number=request.confirmation,
                            category=category_label(request.category))
        lines = [
            _("Eine Notfall-Anfrage ist über das Portal eingegangen."),
            "",
            f"{_('Bestätigungsnummer')}: {request.confirmation}",
            f"{_('Eingegangen')}: {format_datetime(request.created_at, 'short')} UTC",
            f"{_('Worum es geht')}: {category_label(request.category)}",
            f"{_('Aktenzeichen')}: {request.reference or '–'}",
            f"{_('Bevorzugte Sprache')}: {toolkit.language_name(request.language)} ({request.language})",
            f"{_('E-Mail')}: {request.contact_email or '–'}",
            f"{_('Telefon')}: {request.contact_phone or '–'}",
            "",
            _("Anliegen") + ":",
            request.matter,
            "",
            _("Im Mitarbeiterbereich des Portals finden Sie die Anfrage unter ihrer Bestätigungsnummer."),
        ]
    mail["From"] = toolkit.portal_settings()["mail"]["sender"]
    mail["To"] = recipient()
    mail["Message-ID"] = message.message_id
    if request.contact_email:
        mail["Reply-To"] = request.contact_email
    mail.set_content("\n".join(lines))
    return mail


def send(mail: EmailMessage) -> None:
    """Hand a message to the configured SMTP server; raise OSError or SMTPException when it is not accepted."""
    settings = toolkit.portal_settings()["mail"]
    implicit_tls = settings["use_tls"] and settings["port"] == 465
    if implicit_tls:
        smtp = smtplib.SMTP_SSL(settings["host"], settings["port"], timeout=SMTP_TIMEOUT_SECONDS,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings["host"], settings["port"], timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if settings["use_tls"] and not implicit_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings["username"]:
            smtp.login(settings["username"], settings["password"])
        smtp.send_message(mail)


def _claimable(now: datetime, ignore_backoff: bool):
    waiting = EmergencyOutboxMessage.status == PENDING
    if not ignore_backoff:
        waiting = and_(waiting, EmergencyOutboxMessage.next_attempt_at <= now)
    abandoned = and_(EmergencyOutboxMessage.status == SENDING, EmergencyOutboxMessage.lease_until < now)
    return or_(waiting, abandoned)


def deliver_one(session: Session, message_id: int, now: datetime, ignore_backoff: bool = False) -> str | None:
    """Try to send one outbox message; return its new status, or None when it was not ours to send."""
    settings = toolkit.plugin_settings("emergency")
    token = secrets.token_hex(16)
    claimed = session.execute(
        update(EmergencyOutboxMessage)
        .where(EmergencyOutboxMessage.id == message_id, _claimable(now, ignore_backoff))
        .values(status=SENDING, lease_token=token, lease_until=now + LEASE,
                attempts=EmergencyOutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    if claimed.rowcount != 1:
        return None
    message = session.get(EmergencyOutboxMessage, message_id, populate_existing=True)
    mail, attempts, number = build_message(message), message.attempts, message.request.confirmation
    # No transaction stays open while the mail server is talked to.
    session.commit()
    ours = and_(EmergencyOutboxMessage.id == message_id, EmergencyOutboxMessage.lease_token == token)
    try:
        send(mail)
    except (OSError, smtplib.SMTPException) as exc:
        status = FAILED if attempts >= settings["max_attempts"] else PENDING
        log.warning("emergency request %s: delivery attempt %d failed: %s", number, attempts, exc)
        session.execute(update(EmergencyOutboxMessage).where(ours).values(
            status=status, lease_token=None, lease_until=None, last_error=str(exc)[:300] or exc.__class__.__name__,
            next_attempt_at=now + retry_delay(attempts, settings)).execution_options(synchronize_session=False))
        session.commit()
        return status
    session.execute(update(EmergencyOutboxMessage).where(ours).values(
        status=SENT, sent_at=toolkit.utcnow(), lease_token=None, lease_until=None, last_error="")
        .execution_options(synchronize_session=False))
    session.commit()
    return SENT


def deliver_due(session: Session, now: datetime, ignore_backoff: bool = False) -> DeliveryReport:
    """Send every message that is due (or every waiting one, ignoring back-off); return the counts."""
    report = DeliveryReport()
    due = session.scalars(select(EmergencyOutboxMessage.id).where(_claimable(now, ignore_backoff))
                          .order_by(EmergencyOutboxMessage.id)).all()
    session.rollback()
    for message_id in due:
        status = deliver_one(session, message_id, now, ignore_backoff)
        if status == SENT:
            report.sent += 1
        elif status == PENDING:
            report.retrying += 1
        elif status == FAILED:
            report.failed += 1
    return report


def mail_configured() -> bool:
    """Tell whether an SMTP server is configured at all."""
    return bool(toolkit.portal_settings()["mail"]["host"])


def attempt_after_response(response, message_id: int):
    """Try delivery once the client has the answer, so a slow or absent mail server never delays or fails it."""
    app = current_app._get_current_object()

    def attempt():
        with app.app_context():
            try:
                if mail_configured():
                    deliver_one(toolkit.session(), message_id, toolkit.utcnow())
            except Exception:  # the outbox keeps the message; the timer's command tries again
                log.exception("emergency outbox message %s: immediate delivery attempt failed", message_id)

    response.call_on_close(attempt)
    return response


def queue(session: Session, request: EmergencyRequest) -> EmergencyOutboxMessage:
    """Put a request's e-mail into the outbox (committed with the request)."""
    message = EmergencyOutboxMessage(message_id=new_message_id(request.confirmation), status=PENDING,
                            next_attempt_at=toolkit.utcnow())
    request.outbox = message
    session.add(message)
    return message
