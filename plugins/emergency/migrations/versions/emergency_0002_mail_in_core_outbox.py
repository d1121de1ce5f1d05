"""Move the requests' e-mails into the core's mail outbox.

Each entry of the plugin's own outbox becomes a message in core_mail_outbox (migrated before any plugin),
with its status, attempts, lease and Message-ID kept, so nothing waiting is lost and nothing sent goes out
again. The e-mail used to be written at sending time; here it is written once, as version 1.0 wrote it.

Revision ID: emergency_0002
Revises: emergency_0001
Created: 2026-12-02 06:50:00
"""

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from babel import Locale
from babel.dates import format_datetime
from flask import current_app

from portal.toolkit import UTCDateTime

revision = 'emergency_0002'
down_revision = 'emergency_0001'
branch_labels = None
depends_on = None

CATEGORIES = {"permit": "Aufenthaltstitel läuft in den nächsten Tagen ab", "work": "Eine Arbeitsstelle beginnt bald",
              "travel": "Dringende Reise", "lost": "Dokumente verloren oder gestohlen",
              "other": "Anderes dringendes Anliegen"}


def _body(request, zone: ZoneInfo) -> str:
    language = Locale.parse(request.language).get_display_name(request.language)
    received = format_datetime(request.created_at, "short", tzinfo=zone, locale="de")
    return "\n".join([
        "Eine Notfall-Anfrage ist über das Portal eingegangen.",
        "",
        f"Bestätigungsnummer: {request.confirmation}",
        f"Eingegangen: {received} ({zone.key})",
        f"Worum es geht: {CATEGORIES[request.category]}",
        f"Aktenzeichen: {request.reference or '–'}",
        f"Bevorzugte Sprache: {language[:1].upper() + language[1:]} ({request.language})",
        f"E-Mail: {request.contact_email or '–'}",
        f"Telefon: {request.contact_phone or '–'}",
        "",
        "Anliegen:",
        request.matter,
        "",
        "Im Mitarbeiterbereich des Portals finden Sie die Anfrage unter ihrer Bestätigungsnummer.",
    ])


def _idna(address: str) -> str:
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.encode('idna').decode('ascii')}" if local else address


def upgrade():
    settings = current_app.config["PORTAL"]
    zone = ZoneInfo(settings["timezone"])
    recipient = settings["plugin_settings"].get("emergency", {}).get("recipient") \
        or settings["office"]["emergency_email"]
    when = UTCDateTime(timezone=True)
    requests = sa.table('emergency_request', *(sa.column(name) for name in (
        'id', 'mail_id', 'confirmation', 'category', 'reference', 'matter', 'contact_email', 'contact_phone',
        'language')), sa.column('created_at', when))
    old = sa.table('emergency_outbox', *(sa.column(name) for name in (
        'id', 'request_id', 'message_id', 'status', 'attempts', 'lease_token', 'last_error')),
        *(sa.column(name, when) for name in ('next_attempt_at', 'lease_until', 'sent_at')))
    new = sa.table('core_mail_outbox', *(sa.column(name) for name in (
        'message_id', 'plugin', 'recipient', 'subject', 'body', 'reply_to', 'status', 'attempts', 'lease_token',
        'last_error')), sa.column('headers', sa.JSON()),
        *(sa.column(name, when) for name in ('created_at', 'next_attempt_at', 'lease_until', 'sent_at')))
    connection = op.get_bind()
    rows = connection.execute(sa.select(old, requests.c.confirmation, requests.c.category, requests.c.reference,
                                        requests.c.matter, requests.c.contact_email, requests.c.contact_phone,
                                        requests.c.language, requests.c.created_at)
                              .join(requests, requests.c.id == old.c.request_id).order_by(old.c.id)).all()
    moved = []
    for row in rows:
        connection.execute(new.insert().values(
            message_id=row.message_id, plugin="emergency", recipient=_idna(recipient),
            subject=f"Notfall-Anfrage {row.confirmation}: {CATEGORIES[row.category]}", body=_body(row, zone),
            reply_to=_idna(row.contact_email) if row.contact_email else "", headers={}, status=row.status,
            attempts=row.attempts, created_at=row.created_at, next_attempt_at=row.next_attempt_at,
            lease_token=row.lease_token, lease_until=row.lease_until, sent_at=row.sent_at,
            last_error=row.last_error))
        moved.append((row.request_id, connection.scalar(
            sa.select(sa.column('id')).select_from(new).where(new.c.message_id == row.message_id))))
    # Only now: on SQLite the batch operation rebuilds the table, and dropping the old one would delete the
    # outbox entries through their ON DELETE CASCADE.
    op.drop_table('emergency_outbox')
    with op.batch_alter_table('emergency_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_emergency_request_mail_id_core_mail_outbox'), 'core_mail_outbox',
                                    ['mail_id'], ['id'], ondelete='SET NULL')
    for request_id, mail_id in moved:
        connection.execute(requests.update().where(requests.c.id == request_id).values(mail_id=mail_id))


def downgrade():
    raise NotImplementedError("the e-mails live in the core's outbox now; restore a backup to go back")
