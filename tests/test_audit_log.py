"""The audit log as staff read it: each change as before and after, in plain text and office time."""

import re
from datetime import UTC, datetime

import lxml.html
import pytest
from sqlalchemy import text

from portal.staff.auth import audit
from portal.staff.models import AuditEntry
from portal.testing import DESKTOP, assert_no_horizontal_scroll, browser_sign_in


def changes_on_the_log(client) -> list[list[str]]:
    """Return each entry's change list as text, one list of 'field | before | after' lines per row."""
    page = lxml.html.fromstring(client.get("/de/staff/audit").get_data(as_text=True))
    rows = []
    for row in page.xpath("//table[contains(@class, 'audit')]/tbody/tr"):
        rows.append([re.sub(r"\s+", " ", " | ".join(part.text_content().strip() for part in change.xpath("dt|dd")))
                     for change in row.xpath(".//dl[contains(@class, 'audit-changes')]/div")])
    return rows


def test_changes_show_as_before_and_after_in_office_time_and_plain_letters(data, staff_client):
    def record(session):
        audit("update", "staff_account", 7, actor="sachbearbeitung@amt.example",
              before={"status": "scheduled", "starts_at": "2026-12-03T08:30:00+00:00", "room": "Raum 1",
                      "text": {"de": "Maske tragen", "ar": "ارتدِ الكمامة"}},
              after={"status": "postponed", "starts_at": "2026-12-03T13:00:00+00:00", "room": "Raum 1",
                     "text": {"de": "Maske tragen", "ar": "يرجى ارتداء الكمامة"}, "mask": True})
        audit("create", "staff_account", 8, actor="admin@amt.example",
              after={"email": "a.demir@amt.example", "days": ["Montag", "Dienstag", "Mittwoch"]})
    data(record)
    admin = staff_client("admin")
    page = admin.get("/de/staff/audit").get_data(as_text=True)
    assert "\\u" not in page and "<pre" not in page
    created, updated = changes_on_the_log(admin)[:2]
    # Winter in Berlin: 08:30 UTC is 09:30 office time.
    assert updated == [
        "status | Vorher: scheduled | Nachher: postponed",
        "starts_at | Vorher: 03.12.26, 09:30 | Nachher: 03.12.26, 14:00",
        "text.ar | Vorher: ارتدِ الكمامة | Nachher: يرجى ارتداء الكمامة",
        "mask | Nachher: Ja",
    ]
    assert created == ["email | Nachher: a.demir@amt.example", "days | Nachher: Montag, Dienstag und Mittwoch"]


def test_arabic_lists_take_arabic_punctuation(data, staff_client):
    data(lambda session: audit("create", "staff_account", 8, after={"days": ["الاثنين", "الثلاثاء", "الأربعاء"]}))
    page = staff_client("admin").get("/ar/staff/audit").get_data(as_text=True)
    assert "الاثنين والثلاثاء والأربعاء" in page


def test_on_a_right_to_left_page_the_codes_read_left_to_right_and_names_are_isolated(data, staff_client):
    data(lambda session: audit("end", "staff_session", 4, actor="schalter-3@amt.example", summary="A 004 → Schalter 3"))
    page = lxml.html.fromstring(staff_client("admin").get("/ar/staff/audit").get_data(as_text=True))
    row = page.xpath("//table[contains(@class, 'audit')]/tbody/tr")[0]
    code = row.xpath(".//code")[0]
    assert (code.text_content(), code.get("dir"), code.get("translate")) == ("end staff_session #4", "ltr", "no")
    assert [bdi.text_content() for bdi in row.xpath(".//bdi")] == ["schalter-3@amt.example", "A 004 → Schalter 3"]


def test_snapshots_are_stored_readably_and_old_escaped_rows_render_readably(data, database, staff_client):
    data(lambda session: audit("update", "staff_account", 1, before={"title": "Öffnungszeiten"},
                               after={"title": "مواعيد العمل"}))
    with database() as session:
        stored = session.execute(text("SELECT CAST(after AS TEXT) FROM core_audit_entry")).scalar_one()
        assert "مواعيد العمل" in stored and "\\u" not in stored
        # A row written before: JSON with escapes, as the old serializer stored it.
        session.execute(text("INSERT INTO core_audit_entry (at, actor, action, target_type, target_id, before, "
                             "after, summary) VALUES (:at, 'alt@amt.example', 'update', 'staff_account', '2', "
                             ":before, NULL, '')"),
                        {"at": datetime(2026, 1, 5, 9, tzinfo=UTC), "before": '{"title": "Gr\\u00fc\\u00dfe"}'})
        session.commit()
        assert session.query(AuditEntry).count() == 2
    assert changes_on_the_log(staff_client("admin"))[1] == ["title | Vorher: Grüße"]


@pytest.mark.browser
def test_the_log_fits_a_desktop_without_scrolling_its_table(browser, live_server, data, make_staff):
    long_text = "Bitte bringen Sie Ihre Lebenspartnerschaftsurkunde und eine beglaubigte Übersetzung mit. " * 4
    data(lambda session: audit("update", "staff_account", 3, actor="sachbearbeitung.lange-adresse@amt.example",
                               before={"text": {"de": long_text, "ar": "يرجى إحضار شهادة الشراكة المسجلة. " * 6}},
                               after={"text": {"de": long_text.upper(), "ar": "ترجمة معتمدة. " * 12}}))
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    browser_sign_in(page, live_server.url, make_staff("admin"))
    page.goto(f"{live_server.url}/de/staff/audit")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("box => box.scrollWidth <= box.clientWidth"), "the log's table scrolls sideways at 1,280 px"
    assert_no_horizontal_scroll(page)
    context.close()
