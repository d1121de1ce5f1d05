import copy
import json
import re

import lxml.html
from flask import render_template_string
from portal_plugins.checklists.checklist import translation_status
from portal_plugins.checklists.defaults import shipped_content
from portal_plugins.checklists.models import Question, Service
from sqlalchemy import select

EXTENSION = "/de/checklists/residence-permit-extension"
PAYSLIPS = "Ihre Gehaltsabrechnungen der letzten sechs Monate"


def groups_of(tree) -> dict[str, dict]:
    """Return each group of a checklist page by its condition: heading, item labels, hidden or not."""
    groups = {}
    for group in tree.xpath("//div[@data-condition]"):
        groups[group.get("data-condition")] = {
            "heading": group.xpath("string(h3)").strip(),
            "items": [label.text_content().strip() for label in group.xpath(".//label")],
            "hidden": group.get("hidden") is not None,
        }
    return groups


def set_content(data, slug: str, change) -> None:
    """Replace a service's content by change(content), straight in the database."""
    def update(session):
        entry = session.scalars(select(Service).filter_by(slug=slug)).one()
        entry.content = change(copy.deepcopy(entry.content))

    data(update)


def test_index_lists_the_eight_shipped_services(client, defaults, parse):
    tree = parse(client.get("/de/checklists/"))
    titles = [title.text_content() for title in tree.xpath("//ul[@class='tiles']//*[@class='tile__title']")]
    assert len(titles) == 8
    assert "Übergabe der Einbürgerungsurkunde" in " ".join(titles) or any("Einbürgerungsurkunde" in t for t in titles)


def test_without_answers_every_item_shows_grouped_by_condition(client, defaults, parse):
    response = client.get(EXTENSION)
    assert response.status_code == 200
    groups = groups_of(parse(response))
    assert list(groups) == ["", "employed", "self_employed", "student"]
    assert not any(group["hidden"] for group in groups.values())
    assert groups[""]["heading"] == "Das brauchen alle"
    assert groups["employed"]["heading"] == "Wenn Sie angestellt sind:"
    assert PAYSLIPS in groups["employed"]["items"]
    assert sum(len(group["items"]) for group in groups.values()) == 12


def test_answers_filter_the_items_on_the_server(client, defaults, parse):
    tree = parse(client.get(EXTENSION + "?employed=no&student=yes&self_employed=maybe"))
    groups = groups_of(tree)
    assert groups["employed"]["hidden"]
    assert not groups["student"]["hidden"]
    # A value other than yes or no counts as not answered: the group stays, marked by its heading.
    assert not groups["self_employed"]["hidden"]
    checked = {radio.get("id") for radio in tree.xpath("//input[@type='radio'][@checked]")}
    assert checked == {"q-employed-no", "q-student-yes", "q-self_employed-open"}


def test_questions_show_only_when_an_item_depends_on_them(client, defaults, parse):
    tree = parse(client.get("/de/checklists/lost-residence-card"))
    asked = {radio.get("name") for radio in tree.xpath("//form[@data-checklist-questions]//input[@type='radio']")}
    assert asked == {"has_children", "employed"}


def test_example_items_are_marked_for_the_municipality_to_adapt(client, defaults, parse):
    tree = parse(client.get(EXTENSION))
    fee = tree.xpath("//li[.//label[contains(., 'Gebühr')]]")[0]
    assert "Beispiel – bitte beim Amt erfragen" in fee.text_content()
    passport = tree.xpath("//li[.//label[contains(., 'Reisepass')]]")[0]
    assert "Beispiel" not in passport.text_content()
    english = parse(client.get("/en/checklists/residence-permit-extension"))
    assert english.xpath("//li[.//label[contains(., 'Fee')]]//span[contains(@class, 'checklists-example')]")[0] \
        .text_content() == "Example – please ask the office"


def test_missing_translation_falls_back_to_german_with_a_visible_note(client, defaults, data, parse):
    assert not parse(client.get("/tr/checklists/residence-permit-extension")).xpath("//*[@class='fallback-note']")

    def drop_turkish(content):
        next(item for item in content["items"] if item["text"]["de"] == PAYSLIPS)["text"].pop("tr")
        return content

    set_content(data, "residence-permit-extension", drop_turkish)
    tree = parse(client.get("/tr/checklists/residence-permit-extension"))
    assert tree.xpath("//*[@class='fallback-note']")
    label = tree.xpath(f"//label[contains(., '{PAYSLIPS}')]/span")[0]
    assert (label.get("lang"), label.get("dir")) == ("de", "ltr")
    # The rest stays in Turkish, without lang attributes of its own.
    assert tree.xpath("//h1")[0].text_content() == "Süreli oturma izninin uzatılması"


def test_bilingual_print_view_sets_language_and_direction_per_column(client, defaults, parse):
    response = client.get("/ar/checklists/residence-permit-extension/print?employed=no")
    assert response.status_code == 200
    tree = parse(response)
    headers = [(th.get("lang"), th.get("dir")) for th in tree.xpath("//table//thead//th[@lang]")]
    assert headers == [("de", "ltr"), ("ar", "rtl")]
    passport_row = tree.xpath("//tr[td//strong[contains(., 'Ihr gültiger Reisepass')]]")[0]
    # The cells carry their column's language and direction, so the German column is aligned left on an Arabic page.
    cells = passport_row.xpath("td[strong]")
    assert [(cell.get("lang"), cell.get("dir")) for cell in cells] == [("de", "ltr"), ("ar", "rtl")]
    assert cells[1].xpath("string(strong)") == "جواز سفركم الساري المفعول"
    # The texts inside are in their cell's language and say nothing of their own.
    assert not passport_row.xpath("td//*[@lang or @dir]")
    # Answered "no": the payslips are not on the printout at all.
    assert PAYSLIPS not in response.get_data(as_text=True)
    # The example mark is in each column's own language.
    fee_row = tree.xpath("//tr[td//strong[contains(., 'Gebühr')]]")[0]
    badges = fee_row.xpath(".//span[contains(@class, 'checklists-example')]")
    assert [badge.xpath("string(ancestor::td/@lang)") for badge in badges] == ["de", "ar"]
    assert badges[0].text_content() == "Beispiel – bitte beim Amt erfragen"
    assert badges[1].text_content() != badges[0].text_content()


def test_a_text_missing_in_the_visitor_s_column_is_printed_in_german_and_marked_so(client, defaults, data, parse):
    def without_arabic_passport(content):
        passport = next(item for item in content["items"] if item["text"]["de"] == "Ihr gültiger Reisepass")
        del passport["text"]["ar"]
        return content

    set_content(data, "residence-permit-extension", without_arabic_passport)
    tree = parse(client.get("/ar/checklists/residence-permit-extension/print"))
    arabic_cell = tree.xpath("//tr[td//strong[contains(., 'Ihr gültiger Reisepass')]]/td[@lang='ar']")[0]
    assert arabic_cell.get("dir") == "rtl"
    german_text = arabic_cell.xpath("strong")[0]
    assert (german_text.text_content(), german_text.get("lang"), german_text.get("dir")) == (
        "Ihr gültiger Reisepass", "de", "ltr")
    # The note is in the page's language, which is the cell's.
    note = arabic_cell.xpath("span[@class='checklists-print__missing']")[0]
    assert note.get("lang") is None and note.text_content() != "(noch nicht übersetzt)"


def test_the_print_view_marks_the_office_s_name_and_a_title_shown_instead_as_german(client, defaults, data, parse):
    set_content(data, "residence-permit-extension", lambda content: {
        **content, "title": {code: text for code, text in content["title"].items() if code != "ar"}})
    tree = parse(client.get("/ar/checklists/residence-permit-extension/print"))
    office = tree.xpath("//p[@class='checklists-print__office']")[0]
    assert (office.text_content(), office.get("lang"), office.get("dir")) == (
        "Amt für Migration und Integration, Musterstadt", "de", "ltr")
    titles = tree.xpath("//span[@class='checklists-print__title-part']")
    assert [(title.text_content(), title.get("lang")) for title in titles] == [
        ("Verlängerung der Aufenthaltserlaubnis", "de")] * 2


def quoted_german(element) -> list[tuple[str, str, str]]:
    """Return the names an element marks as German: their words, lang and dir."""
    return [(name.text_content(), name.get("lang"), name.get("dir")) for name in element.xpath(".//bdi")]


def test_german_names_a_translation_quotes_are_marked_german(client, defaults, parse):
    page = parse(client.get("/ar/checklists/settlement-permit"))
    assert quoted_german(page.xpath("//h1")[0]) == [("Niederlassungserlaubnis", "de", "ltr")]
    # The window's title is plain text.
    assert "(Niederlassungserlaubnis)" in page.xpath("string(//title)")
    card = page.get_element_by_id("item-settlement-permit-03-more")
    assert quoted_german(card) == [("eAT", "de", "ltr"), ("Zusatzblatt", "de", "ltr")]
    # The brackets belong to the Arabic sentence; the name inside them is read with a German voice.
    assert "(<bdi lang=\"de\" dir=\"ltr\">Zusatzblatt</bdi>)" in lxml.html.tostring(card, encoding="unicode")
    pension = page.xpath("//label[@for='item-settlement-permit-06']")[0]
    # Quoted as its name, declined in the German sentence: "der Deutschen Rentenversicherung".
    assert quoted_german(pension) == [("Deutsche Rentenversicherung", "de", "ltr")]
    # "Leben in Deutschland" in Arabic quotation marks.
    assert ("Leben in Deutschland", "de", "ltr") in quoted_german(page.xpath("//main")[0])

    printed = parse(client.get("/ar/checklists/settlement-permit/print"))
    row = printed.xpath("//tr[td//small[contains(., 'Zusatzblatt')]]")[0]
    assert quoted_german(row.xpath("td[@lang='ar']")[0]) == [("eAT", "de", "ltr"), ("Zusatzblatt", "de", "ltr")]
    assert quoted_german(row.xpath("td[@lang='de']")[0]) == []


def test_only_names_of_the_source_text_count_and_german_pages_have_none_to_mark(client, defaults, parse):
    english = parse(client.get("/en/checklists/settlement-permit"))
    # "(permanent residence)" explains in English; "(Zusatzblatt)" is the German name of the sheet.
    assert quoted_german(english.xpath("//h1")[0]) == []
    assert ("Zusatzblatt", "de", "ltr") in quoted_german(english.get_element_by_id("item-settlement-permit-03-more"))
    # The "(e)" of "salarié(e)" is part of a French word.
    french = parse(client.get("/fr/checklists/residence-permit-extension"))
    assert quoted_german(french.xpath("//div[@data-condition='employed']/h3")[0]) == []
    german = parse(client.get("/de/checklists/settlement-permit"))
    assert german.xpath("//main//bdi[@lang]") == []


def test_german_print_view_has_one_column(client, defaults, parse):
    tree = parse(client.get("/de/checklists/residence-permit-extension/print"))
    assert [th.get("lang") for th in tree.xpath("//table//thead//th[@lang]")] == ["de"]
    assert PAYSLIPS in tree.text_content()


def test_shareable_link_is_stable_and_carries_the_answers(client, defaults, parse):
    tree = parse(client.get(EXTENSION + "?employed=no&student=yes"))
    link = tree.xpath("//a[@data-checklist-share]")[0]
    assert link.get("href") == "http://localhost/de/checklists/residence-permit-extension?employed=no&student=yes"
    print_link = tree.xpath("//a[contains(@href, '/print')]")[0].get("href")
    assert "employed=no" in print_link and "student=yes" in print_link


def test_unknown_or_hidden_service_is_not_found(client, defaults, data):
    assert client.get("/de/checklists/no-such-service").status_code == 404
    set_content(data, "eu-blue-card", lambda content: {**content, "published": False})
    assert client.get("/de/checklists/eu-blue-card").status_code == 404
    assert "eu-blue-card" not in client.get("/de/checklists/").get_data(as_text=True)


def test_appointment_result_slot_links_to_the_service_checklist(app, make_app, defaults):
    # The appointment result's slot exists while the appointments plugin is enabled.
    with_appointments = make_app(plugins=["checklists", "appointments"])
    template = "{{ slot('appointments.result', service=service, location='Wacker Hof') }}"
    with with_appointments.test_request_context("/de/"):
        box = render_template_string(template, service="naturalisation-certificate-handover")
        unknown = render_template_string(template, service="dog-licence")
        nothing = render_template_string("{{ slot('appointments.result', location='Wacker Hof') }}")
    assert 'href="/de/checklists/naturalisation-certificate-handover"' in box
    assert "Übergabe" in box or "Einbürgerungsurkunde" in box
    assert unknown.strip() == "" and nothing.strip() == ""


def test_load_defaults_adds_missing_content_and_keeps_edits(app, data):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["checklists", "load-defaults"])
    assert "checklists added: 8" in first.output
    set_content(data, "lost-residence-card", lambda content: {**content, "title": {"de": "Karte verloren"}})
    data(lambda session: session.delete(session.scalars(select(Service).filter_by(slug="eu-blue-card")).one()))
    second = runner.invoke(args=["checklists", "load-defaults"])
    assert "questions added: 0; checklists added: 1; checklists kept as they are: 7" in second.output

    def titles_and_versions(session):
        services = {entry.slug: entry for entry in session.scalars(select(Service))}
        return services["lost-residence-card"].content["title"], len(services["eu-blue-card"].versions)

    assert data(titles_and_versions) == ({"de": "Karte verloren"}, 1)


def without_languages(text: dict, codes: tuple[str, ...]) -> dict:
    return {code: value for code, value in text.items() if code not in codes}


def test_load_defaults_brings_new_languages_to_texts_staff_left_as_shipped(app, defaults, data, staff_client):
    new = ("ps", "ti")

    def as_before_the_upgrade(session):
        for service in session.scalars(select(Service)):
            content = copy.deepcopy(service.content)
            for key in ("title", "summary"):
                content[key] = without_languages(content[key], new)
            for item in content["items"]:
                item["text"] = without_languages(item["text"], new)
                item["hint"] = without_languages(item.get("hint") or {}, new)
            service.content = content
        for question in session.scalars(select(Question)):
            question.text = without_languages(question.text, new)
            question.label = without_languages(question.label, new)

    data(as_before_the_upgrade)

    def staff_edit(content):
        content["items"][0]["text"] = {**content["items"][0]["text"], "de": "Ihr Einladungsschreiben (Original)"}
        content["items"].append({"key": "own", "text": {"de": "Eigener Eintrag"}, "hint": {}, "condition": None,
                                 "example": False})
        return content

    set_content(data, "lost-residence-card", staff_edit)
    runner = app.test_cli_runner()
    output = runner.invoke(args=["checklists", "load-defaults"]).output
    added = int(re.search(r"shipped translations added to stored texts: (\d+)", output)[1])

    def stored(session):
        services = {entry.slug: entry for entry in session.scalars(select(Service))}
        lost = services["lost-residence-card"]
        student = session.scalars(select(Question).filter_by(key="student")).one()
        return lost.content, [(v.number, v.action) for v in lost.versions], lost.version, student.text

    content, versions, version, question = data(stored)
    texts = sum(2 + len(service["items"]) + sum(1 for item in service["items"] if item.get("hint"))
                for service in shipped_content()["services"]) + 2 * len(shipped_content()["questions"])
    # Every text in both languages, but the item whose German text staff changed.
    assert added == 2 * (texts - 1)
    shipped = {service["slug"]: service for service in shipped_content()["services"]}["lost-residence-card"]
    assert content["title"]["ps"] == shipped["title"]["ps"] and content["items"][1]["text"]["ti"]
    assert "ps" not in content["items"][0]["text"] and content["items"][-1]["text"] == {"de": "Eigener Eintrag"}
    assert versions[0] == (version, "shipped_languages") and question["ps"]
    again = runner.invoke(args=["checklists", "load-defaults"]).output
    assert "shipped translations added to stored texts: 0" in again
    history = staff_client("editor").get("/de/staff/checklists/services/lost-residence-card/versions")
    assert "mitgelieferte Übersetzungen ergänzt" in history.get_data(as_text=True)


def test_translation_status_counts_texts_per_language(app, defaults, data):
    def drop_polish(session):
        question = session.scalars(select(Question).filter_by(key="student")).one()
        question.label = {key: value for key, value in question.label.items() if key != "pl"}

    data(drop_polish)
    with app.test_request_context("/de/"):
        status = {entry.lang: entry for entry in translation_status()}
    assert set(status) == set(app.config["PORTAL"]["languages"])
    assert status["de"].translated == status["de"].total > 100
    assert status["pl"].translated == status["pl"].total - 1
    assert status["ar"].translated == status["ar"].total
    report = app.test_cli_runner().invoke(args=["translations", "report"])
    assert report.exit_code == 0 and "checklists" in report.output


def test_the_service_box_takes_its_punctuation_from_the_catalog(app, defaults):
    from portal_plugins.checklists.views import service_box

    def box_text(lang: str) -> str:
        with app.test_request_context(f"/{lang}/checklists/"):
            app.preprocess_request()
            tree = lxml.html.fromstring(str(service_box("family-reunification")))
        return " ".join(tree.xpath("//p")[0].text_content().split())

    german = box_text("de")
    assert re.fullmatch(r".+ \d+ Unterlagen für alle\. Dazu \d+ weitere je nach Ihrer Lage\.", german), german
    for lang in ("ar", "fa"):
        text = box_text(lang)
        assert "," not in text and "Unterlage" not in text, text


def test_the_language_inside_the_print_button_is_written_as_mid_sentence(client, defaults):
    expected = {"ru": "немецкий и русский", "es": "alemán y español", "fr": "allemand et français",
                "uk": "німецька і українська", "pl": "niemiecki i polski", "tr": "Almanca ve Türkçe"}
    for lang, words in expected.items():
        page = client.get(f"/{lang}/checklists/residence-permit-extension").get_data(as_text=True)
        assert words in page, lang


def test_the_service_box_is_rendered_once_per_language_and_shows_a_change_at_once(app, defaults, data, monkeypatch):
    from portal_plugins.checklists import views

    lookups = []
    real_find_service = views.find_service
    monkeypatch.setattr(views, "find_service", lambda slug: lookups.append(slug) or real_find_service(slug))

    def box(lang: str) -> str:
        with app.test_request_context(f"/{lang}/checklists/"):
            app.preprocess_request()
            return str(views.service_box("family-reunification"))

    first, again, arabic = box("de"), box("de"), box("ar")
    assert first == again and arabic != first
    assert lookups == ["family-reunification"] * 2  # German once, Arabic once
    title = "Zu Ihrer Familie ziehen"
    set_content(data, "family-reunification", lambda content: {**content, "title": {**content["title"], "de": title}})
    assert title in box("de") and title not in first


def test_the_tigrinya_texts_write_six_as_shidushte():
    shipped = json.dumps(shipped_content(), ensure_ascii=False)
    assert "ሹድሽተ" not in shipped
    six_months = [text for service in shipped_content()["services"] for item in service["items"]
                  for text in (item["text"], item.get("hint") or {}) if "sechs Monate" in text.get("de", "")]
    assert len(six_months) == 11
    assert [text["ti"] for text in six_months if "ሽዱሽተ ኣዋርሕ" not in text["ti"]] == []
