"""Upgrading the emergency plugin from its own outbox: waiting e-mails move into the core's outbox, go out once."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from portal import create_app, toolkit
from portal.mail import deliver_due
from portal.migrate import upgrade_all
from portal.testing import migrate_to

CREATED = datetime(2026, 11, 30, 21, 5, tzinfo=UTC)


@pytest.fixture
def old_database_url(tmp_path, database_url):
    """An empty database of this test's own: a SQLite file, or a schema of its own on the test's PostgreSQL."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS mail_upgrade CASCADE"))
        connection.execute(text("CREATE SCHEMA mail_upgrade"))
    yield f"{database_url}{'&' if '?' in database_url else '?'}options=-csearch_path%3Dmail_upgrade"
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA mail_upgrade CASCADE"))
    engine.dispose()


@pytest.fixture
def old_app(tmp_path, old_database_url, smtp_server):
    """An app on a database of its own, migrated only as far as the plugin's first revision."""
    app = create_app({"instance_path": str(tmp_path), "database_url": old_database_url,
                      "secret_key": "test-secret-key", "plugins": ["emergency"],
                      "office": {"emergency_email": "notfall@amt.example"},
                      "mail": {"host": smtp_server.host, "port": smtp_server.port, "sender": "portal@amt.example"}})
    migrate_to(app, "core", "core_0001")
    migrate_to(app, "emergency", "emergency_0001")
    with app.app_context():
        yield app
    app.extensions["portal.db"].engine.dispose()


def test_waiting_and_sent_mails_move_into_the_core_outbox(old_app, smtp_server):
    engine = old_app.extensions["portal.db"].engine

    def stored(moment):
        """Write a moment as the UTC column type does on this database."""
        return moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment
    with engine.begin() as connection:
        for number, status, sent_at in (("NF-AAAA-2222", "pending", None), ("NF-BBBB-3333", "sent", CREATED)):
            connection.execute(text(
                "INSERT INTO emergency_request (confirmation, category, reference, matter, contact_email, "
                "contact_phone, language, state, version, created_at, updated_at) VALUES (:number, 'travel', '', "
                "'Ich muss dringend reisen.', 'kunde@bücher.de', '', 'tr', 'new', 1, :at, :at)"),
                {"number": number, "at": stored(CREATED)})
            connection.execute(text(
                "INSERT INTO emergency_outbox (request_id, message_id, status, attempts, next_attempt_at, "
                "sent_at, last_error) SELECT id, :message_id, :status, 3, :at, :sent_at, 'refused' "
                "FROM emergency_request WHERE confirmation = :number"),
                {"number": number, "message_id": f"<{number}@amt.example>", "status": status,
                 "at": stored(CREATED), "sent_at": sent_at and stored(sent_at)})
    upgrade_all()
    session = toolkit.session()
    mails = session.query(toolkit.MailMessage).order_by(toolkit.MailMessage.id).all()
    assert [(m.message_id, m.status, m.attempts, m.plugin) for m in mails] == [
        ("<NF-AAAA-2222@amt.example>", "pending", 3, "emergency"),
        ("<NF-BBBB-3333@amt.example>", "sent", 3, "emergency")]
    linked = session.execute(text("SELECT confirmation, mail_id FROM emergency_request ORDER BY id")).all()
    assert linked == [("NF-AAAA-2222", mails[0].id), ("NF-BBBB-3333", mails[1].id)]
    with engine.connect() as connection:
        assert "emergency_outbox" not in engine.dialect.get_table_names(connection)
    session.rollback()

    assert deliver_due(session, CREATED + timedelta(minutes=1)).sent == 1
    [mail] = smtp_server.messages
    assert mail["Message-ID"] == "<NF-AAAA-2222@amt.example>" and mail["Reply-To"] == "kunde@xn--bcher-kva.de"
    assert mail["Subject"] == "Notfall-Anfrage NF-AAAA-2222: Dringende Reise"
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "Eingegangen: 30.11.26, 22:05 (Europe/Berlin)" in body and "Türkçe (tr)" in body
