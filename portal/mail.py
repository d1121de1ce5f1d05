"""The mail outbox every plugin queues into, and its delivery by SMTP (or to a file in a trial set-up).

A message goes: pending -> sending (a lease) -> sent, or back to pending with a later attempt time, or
failed after the last attempt. A sender first claims a message with one conditional UPDATE, so two
senders (the attempt right after a request and the timer's command) never both send it. It marks the
message sent only after the mail server accepted it.

Delivery is exactly once as long as no sender dies between the server's acceptance and the commit of
"sent": that window is one small UPDATE. If a sender does die there, its lease runs out and the message
is sent again: at least once is the stronger promise, since a lost message is worse than a duplicate.
The duplicate carries the same Message-ID, so mail programs show it as one.
"""

from __future__ import annotations

import logging
import mailbox
import os
import secrets
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import JSON, Integer, String, Text, and_, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime, utcnow
from .db import session as db_session

log = logging.getLogger(__name__)

# Waiting for (another) attempt, claimed by a sender, accepted by the mail server, given up.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
SMTP_TIMEOUT_SECONDS = 10
# Longer than any SMTP conversation may take, so a living sender never loses its lease.
LEASE = timedelta(minutes=5)
# Where mail goes, inside the instance folder, while no mail server is configured.
SINK_FILE = "mail-sink.mbox"


class MailMessage(Base):
    """One e-mail a plugin queued, with everything needed to send it and how its delivery goes."""

    __tablename__ = "core_mail_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Fixed when queued, so a message sent twice after a crash can be recognised as one.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    # The plugin that queued it, for the log and for the plugin's own retention.
    plugin: Mapped[str] = mapped_column(String(40), default="", index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Whoever holds the lease may send; a sender that dies loses it when lease_until passes.
    lease_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _settings() -> dict:
    return current_app.config["PORTAL"]["mail"]


def idna_address(address: str) -> str:
    """Return an e-mail address with its domain in IDNA form (a@bücher.de -> a@xn--bcher-kva.de)."""
    local, _at, domain = parseaddr(address)[1].rpartition("@")
    if not local or not domain:
        raise ValueError(f"not an e-mail address: {address!r}")
    return str(Address(addr_spec=f"{local}@{domain.encode('idna').decode('ascii')}"))


def queue_mail(to: str, subject: str, body: str, *, reply_to: str = "", headers: Mapping[str, str] | None = None,
               plugin: str = "", idstring: str | None = None) -> MailMessage:
    """Add a plain-text e-mail to the outbox in the current session; it is sent once the caller commits."""
    domain = _settings()["sender"].rpartition("@")[2] or "localhost"
    message = MailMessage(message_id=make_msgid(idstring=idstring, domain=domain), plugin=plugin,
                          recipient=idna_address(to), subject=subject, body=body,
                          reply_to=idna_address(reply_to) if reply_to else "", headers=dict(headers or {}),
                          status=PENDING, attempts=0, next_attempt_at=utcnow())
    db_session().add(message)
    return message


def build_message(message: MailMessage) -> EmailMessage:
    """Write the e-mail of an outbox entry, from the configured sender."""
    mail = EmailMessage()
    for name, value in message.headers.items():
        mail[name] = value
    mail["Subject"] = message.subject
    mail["From"] = _settings()["sender"]
    mail["To"] = message.recipient
    mail["Message-ID"] = message.message_id
    if message.reply_to:
        mail["Reply-To"] = message.reply_to
    mail.set_content(message.body)
    return mail


def mail_server_configured() -> bool:
    """Tell whether an SMTP server is configured; without one, mail goes to the sink file."""
    return bool(_settings()["host"])


def sink_path() -> Path:
    """Return the file that receives mail while no mail server is configured."""
    return Path(current_app.instance_path) / SINK_FILE


def _write_to_sink(mail: EmailMessage) -> None:
    path = sink_path()
    log.warning("mail.host is not set: %s to %s written to %s instead of being sent", mail["Message-ID"], mail["To"],
                path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The messages hold personal data: only the portal's user may read them.
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    box = mailbox.mbox(path)
    box.lock()
    try:
        box.add(mail)
        box.flush()
    finally:
        box.unlock()
        box.close()


def send(mail: EmailMessage) -> None:
    """Hand a message to the SMTP server (or the sink file); raise OSError or SMTPException when not accepted."""
    settings = _settings()
    if not settings["host"]:
        _write_to_sink(mail)
        return
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


def retry_delay(attempts: int) -> timedelta:
    """Return the wait before the next attempt: doubling from the base, capped at the maximum."""
    settings = _settings()
    seconds = settings["retry_base_seconds"] * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings["retry_max_seconds"]))


def _claimable(now: datetime, ignore_backoff: bool):
    waiting = MailMessage.status == PENDING
    if not ignore_backoff:
        waiting = and_(waiting, MailMessage.next_attempt_at <= now)
    abandoned = and_(MailMessage.status == SENDING, MailMessage.lease_until < now)
    return or_(waiting, abandoned)


def deliver_one(session: Session, message_id: int, now: datetime, ignore_backoff: bool = False) -> str | None:
    """Try to send one outbox message; return its new status, or None when it was not ours to send."""
    token = secrets.token_hex(16)
    # A run that began at `now` may have talked to a slow server for minutes by this message: its lease and its next
    # attempt count from the clock, lest another runner take it while it is being sent or it be retried at once.
    started = max(now, utcnow())
    claimed = session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, _claimable(now, ignore_backoff))
        .values(status=SENDING, lease_token=token, lease_until=started + LEASE, attempts=MailMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    if claimed.rowcount != 1:
        return None
    message = session.get(MailMessage, message_id, populate_existing=True)
    mail, attempts, label = build_message(message), message.attempts, f"{message.plugin or 'core'} {message.id}"
    # No transaction stays open while the mail server is talked to.
    session.commit()
    ours = and_(MailMessage.id == message_id, MailMessage.lease_token == token)
    try:
        send(mail)
    except (OSError, smtplib.SMTPException) as exc:
        status = FAILED if attempts >= _settings()["max_attempts"] else PENDING
        log.warning("mail %s: delivery attempt %d failed: %s", label, attempts, exc)
        session.execute(update(MailMessage).where(ours).values(
            status=status, lease_token=None, lease_until=None, last_error=str(exc)[:300] or exc.__class__.__name__,
            next_attempt_at=max(now, utcnow()) + retry_delay(attempts)).execution_options(synchronize_session=False))
        session.commit()
        return status
    session.execute(update(MailMessage).where(ours).values(
        status=SENT, sent_at=utcnow(), lease_token=None, lease_until=None, last_error="")
        .execution_options(synchronize_session=False))
    session.commit()
    return SENT


def deliver_due(session: Session, now: datetime, ignore_backoff: bool = False) -> DeliveryReport:
    """Send every message that is due (or every waiting one, ignoring back-off); return the counts."""
    report = DeliveryReport()
    due = session.scalars(select(MailMessage.id).where(_claimable(now, ignore_backoff))
                          .order_by(MailMessage.id)).all()
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


def send_after_response(response, message: MailMessage):
    """Try delivery once the client has the answer, so a slow or absent mail server never delays or fails it."""
    app = current_app._get_current_object()
    message_id = message.id

    def attempt():
        with app.app_context():
            try:
                deliver_one(db_session(), message_id, utcnow())
            except Exception:  # the outbox keeps the message; the timer's command tries again
                log.exception("mail %s: immediate delivery attempt failed", message_id)

    response.call_on_close(attempt)
    return response


def purge_delivered(session: Session, now: datetime) -> int:
    """Delete messages sent or given up more than the retention period ago; keep every waiting one."""
    cutoff = now - timedelta(days=_settings()["retention_days"])
    return session.execute(delete(MailMessage).where(MailMessage.status.in_((SENT, FAILED)),
                                                     MailMessage.created_at < cutoff)).rowcount


@click.group("mail")
def mail_cli():
    """The mail outbox."""


@mail_cli.command("deliver")
@click.option("--all", "ignore_backoff", is_flag=True, help="Try every waiting message now, ignoring back-off.")
@with_appcontext
def deliver_command(ignore_backoff: bool):
    """Send waiting mail (run every minute from a timer)."""
    if not mail_server_configured():
        click.echo(f"mail.host is not set: writing mail to {sink_path()}", err=True)
    report = deliver_due(db_session(), utcnow(), ignore_backoff=ignore_backoff)
    click.echo(f"sent {report.sent}, retrying later {report.retrying}, given up {report.failed}")
