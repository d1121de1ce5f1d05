"""Core commands: demo content, retention."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from portal.db import utcnow
from portal.staff.models import AuditEntry, StaffAccount, StaffSession


@pytest.mark.portal_config({"plugins": ["notices", "appointments"]})
def test_demo_creates_one_account_per_role_in_use_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert runner.invoke(args=["demo"]).exit_code == 0
    roles = sorted(db.scalars(select(StaffAccount.role)).all())
    assert roles == ["admin", "caseworker", "editor"]
    assert "admin@demo.example" in first.output


def test_purge_deletes_ended_sessions_and_old_audit_entries(app, db, make_staff):
    account = make_staff("editor")
    now = utcnow()
    db.add_all([
        StaffSession(id="fresh", account_id=account.id, created_at=now, last_seen_at=now),
        StaffSession(id="idle", account_id=account.id, created_at=now - timedelta(hours=2),
                     last_seen_at=now - timedelta(hours=1)),
        StaffSession(id="too-old", account_id=account.id, created_at=now - timedelta(hours=11), last_seen_at=now),
        AuditEntry(at=now - timedelta(days=731), actor="a", action="x", target_type="t", target_id="1"),
        AuditEntry(at=now - timedelta(days=10), actor="a", action="x", target_type="t", target_id="2"),
    ])
    db.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "staff sessions: 2 deleted" in result.output and "audit log: 1 deleted" in result.output
    db.expire_all()
    assert db.scalars(select(StaffSession.id)).all() == ["fresh"]
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_translation_report_shows_every_interface_catalog_complete(make_app):
    from portal.config import DEFAULTS

    app = make_app(plugins=DEFAULTS["plugins"])
    result = app.test_cli_runner().invoke(args=["translations", "report", "--fail-under", "100"])
    assert result.exit_code == 0, result.output
    interface = [line for line in result.output.splitlines() if " interface " in line]
    assert len(interface) == (len(DEFAULTS["languages"]) - 1) * (1 + len(DEFAULTS["plugins"]))
    assert all(line.rstrip().endswith("100.0%") for line in interface)
    content_owners = {line.split()[0] for line in result.output.splitlines() if " interface " not in line}
    assert {"notices", "checklists", "hygiene", "interpreters"} <= content_owners


@pytest.mark.portal_config({"languages": ["de", "en", "fr"]})
def test_translation_report_shows_the_share_of_a_partly_translated_language(app, tmp_path, monkeypatch):
    from babel.messages.mofile import write_mo

    from portal import catalogs

    (tmp_path / "messages.pot").write_text('msgid "Ja"\nmsgstr ""\n\nmsgid "Nein"\nmsgstr ""\n', encoding="utf-8")
    partly = {"en": 'msgid "Ja"\nmsgstr "Yes"\n\nmsgid "Nein"\nmsgstr ""\n',
              "fr": 'msgid "Ja"\nmsgstr "Oui"\n\nmsgid "Nein"\nmsgstr "Non"\n'}
    for lang, catalog in partly.items():
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / lang / "LC_MESSAGES" / "messages.po").write_text(catalog, encoding="utf-8")
    # English is compiled; the French translations were written but never compiled, so no visitor reads them.
    with open(tmp_path / "en" / "LC_MESSAGES" / "messages.mo", "wb") as compiled:
        write_mo(compiled, catalogs.read_catalog(tmp_path / "en" / "LC_MESSAGES" / "messages.po"))
    monkeypatch.setattr(catalogs, "catalog_folders", lambda: {"core": tmp_path})
    result = app.test_cli_runner().invoke(args=["translations", "report", "--fail-under", "100"])
    assert result.exit_code == 1, result.output
    lines = [line.split() for line in result.stdout.splitlines() if " interface " in line]
    assert lines == [["core", "interface", "en", "1/2", "50.0%"], ["core", "interface", "fr", "0/2", "0.0%"]]
    assert result.stderr == (f"not compiled, so counted as untranslated: {tmp_path}/fr/LC_MESSAGES/messages.po "
                             f"(pybabel compile -d {tmp_path})\n")


@pytest.mark.portal_config({"languages": ["de", "ar", "uk"]})
def test_translation_report_counts_a_plural_text_translated_only_with_every_form_filled(app, tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    from portal import catalogs

    entries = ("Ja", ("%(num)d Eintrag", "%(num)d Einträge"), ("%(num)d km", "%(num)d km"))
    translations = {
        # Arabic has six plural forms, Ukrainian three: one of them filled is not a translation.
        "ar": ["نعم", ("%(num)d إدخال", "", "", "", "", ""), ("%(num)d كم",) * 6],
        # The unit kept as written in German, in every form: that is the translator's choice, and counts.
        "uk": ["Так", ("%(num)d запис", "", ""), ("%(num)d km",) * 3],
    }
    template = Catalog(fuzzy=False)
    for entry in entries:
        template.add(entry)
    with open(tmp_path / "messages.pot", "wb") as file:
        write_po(file, template)
    for lang, strings in translations.items():
        catalog = Catalog(locale=lang, fuzzy=False)
        for entry, string in zip(entries, strings, strict=True):
            catalog.add(entry, string)
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        # As pybabel compile does, which writes an empty plural form as the German text.
        for suffix, write in ((".po", write_po), (".mo", write_mo)):
            with open(tmp_path / lang / "LC_MESSAGES" / f"messages{suffix}", "wb") as file:
                write(file, catalog)
    monkeypatch.setattr(catalogs, "catalog_folders", lambda: {"core": tmp_path})
    result = app.test_cli_runner().invoke(args=["translations", "report"])
    assert result.exit_code == 0, result.output
    lines = [line.split()[2:4] for line in result.stdout.splitlines() if " interface " in line]
    assert lines == [["ar", "2/3"], ["uk", "2/3"]]


@pytest.mark.portal_config({"plugins": ["appointments", "arrival"]})
def test_demo_with_arrival_has_a_door_account_and_passes_for_its_appointments(app, db):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo staff account (door): einlass@demo.example" in result.output
    assert "editor" not in result.output
    attendable = db.execute(text("SELECT count(*) FROM appointments_appointment WHERE starts_at IS NOT NULL "
                                 "AND status IN ('invited', 'scheduled', 'ready_for_collection')")).scalar_one()
    passes = db.execute(text("SELECT count(*) FROM arrival_pass WHERE revoked_at IS NULL")).scalar_one()
    assert attendable == passes == 3


@pytest.mark.portal_config({"plugins": ["notices"]})
def test_demo_refuses_a_portal_served_over_https_unless_forced(app, db, monkeypatch):
    monkeypatch.setitem(app.config["PORTAL"], "https", True)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code == 1
    assert refused.output == ("Error: https is on, so this looks like a production portal, and the demo's staff "
                              "accounts share the published password Demo-Zugang-2026: no demo data loaded "
                              "(--force loads it anyway)\n")
    assert db.scalar(select(func.count()).select_from(StaffAccount)) == 0
    forced = runner.invoke(args=["demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert db.scalar(select(StaffAccount.email)) == "admin@demo.example"


@pytest.mark.portal_config({"plugins": ["notices"]})
def test_demo_refuses_a_database_with_other_staff_accounts_unless_forced(app, db, make_staff):
    runner = app.test_cli_runner()
    # Its own accounts do not stop the demo from being loaded again.
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    make_staff("admin", email="leitung@amt.example")
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code == 1
    assert refused.output.count("\n") == 1
    assert refused.output.startswith("Error: the database has 1 staff account(s) besides the demo's, so it looks "
                                     "like a production one")
    assert "demo staff account" not in refused.output
    forced = runner.invoke(args=["demo", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "demo data loaded" in forced.output
