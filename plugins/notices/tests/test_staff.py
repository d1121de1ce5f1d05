"""Staff pages: write, validate, preview, schedule, publish, withdraw, delete, conflicts, languages, audit."""

from datetime import UTC, datetime, timedelta

import pytest
from lxml import html
from portal_plugins.notices.models import Notice
from sqlalchemy import select

from portal import toolkit
from portal.testing import audit_log, csrf_token, sent_twice, utcnow

NEW = "/de/staff/notices/new"


def form_data(client, url, **values) -> dict:
    data = {"csrf_token": csrf_token(client, url), "category": "opening", "priority": "normal",
            "starts_at": "2026-01-05T08:00", "ends_at": "", "titles-de": "Wieder geöffnet",
            "bodies-de": "Nur mit **Termin**.", "action": "save"}
    data.update({field_name(key): value for key, value in values.items()})
    return data


def field_name(key: str) -> str:
    """Name a language's input: title_ar is titles-ar, body_ar bodies-ar; other keys stay."""
    kind, _, code = key.partition("_")
    return {"title": f"titles-{code}", "body": f"bodies-{code}"}.get(kind, key) if code else key


def edit_url(notice_id: int) -> str:
    return f"/de/staff/notices/{notice_id}"


def audit_entries(app, action: str):
    """Return the audit log's rows about notices for one action, oldest first."""
    log = toolkit.Base.metadata.tables["core_audit_entry"]
    query = select(log).where(log.c.target_type == "notices_notice", log.c.action == action).order_by(log.c.id)
    with app.app_context():
        return app.extensions["portal.db"].session.execute(query).all()


def only_notice(load) -> Notice:
    notices = load(select(Notice))
    assert len(notices) == 1
    return notices[0]


def test_editor_creates_a_draft_then_publishes_it(app, staff_client, client, load):
    editor = staff_client("editor")
    response = editor.post(NEW, data=form_data(editor, NEW, title_ar="أعدنا الفتح", body_ar="بموعد فقط."))
    notice = only_notice(load)
    assert response.status_code == 302 and response.headers["Location"] == edit_url(notice.id)
    assert notice.state == "draft" and set(notice.text_by_language()) == {"de", "ar"}
    assert client.get(f"/de/notices/{notice.id}").status_code == 404
    created = audit_entries(app, "create")[0]
    assert created.after["texts"]["ar"]["title"] == "أعدنا الفتح" and created.actor.startswith("editor-")

    page = editor.get(edit_url(notice.id)).get_data(as_text=True)
    assert "Die Mitteilung ist gespeichert." in page and "Entwurf" in page
    response = editor.post(edit_url(notice.id), data=form_data(editor, edit_url(notice.id), title_ar="أعدنا الفتح",
                                                               body_ar="بموعد فقط.", version="1",
                                                               action="publish"))
    assert response.status_code == 302
    assert only_notice(load).state == "published"
    assert client.get(f"/ar/notices/{notice.id}").status_code == 200
    published = audit_entries(app, "publish")[0]
    assert published.before == {"state": "draft"} and published.after == {"state": "published"}
    published, created = audit_log(staff_client("admin"), "en")[:2]
    assert (published.what, published.changes) == (f"Notice published {notice.id}",
                                                    ["Status | Before: Draft | After: Published"])
    assert created.what == f"Notice created {notice.id}"
    assert "Topic | After: Opening and appointments" in created.changes
    assert [change for change in created.changes if change.startswith("Title (Arabic) | After: ")]
    # Saving again without a change leaves no empty entry in the log.
    unchanged = form_data(editor, edit_url(notice.id), title_ar="أعدنا الفتح", body_ar="بموعد فقط.", version="2")
    assert editor.post(edit_url(notice.id), data=unchanged).status_code == 302
    assert audit_entries(app, "update") == []


@pytest.mark.parametrize("values, field, message", [
    ({"titles-de": ""}, "titles-de", "Bitte geben Sie einen Titel ein."),
    ({"bodies-de": "  "}, "bodies-de", "Bitte geben Sie einen Text ein."),
    ({"titles-tr": "Yeniden açığız"}, "bodies-tr", "Titel und Text gehören zusammen"),
    ({"ends_at": "2026-01-05T07:00"}, "ends_at", "Das Ende muss nach dem Beginn liegen."),
    ({"starts_at": "morgen"}, "starts_at", ""),
    ({"titles-de": "x" * 201}, "titles-de", ""),
])
def test_invalid_input_is_refused_kept_and_explained_at_the_field(staff_client, load, values, field, message):
    editor = staff_client("editor")
    data = form_data(editor, NEW, title_ar="عنوان", body_ar="نص", **values)
    response = editor.post(NEW, data=data)
    assert response.status_code == 422
    tree = html.fromstring(response.get_data(as_text=True))
    error = tree.get_element_by_id(f"{field}-error")
    assert message in error.text_content()
    assert tree.get_element_by_id(field).get("aria-describedby").endswith(f"{field}-error")
    assert tree.get_element_by_id("titles-ar").get("value") == "عنوان"
    assert tree.get_element_by_id("titles-ar").get("dir") == "rtl"
    assert load(select(Notice)) == []


def test_the_error_summary_names_and_links_each_languages_box(staff_client, load):
    editor = staff_client("editor")
    response = editor.post(NEW, data=form_data(editor, NEW, title_de="", body_de="", title_en="Open again"))
    assert response.status_code == 422
    summary = html.fromstring(response.get_data(as_text=True)).xpath("//div[@id='error-summary']//a")
    assert [(link.get("href"), link.text_content().split(":")[0]) for link in summary] == [
        ("#titles-de", "Titel (Deutsch)"), ("#bodies-de", "Text (Deutsch)"), ("#bodies-en", "Text (English)")]
    assert load(select(Notice)) == []


def test_preview_renders_every_language_and_saves_nothing(staff_client, load):
    editor = staff_client("editor")
    response = editor.post(NEW, data=form_data(editor, NEW, action="preview", body_de="- eins\n- zwei",
                                               title_fa="باز شد", body_fa="فقط با **وقت قبلی**"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    tree = html.fromstring(page)
    previews = tree.find_class("notices-preview")[0]
    assert "<li>eins</li>" in html.tostring(previews, encoding="unicode")
    persian = previews.xpath(".//article[@lang='fa']")[0]
    assert persian.get("dir") == "rtl" and "<strong>وقت قبلی</strong>" in html.tostring(persian, encoding="unicode")
    assert tree.get_element_by_id("titles-fa").get("value") == "باز شد"
    assert load(select(Notice)) == []


def test_times_are_read_in_the_office_time_zone(staff_client, load):
    editor = staff_client("editor")
    editor.post(NEW, data=form_data(editor, NEW, starts_at="2026-01-05T08:00", ends_at="2026-07-01T12:30"))
    notice = only_notice(load)
    assert notice.starts_at == datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    assert notice.ends_at == datetime(2026, 7, 1, 10, 30, tzinfo=UTC)
    page = editor.get(edit_url(notice.id)).get_data(as_text=True)
    assert 'value="2026-01-05T08:00"' in page and 'value="2026-07-01T12:30"' in page


def test_publishing_with_a_future_start_schedules_the_notice(staff_client, client, load):
    editor = staff_client("editor")
    start = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = editor.post(NEW, data=form_data(editor, NEW, starts_at=start, action="publish"), follow_redirects=True)
    assert "ist geplant und erscheint am" in response.get_data(as_text=True)
    notice = only_notice(load)
    assert notice.state == "published"
    assert "Geplant" in editor.get("/de/staff/notices/").get_data(as_text=True)
    assert client.get(f"/de/notices/{notice.id}").status_code == 404


def test_unpublishing_hides_the_notice_and_is_logged(app, staff_client, client, make_notice, load):
    notice_id = make_notice({"de": ("Umzug", "Neue Adresse.")})
    editor = staff_client("editor")
    assert "Speichern und zurückziehen" in editor.get(edit_url(notice_id)).get_data(as_text=True)
    response = editor.post(edit_url(notice_id), data=form_data(editor, edit_url(notice_id), title_de="Umzug",
                                                               body_de="Neue Adresse.", version="1",
                                                               action="unpublish"))
    assert response.status_code == 302
    assert client.get(f"/de/notices/{notice_id}").status_code == 404
    assert audit_entries(app, "unpublish")[0].after["state"] == "draft"


def test_edit_changes_and_removes_languages_and_logs_only_the_changes(app, staff_client, make_notice, load):
    notice_id = make_notice({"de": ("Umzug", "Neue Adresse."), "en": ("Move", "New address.")})
    editor = staff_client("editor")
    editor.post(edit_url(notice_id), data=form_data(editor, edit_url(notice_id), title_de="Umzug",
                                                    body_de="Neue Adresse: Erkrather Straße 377.", title_en="",
                                                    body_en="", version="1"))
    notice = only_notice(load)
    assert set(notice.text_by_language()) == {"de"} and notice.version == 2
    update = audit_entries(app, "update")[0]
    assert set(update.after) == {"texts", "starts_at", "category"}
    assert update.before["texts"]["en"]["title"] == "Move"


def test_second_editor_gets_a_conflict_and_keeps_their_input(app, staff_client, make_notice, load):
    notice_id = make_notice({"de": ("Umzug", "Neue Adresse.")})
    first, second = staff_client("editor"), staff_client("editor")
    first_form = form_data(first, edit_url(notice_id), title_de="Umzug in den Wacker Hof", body_de="Neue Adresse.",
                           title_ar="انتقال", body_ar="عنوان جديد.", version="1")
    second_form = form_data(second, edit_url(notice_id), title_de="Umzug",
                            body_de="Bitte Einladungsschreiben mitbringen.",
                            title_en="Move", body_en="Bring your letter.", version="1")
    assert first.post(edit_url(notice_id), data=first_form).status_code == 302

    response = second.post(edit_url(notice_id), data=second_form)
    assert response.status_code == 409
    tree = html.fromstring(response.get_data(as_text=True))
    conflict = tree.xpath("//section[@role='alert']")[0]
    assert "inzwischen gespeichert" in conflict.text_content()
    assert "Umzug in den Wacker Hof" in conflict.text_content()
    # The stored texts in the form's order: the source language first, whatever its code.
    titles = [term.text_content() for term in conflict.xpath(".//dt") if term.text_content().startswith("Titel")]
    assert titles == ["Titel (Deutsch)", "Titel (Arabisch)"]
    assert tree.get_element_by_id("bodies-de").text_content().strip() == "Bitte Einladungsschreiben mitbringen."
    assert tree.get_element_by_id("titles-en").get("value") == "Move"
    assert tree.xpath("//input[@name='version']")[0].get("value") == "2"
    saved = only_notice(load)
    assert saved.text_by_language()["de"].title == "Umzug in den Wacker Hof" and saved.version == 2

    # Having seen the other change, the second editor saves on top of it.
    second_form.update({"version": "2", "titles-de": "Umzug in den Wacker Hof"})
    assert second.post(edit_url(notice_id), data=second_form).status_code == 302
    saved = only_notice(load)
    assert saved.text_by_language()["de"].body == "Bitte Einladungsschreiben mitbringen." and saved.version == 3


def test_delete_asks_first_and_refuses_a_stale_version(app, staff_client, make_notice, load):
    notice_id = make_notice({"de": ("Nur mit Karte", "Kein Bargeld.")})
    editor = staff_client("editor")
    confirm = editor.get(f"{edit_url(notice_id)}/delete").get_data(as_text=True)
    assert "„Nur mit Karte“" in confirm and "Endgültig löschen" in confirm
    token = csrf_token(editor, f"{edit_url(notice_id)}/delete")
    stale = editor.post(f"{edit_url(notice_id)}/delete", data={"csrf_token": token, "version": "0"})
    assert stale.headers["Location"] == edit_url(notice_id) and len(load(select(Notice))) == 1
    response = editor.post(f"{edit_url(notice_id)}/delete", data={"csrf_token": token, "version": "1"})
    assert response.headers["Location"] == "/de/staff/notices/"
    assert load(select(Notice)) == []
    assert audit_entries(app, "delete")[0].before["texts"]["de"]["title"] == "Nur mit Karte"


def test_a_deleted_notices_form_never_reaches_the_next_notice(app, staff_client, make_notice, load):
    deleted_id = make_notice({"de": ("Nur mit Karte", "Kein Bargeld.")})
    editor = staff_client("editor")
    stale_form = form_data(editor, edit_url(deleted_id), title_de="Bargeld wieder möglich", version="1")
    token = csrf_token(editor, f"{edit_url(deleted_id)}/delete")
    assert editor.post(f"{edit_url(deleted_id)}/delete", data={"csrf_token": token, "version": "1"}).status_code == 302

    # SQLite without AUTOINCREMENT would give the deleted notice's id, and its version 1, to the next one.
    next_id = make_notice({"de": ("Umzug", "Neue Adresse.")})
    assert next_id != deleted_id
    gone = editor.post(edit_url(deleted_id), data=stale_form)
    assert gone.status_code == 410 and only_notice(load).text_by_language()["de"].title == "Umzug"
    # Named as the form was sent, for someone with several forms open.
    assert "Jemand hat den Eintrag „Bargeld wieder möglich“ gelöscht" in gone.get_data(as_text=True)
    # What was typed is not lost: one click saves it as a new notice, a draft to look at again.
    kept = html.fromstring(gone.get_data(as_text=True)).get_element_by_id("send-again")
    assert kept.get("action") == NEW and kept.xpath("string(.//button)") == "Als neuen Eintrag speichern"
    fields = dict(kept.form_values())
    assert fields["titles-de"] == "Bargeld wieder möglich" and "version" not in fields and "action" not in fields
    saved = editor.post(NEW, data=fields)
    assert saved.status_code == 302
    again = load(select(Notice).where(Notice.id != next_id))
    assert [(n.state, n.text_by_language()["de"].title) for n in again] == [("draft", "Bargeld wieder möglich")]


def test_the_gone_page_names_the_notice_by_its_typed_title_marked_german(staff_client, make_notice):
    notice_id = make_notice({"de": ("Nur mit Karte", "Kein Bargeld.")})
    editor = staff_client("editor")
    url = f"/ar/staff/notices/{notice_id}"
    stale_form = form_data(editor, url, title_de="Bargeld wieder möglich", version="1")
    token = csrf_token(editor, f"{url}/delete")
    assert editor.post(f"{url}/delete", data={"csrf_token": token, "version": "1"}).status_code == 302
    gone = editor.post(url, data=stale_form)
    assert gone.status_code == 410
    names = html.fromstring(gone.get_data(as_text=True)).xpath("//main//p/bdi")
    assert [(name.text, name.get("lang")) for name in names] == [("Bargeld wieder möglich", "de")]


def test_a_delete_sent_twice_is_answered_as_the_first(app, staff_client, make_notice, load, form_values):
    notice_id = make_notice({"de": ("Nur mit Karte", "Kein Bargeld.")})
    editor = staff_client("editor")
    url = f"{edit_url(notice_id)}/delete"
    first, second = sent_twice(editor, url, form_values(editor.get(url), "actions"))
    assert (first.status_code, second.status_code) == (302, 303)
    assert second.headers["Location"] == "/de/staff/notices/"
    flashes = html.fromstring(editor.get("/de/staff/notices/").get_data(as_text=True)).xpath("//p[@class='flash "
                                                                                                  "flash--success']")
    assert [flash.text_content() for flash in flashes] == ["Die Mitteilung ist gelöscht."]
    assert load(select(Notice)) == [] and len(audit_entries(app, "delete")) == 1


def test_a_delete_of_a_notice_a_colleague_deleted_names_it_on_the_list(staff_client, make_notice, form_values):
    notice_id = make_notice({"de": ("Nur mit Karte", "Kein Bargeld."), "ar": ("البطاقة فقط", "لا نقود.")})
    editor, colleague = staff_client("editor"), staff_client("editor")
    url = f"{edit_url(notice_id)}/delete"
    mine = form_values(editor.get(url), "actions")
    assert colleague.post(url, data=form_values(colleague.get(url), "actions")).status_code == 302
    response = editor.post(url.replace("/de/", "/ar/"), data=mine)
    assert (response.status_code, response.headers["Location"]) == (303, "/ar/staff/notices/")
    note = html.fromstring(editor.get("/ar/staff/notices/").get_data(as_text=True)).xpath("//p[@class='flash "
                                                                                              "flash--info']")[0]
    # The title staff wrote, in the source language, inside the Arabic sentence.
    assert [(name.text, name.get("lang")) for name in note.xpath("bdi")] == [("Nur mit Karte", "de")]


def test_the_question_page_of_a_deleted_notice_leads_to_the_list_saying_who_deleted_it(staff_client, make_notice,
                                                                                       form_values):
    notice_id = make_notice({"de": ("Nur mit Karte", "Kein Bargeld.")})
    editor, colleague = staff_client("editor"), staff_client("editor")
    url = f"{edit_url(notice_id)}/delete"
    colleague.get(url)  # the colleague has it open, from a list now out of date
    assert editor.post(url, data=form_values(editor.get(url), "actions")).status_code == 302
    editor.get("/de/staff/notices/")
    # Back after the delete asks for the question page again: the list, and that it is deleted.
    back = editor.get(url)
    assert (back.status_code, back.headers["Location"]) == (303, "/de/staff/notices/")
    flashes = html.fromstring(editor.get("/de/staff/notices/").get_data(as_text=True)).xpath("//p[@class='flash "
                                                                                                  "flash--success']")
    assert [flash.text_content() for flash in flashes] == ["Die Mitteilung ist gelöscht."]
    assert colleague.get(url).status_code == 303
    note = html.fromstring(colleague.get("/de/staff/notices/").get_data(as_text=True)).xpath(
        "//p[@class='flash flash--info']")[0]
    assert note.text_content() == "Den Eintrag „Nur mit Karte“ hat inzwischen jemand anderes gelöscht."
    # An address of a notice the log never saw deleted is not found.
    assert editor.get(f"{edit_url(notice_id + 100)}/delete").status_code == 404


def test_a_delete_racing_a_colleagues_delete_says_so(staff_client, make_notice, load, form_values,
                                                     colleague_saves_first):
    notice_id = make_notice({"de": ("Nur mit Karte", "Kein Bargeld.")})
    editor = staff_client("editor")
    url = f"{edit_url(notice_id)}/delete"
    mine = form_values(editor.get(url), "actions")
    # The colleague's delete, left out of the log here, lands between this one's check of the version and its write.
    colleague_saves_first(Notice, lambda session: session.delete(session.get(Notice, notice_id)))
    response = editor.post(url, data=mine, follow_redirects=True)
    assert "Den Eintrag, den Sie löschen wollten, hat inzwischen jemand anderes gelöscht." in response.get_data(
        as_text=True)
    assert load(select(Notice)) == []


def test_language_page_shows_what_exists_and_what_is_missing(app, staff_client, make_notice):
    make_notice({"de": ("Umzug", "Text"), "ar": ("انتقال", "نص"), "en": ("Move", "Text")})
    page = staff_client("editor").get("/de/staff/notices/languages").get_data(as_text=True)
    row = html.fromstring(page).xpath("//tbody/tr")[0]
    cells = [cell.text_content().strip() for cell in row.xpath("td")]
    languages = app.config["PORTAL"]["languages"]
    assert cells[:len(languages)] == ["✓vorhanden" if code in {"de", "en", "ar"} else "fehlt" for code in languages]
    missing = row.xpath("td")[-1]
    # Dari's code is fa_AF; its lang attribute is the BCP 47 tag.
    assert [span.get("lang") for span in missing.xpath("span")] == [
        "tr", "fa", "uk", "ru", "es", "fr", "pl", "ku", "ckb", "fa-AF", "ps", "ti"]


def test_staff_pages_need_the_editor_role(staff_client, client, make_notice):
    notice_id = make_notice()
    caseworker, admin = staff_client("caseworker"), staff_client("admin")
    for url in ("/de/staff/notices/", NEW, edit_url(notice_id), "/de/staff/notices/languages"):
        assert client.get(url).status_code == 302
        assert caseworker.get(url).status_code == 403
        assert admin.get(url).status_code == 200
    assert 'href="/de/staff/notices/"' not in caseworker.get("/de/staff/").get_data(as_text=True)
    menu = staff_client("editor").get("/de/staff/").get_data(as_text=True)
    assert 'href="/de/staff/notices/"' in menu and 'href="/de/staff/notices/languages"' in menu


def test_a_save_that_races_another_is_a_conflict_too(app, staff_client, make_notice, load, colleague_saves_first):
    notice_id = make_notice({"de": ("Umzug", "Neue Adresse.")})
    editor = staff_client("editor")
    data = form_data(editor, edit_url(notice_id), title_de="Umzug", body_de="Meine Fassung.", version="1")

    def colleague(session):
        session.get(Notice, notice_id).texts[0].body = "Neue Adresse ab Montag."
        session.get(Notice, notice_id).updated_at = utcnow()

    colleague_saves_first(Notice, colleague)
    response = editor.post(edit_url(notice_id), data=data)
    assert response.status_code == 409
    tree = html.fromstring(response.get_data(as_text=True))
    assert tree.get_element_by_id("bodies-de").text_content().strip() == "Meine Fassung."
    assert "Neue Adresse ab Montag." in tree.xpath("//section[@role='alert']")[0].text_content()
    assert tree.xpath("//input[@name='version']")[0].get("value") == "2"
    saved = only_notice(load)
    assert saved.version == 2 and saved.text_by_language()["de"].body == "Neue Adresse ab Montag."


def test_a_delete_that_races_a_save_is_refused(app, staff_client, make_notice, load, colleague_saves_first):
    notice_id = make_notice({"de": ("Umzug", "Neue Adresse.")})
    editor = staff_client("editor")
    token = csrf_token(editor, f"{edit_url(notice_id)}/delete")
    colleague_saves_first(Notice, lambda session: setattr(session.get(Notice, notice_id), "priority", "urgent"))
    response = editor.post(f"{edit_url(notice_id)}/delete", data={"csrf_token": token, "version": "1"})
    assert response.headers["Location"] == edit_url(notice_id)
    assert only_notice(load).priority == "urgent"


def test_a_title_staff_wrote_is_marked_german_on_staff_pages_in_another_language(staff_client, make_notice):
    notice_id = make_notice({"de": ("Umzug", "Neue Adresse."), "ar": ("انتقال", "عنوان جديد.")})
    editor = staff_client("editor")
    for url in ("/ar/staff/notices/", "/ar/staff/notices/languages", f"/ar/staff/notices/{notice_id}/delete"):
        tree = html.fromstring(editor.get(url).get_data(as_text=True))
        marked = tree.xpath("//main//bdi[normalize-space(.) = 'Umzug']")
        assert marked and marked[0].get("lang") == "de" and marked[0].get("dir") == "ltr", url
    # On a German page it is the page's own language: no mark needed.
    assert "<bdi" not in html.tostring(html.fromstring(editor.get("/de/staff/notices/").get_data(as_text=True))
                                       .xpath("//main//table")[0], encoding="unicode")


def test_a_start_time_shown_without_seconds_and_left_alone_is_not_changed(app, staff_client, make_notice,
                                                                           form_values):
    notice_id = make_notice({"de": ("Umzug", "Neue Adresse.")})
    editor = staff_client("editor")
    values = form_values(editor.get(edit_url(notice_id)))
    values.setlist("bodies-de", ["Neue Adresse: Erkrather Straße 377."])
    values.setlist("action", ["save"])
    assert editor.post(edit_url(notice_id), data=values).status_code == 302
    assert set(audit_entries(app, "update")[0].after) == {"texts"}


def test_a_page_sent_twice_saves_once_and_answers_as_its_first_sending(app, staff_client, load, form_values):
    editor = staff_client("editor")
    values = form_values(editor.get(NEW)).to_dict() | form_data(editor, NEW)
    first, again = editor.post(NEW, data=values), editor.post(NEW, data=values)
    notice = only_notice(load)
    assert first.status_code == 302
    assert (again.status_code, again.headers["Location"]) == (303, edit_url(notice.id))
    assert "Die Mitteilung ist gespeichert." in editor.get(edit_url(notice.id)).get_data(as_text=True)
    assert len(audit_entries(app, "create")) == 1
    # An edit sent twice is saved once; the second answer is the first's, not a colleague's conflict.
    edit = form_values(editor.get(edit_url(notice.id))).to_dict() | {"titles-de": "Geändert", "action": "publish"}
    first, again = editor.post(edit_url(notice.id), data=edit), editor.post(edit_url(notice.id), data=edit)
    assert (first.status_code, again.status_code) == (302, 303)
    assert "Die Mitteilung ist veröffentlicht." in editor.get(edit_url(notice.id)).get_data(as_text=True)
    assert only_notice(load).version == 2 and len(audit_entries(app, "publish")) == 1


def test_a_page_sent_again_with_other_input_is_a_sending_of_its_own_and_loses_nothing(app, staff_client, load,
                                                                                      form_values):
    editor = staff_client("editor")
    page = form_values(editor.get(NEW)).to_dict() | form_data(editor, NEW)
    assert editor.post(NEW, data=page).status_code == 302
    made = only_notice(load)
    # Back to the edit page, a title changed and another button: the first save's version is gone, so the
    # editor gets the conflict page, the new title kept in the form, not an answer saying it was published.
    edit = form_values(editor.get(edit_url(made.id))).to_dict() | {"titles-de": "Erste Fassung"}
    assert editor.post(edit_url(made.id), data=edit).status_code == 302
    changed = edit | {"titles-de": "Zweite Fassung", "action": "publish"}
    conflict = editor.post(edit_url(made.id), data=changed)
    assert conflict.status_code == 409
    assert html.fromstring(conflict.get_data(as_text=True)).get_element_by_id("titles-de").get("value") == \
        "Zweite Fassung"
    assert (only_notice(load).state, only_notice(load).text_by_language()["de"].title) == ("draft", "Erste Fassung")
    # The new-notice page sent again with other words makes the notice they describe.
    assert editor.post(NEW, data=page | {"titles-de": "Noch eine", "action": "publish"}).status_code == 302
    notices = {notice.text_by_language()["de"].title: notice.state for notice in load(select(Notice))}
    assert notices == {"Erste Fassung": "draft", "Noch eine": "published"}


def test_a_save_that_changes_nothing_keeps_the_version_so_a_colleague_s_page_stays_current(app, staff_client,
                                                                                         make_notice, load,
                                                                                         form_values):
    notice_id = make_notice({"de": ("Umzug", "Neue Adresse."), "ar": ("انتقال", "عنوان جديد.")})
    editor, colleague = staff_client("editor"), staff_client("editor")
    # Saved once through the page, the texts carry what they were written for (the fixture's have nothing).
    assert editor.post(edit_url(notice_id), data=form_values(editor.get(edit_url(notice_id))).to_dict() | {
        "action": "save"}).status_code == 302
    stored = only_notice(load)
    theirs = form_values(colleague.get(edit_url(notice_id))).to_dict() | {"titles-de": "Ihres", "action": "save"}
    unchanged = form_values(editor.get(edit_url(notice_id))).to_dict() | {"action": "save"}
    assert editor.post(edit_url(notice_id), data=unchanged).status_code == 302
    kept = only_notice(load)
    assert (kept.version, kept.updated_at) == (stored.version, stored.updated_at)
    assert colleague.post(edit_url(notice_id), data=theirs).status_code == 302
    saved = only_notice(load)
    assert saved.text_by_language()["de"].title == "Ihres" and saved.version == stored.version + 1
    assert saved.updated_at > stored.updated_at
    assert [entry.after["texts"]["de"]["title"] for entry in audit_entries(app, "update")] == ["Ihres"]


def test_a_page_refused_as_a_conflict_is_saved_when_sent_again(app, staff_client, make_notice, load, form_values):
    notice_id = make_notice({"de": ("Umzug", "Neue Adresse.")})
    editor, colleague = staff_client("editor"), staff_client("editor")
    mine = form_values(editor.get(edit_url(notice_id))).to_dict() | {"titles-de": "Meins", "action": "save"}
    assert colleague.post(edit_url(notice_id), data=form_data(colleague, edit_url(notice_id), version="1",
                                                              title_de="Ihres")).status_code == 302
    conflict = editor.post(edit_url(notice_id), data=mine)
    assert conflict.status_code == 409
    again = form_values(conflict).to_dict() | {"action": "save"}
    assert again["sending_key"] == mine["sending_key"] and again["version"] == "2"
    assert editor.post(edit_url(notice_id), data=again).status_code == 302
    assert only_notice(load).text_by_language()["de"].title == "Meins"


def test_a_new_notice_deleted_before_its_page_is_sent_again_can_be_saved_from_the_kept_copy(staff_client, load,
                                                                                              form_values):
    editor = staff_client("editor")
    values = form_values(editor.get(NEW)).to_dict() | form_data(editor, NEW)
    assert editor.post(NEW, data=values).status_code == 302
    made = only_notice(load)
    token = csrf_token(editor, f"{edit_url(made.id)}/delete")
    assert editor.post(f"{edit_url(made.id)}/delete", data={"csrf_token": token, "version": "1"}).status_code == 302
    # The page sent again finds what it made gone, and offers the copy as a page of its own, with its own key.
    gone = editor.post(NEW, data=values)
    assert gone.status_code == 410
    kept = dict(html.fromstring(gone.get_data(as_text=True)).get_element_by_id("send-again").form_values())
    assert kept["sending_key"] != values["sending_key"]
    assert editor.post(NEW, data=kept).status_code == 302
    assert only_notice(load).text_by_language()["de"].title == "Wieder geöffnet"
