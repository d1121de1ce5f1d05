"""Staff read emergency requests, filter them and mark them in progress or done; old ones are deleted."""

from datetime import timedelta

import lxml.html
import pytest
from portal_plugins.emergency import portal_purge_expired
from portal_plugins.emergency.labels import readable_address, reply_language
from portal_plugins.emergency.mail import compose
from portal_plugins.emergency.models import EmergencyRequest
from sqlalchemy import func, select, text

from portal import toolkit
from portal.testing import audit_log, csrf_token

INBOX = "/de/staff/emergency/"


def add_request(database, number, category="permit", state="new", age=timedelta(0)):
    with database() as db:
        item = EmergencyRequest(confirmation=number, category=category, matter="Bitte dringend melden, danke.",
                                contact_email="k@example.org", language="en", state=state,
                                created_at=toolkit.utcnow() - age,
                                mail=toolkit.MailMessage(message_id=f"<{number}@test>", plugin="emergency",
                                                         recipient="notfall@amt.example", subject=number,
                                                         body="", status="sent"))
        db.add(item)
        db.commit()
        return item.id


@pytest.fixture
def caseworker(staff_client):
    return staff_client("caseworker")


def test_only_caseworkers_and_admins_see_the_inbox(client, staff_client):
    assert client.get(INBOX).status_code == 302
    assert staff_client("editor").get(INBOX).status_code == 403
    assert staff_client("admin").get(INBOX).status_code == 200


def test_the_inbox_filters_by_category_and_state(caseworker, database):
    add_request(database, "NF-AAAA-2222", "permit")
    add_request(database, "NF-BBBB-3333", "lost", state="in_progress")
    add_request(database, "NF-CCCC-4444", "lost", state="done")
    page = caseworker.get(INBOX).get_data(as_text=True)
    assert "NF-AAAA-2222" in page and "NF-BBBB-3333" in page and "NF-CCCC-4444" not in page
    page = caseworker.get(INBOX + "?category=lost&state=").get_data(as_text=True)
    assert "NF-AAAA-2222" not in page and "NF-BBBB-3333" in page and "NF-CCCC-4444" in page
    page = caseworker.get(INBOX + "?category=&state=done").get_data(as_text=True)
    assert "1 Anfrage gefunden." in page and "NF-CCCC-4444" in page


def test_marking_a_request_is_audited_and_a_stale_page_is_refused(caseworker, staff_client, database):
    request_id = add_request(database, "NF-AAAA-2222")
    url = f"{INBOX}requests/{request_id}"
    token = csrf_token(caseworker, url)
    assert caseworker.post(url, data={"csrf_token": token, "version": 1, "state": "in_progress"}).status_code == 302
    stale = caseworker.post(url, data={"csrf_token": token, "version": 1, "state": "done"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Jemand anderes hat inzwischen gespeichert" in page and 'name="version" type="hidden" value="2"' in page
    with database() as db:
        assert db.get(EmergencyRequest, request_id).state == "in_progress"
    assert caseworker.post(url, data={"csrf_token": token, "version": 2, "state": "done"}).status_code == 302
    # The log tells both changes in the reader's words, the stale one not at all.
    done, taken_up = audit_log(staff_client("admin"), "en")
    assert (taken_up.what, taken_up.summary) == (f"Emergency request status changed {request_id}", "NF-AAAA-2222")
    assert taken_up.changes == ["Status | Before: new | After: in progress"]
    assert done.changes == ["Status | Before: in progress | After: done"]


def test_a_colleague_marking_the_request_between_check_and_write_gives_a_conflict(caseworker, database,
                                                                                  colleague_saves_first):
    request_id = add_request(database, "NF-AAAA-2222")
    url = f"{INBOX}requests/{request_id}"
    token = csrf_token(caseworker, url)
    colleague_saves_first(EmergencyRequest,
                          lambda session: setattr(session.get(EmergencyRequest, request_id), "state", "done"))
    response = caseworker.post(url, data={"csrf_token": token, "version": 1, "state": "in_progress"})
    assert response.status_code == 409
    conflict = lxml.html.fromstring(response.get_data(as_text=True)).xpath("//section[@role='alert']//dd")
    assert [item.text_content() for item in conflict] == ["erledigt"]
    with database() as db:
        stored = db.get(EmergencyRequest, request_id)
        assert (stored.state, stored.version) == ("done", 2)


def test_requests_are_deleted_after_the_retention_period(app, database):
    purged = add_request(database, "NF-AAAA-2222", age=timedelta(days=31))
    kept = add_request(database, "NF-BBBB-3333", age=timedelta(days=29))
    with database() as db:
        for request_id, confirmation in ((purged, "NF-AAAA-2222"), (kept, "NF-BBBB-3333")):
            toolkit.audit("state", "emergency_request", request_id, actor="sachbearbeitung@amt.example",
                          summary=confirmation, before={"state": "new"}, after={"state": "done"})
        assert portal_purge_expired(db, toolkit.utcnow()) == 1
        db.commit()
        assert db.scalars(select(EmergencyRequest.confirmation)).all() == ["NF-BBBB-3333"]
        assert db.scalar(select(func.count()).select_from(toolkit.MailMessage)) == 1
        logged = db.execute(text("SELECT summary FROM core_audit_entry ORDER BY id")).scalars().all()
        assert logged == ["", "NF-BBBB-3333"]


def test_a_request_in_arabic_reads_right_to_left_on_a_german_page(caseworker, database):
    request_id = add_request(database, "NF-DDDD-5555")
    with database() as db:
        item = db.get(EmergencyRequest, request_id)
        item.matter, item.language, item.other_language = "تنتهي إقامتي يوم الجمعة، أرجو الرد.", "other", "ትግርኛ"
        db.commit()
    page = lxml.html.fromstring(caseworker.get(f"{INBOX}requests/{request_id}").get_data(as_text=True))
    matter = page.xpath("//p[contains(@class, 'emergency-matter')]")[0]
    assert matter.get("dir") == "auto" and matter.text_content().startswith("تنتهي")
    assert "\u2068ትግርኛ\u2069" in page.xpath("string(//dl)")


def details(caseworker, request_id, lang="de") -> dict[str, lxml.html.HtmlElement]:
    """Return a request page's details, each <dd> by the text of its <dt>."""
    page = lxml.html.fromstring(caseworker.get(f"/{lang}/staff/emergency/requests/{request_id}").get_data(as_text=True))
    return {term.text_content(): term.getnext() for term in page.xpath("//dl/dt")}


def test_staff_read_the_reply_language_in_their_language_then_in_its_own_as_in_the_mail(caseworker, database):
    request_id = add_request(database, "NF-EEEE-6666")
    with database() as db:
        db.get(EmergencyRequest, request_id).language = "ar"
        db.commit()
        mailed = compose(db.get(EmergencyRequest, request_id))[1]
    german = details(caseworker, request_id)["Bevorzugte Sprache"].text_content()
    assert german == "Arabisch (\u2068العربية\u2069)"
    assert f"Bevorzugte Sprache: {german}" in mailed.splitlines()
    english = details(caseworker, request_id, "en")["Preferred language"].text_content()
    assert english == "Arabic (\u2068العربية\u2069)"


@pytest.mark.parametrize("code, reader, name", [
    ("ti", "de", "Tigrinya (\u2068ትግርኛ\u2069)"),
    ("fa_AF", "de", "Dari (\u2068دری\u2069)"),
    ("ar", "fr", "Arabe (\u2068العربية\u2069)"),
    # Named alike in the reader's language and in its own: once.
    ("de", "de", "Deutsch"),
    ("en", "en", "English"),
])
def test_a_reply_language_is_named_as_the_reader_writes_it_then_as_it_writes_itself(app, code, reader, name):
    with app.test_request_context():
        assert reply_language(EmergencyRequest(language=code), reader) == name


def test_the_request_page_shows_the_readable_domain_and_names_the_reference_for_both_numbers(caseworker, database):
    request_id = add_request(database, "NF-FFFF-7777")
    with database() as db:
        item = db.get(EmergencyRequest, request_id)
        item.contact_email, item.reference = "kunde@xn--bcher-kva.de", "AT-1234567"
        db.commit()
    shown = details(caseworker, request_id)
    [link] = shown["E-Mail"].xpath("a")
    assert (link.text_content(), link.get("href")) == ("kunde@bücher.de", "mailto:kunde@xn--bcher-kva.de")
    assert shown["Aktenzeichen oder Nummer des Aufenthaltstitels"].text_content() == "AT-1234567"


@pytest.mark.parametrize("address, readable", [
    ("kunde@xn--bcher-kva.de", "kunde@bücher.de"),
    ("kunde@bücher.de", "kunde@bücher.de"),
    ("kunde@example.org", "kunde@example.org"),
    # Not valid IDNA: shown as the client's browser sent it.
    ("kunde@xn--zz.de", "kunde@xn--zz.de"),
    ("", ""),
])
def test_an_address_is_shown_with_the_domain_people_know(address, readable):
    assert readable_address(address) == readable


def test_the_mail_s_state_and_time_are_joined_with_the_reader_s_comma(caseworker, database):
    request_id = add_request(database, "NF-EEEE-6666")
    with database() as db:
        db.get(EmergencyRequest, request_id).mail.sent_at = toolkit.utcnow()
        db.commit()
    german = details(caseworker, request_id)["E-Mail an die Notfall-Adresse"].text_content()
    arabic = details(caseworker, request_id, "ar")
    sent = next(value.text_content() for value in arabic.values() if "،" in value.text_content())
    assert ", " in german and ", " not in sent
