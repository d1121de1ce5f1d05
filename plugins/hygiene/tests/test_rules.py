import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import render_template_string
from portal_plugins.hygiene.defaults import shipped_rules
from portal_plugins.hygiene.models import Rule
from portal_plugins.hygiene.rules import KINDS, PARAMETERS, rules_in_force, translation_status
from sqlalchemy import select

DAY = date(2026, 3, 10)


def texts_of(tree, xpath: str) -> list[str]:
    return [node.text_content().strip() for node in tree.xpath(xpath)]


def test_loading_again_brings_new_languages_to_rules_staff_left_as_shipped(app, data):
    runner = app.test_cli_runner()
    runner.invoke(args=["hygiene", "load-defaults"])
    new = ("ps", "ti")

    def as_before_the_upgrade(session):
        for rule in session.scalars(select(Rule)):
            rule.text = {code: text for code, text in rule.text.items() if code not in new}
            if rule.kind == "mask":
                rule.text = {**rule.text, "de": "Bitte tragen Sie eine FFP2-Maske."}
            if rule.kind == "payment":
                rule.ended_at = datetime.now(UTC)

    data(as_before_the_upgrade)
    output = runner.invoke(args=["hygiene", "load-defaults"]).output
    # Four rules in two languages: not the one staff reworded, not the one that ended.
    assert "shipped translations added to their texts: 8" in output
    texts = data(lambda session: {rule.kind: (rule.text, rule.updated_by) for rule in session.scalars(select(Rule))})
    shipped = {rule["kind"]: rule["text"] for rule in shipped_rules()}
    assert texts["distance"] == (shipped["distance"], "system")
    assert new[0] not in texts["mask"][0] and new[0] not in texts["payment"][0]
    assert "shipped translations added to their texts: 0" in runner.invoke(args=["hygiene", "load-defaults"]).output


def test_the_staff_list_names_the_portal_as_the_author_of_shipped_rules(app, staff_client, parse):
    app.test_cli_runner().invoke(args=["hygiene", "load-defaults"])
    authors = {cell.text_content().split()[-1] for cell in
               parse(staff_client("editor").get("/en/staff/hygiene/")).xpath("//tbody/tr/td[last() - 1]")}
    assert authors == {"(automatic)"}


def test_a_translation_staff_removed_is_not_shipped_again(app, data, staff_client, form_values, parse):
    runner = app.test_cli_runner()
    runner.invoke(args=["hygiene", "load-defaults"])
    mask = data(lambda session: session.scalars(select(Rule.id).filter_by(kind="mask")).one())
    editor, url = staff_client("editor"), f"/de/staff/hygiene/rules/{mask}/edit"
    values = form_values(editor.get(url))
    values.setlist("text-ar", [""])
    assert editor.post(url, data=values).status_code == 302
    assert "shipped translations added to their texts: 0" in runner.invoke(args=["hygiene", "load-defaults"]).output
    text = data(lambda session: session.get(Rule, mask).text)
    assert text["ar"] == "" and text["de"] == shipped_rules()[0]["text"]["de"]
    # Arabic readers get the German rule, marked as German, until staff write a new translation.
    german = parse(app.test_client().get("/ar/hygiene/")).xpath("//*[@lang='de'][contains(., 'Maske')]")
    assert german


def test_default_rules_are_loaded_once_in_every_shipped_language(app, data):
    runner = app.test_cli_runner()
    assert "rules added: 6" in runner.invoke(args=["hygiene", "load-defaults"]).output
    assert "rules exist already; shipped translations added to their texts: 0" in runner.invoke(
        args=["hygiene", "load-defaults"]).output
    client = app.test_client()
    german = client.get("/de/hygiene/").get_data(as_text=True)
    for phrase in ("Maske", "Personen pro Büro: höchstens 2", "nur mit Karte (EC-Karte / girocard)",
                   "Eintritt nur mit Einladung", "mindestens 1,5 Meter Abstand",
                   "Markierungen auf dem Boden"):
        assert phrase in german
    assert "1.5 m" in client.get("/en/hygiene/").get_data(as_text=True)
    with app.test_request_context("/de/"):
        status = {entry.lang: (entry.translated, entry.total) for entry in translation_status()}
    assert set(status.values()) == {(6, 6)} and set(status) == set(app.config["PORTAL"]["languages"])
    report = runner.invoke(args=["translations", "report"])
    assert report.exit_code == 0 and "hygiene" in report.output


def test_validity_period_decides_which_rules_are_in_force(app, add_rule):
    names = {
        add_rule(text={"de": "seit gestern"}, starts_on=DAY - timedelta(days=1)): "since yesterday",
        add_rule(text={"de": "ab morgen"}, starts_on=DAY + timedelta(days=1)): "from tomorrow",
        add_rule(text={"de": "bis gestern"}, starts_on=DAY - timedelta(days=9),
                 ends_on=DAY - timedelta(days=1)): "until yesterday",
        add_rule(text={"de": "bis heute"}, starts_on=DAY - timedelta(days=9), ends_on=DAY): "until today",
        add_rule(text={"de": "früh beendet"}, starts_on=DAY - timedelta(days=9),
                 ended_at=datetime(2026, 3, 10, 8, 0, tzinfo=UTC)): "ended this morning",
    }
    with app.app_context():
        morning = {names[rule.id] for rule in rules_in_force(DAY, now=datetime(2026, 3, 10, 7, 0, tzinfo=UTC))}
        noon = {names[rule.id] for rule in rules_in_force(DAY, now=datetime(2026, 3, 10, 12, 0, tzinfo=UTC))}
        next_day = {names[rule.id] for rule in rules_in_force(DAY + timedelta(days=1))}
    assert morning == {"since yesterday", "until today", "ended this morning"}
    assert noon == {"since yesterday", "until today"}
    assert next_day == {"since yesterday", "from tomorrow"}


def test_a_rule_past_its_end_date_leaves_the_pages_by_itself(client, add_rule, today):
    add_rule(text={"de": "Regel A ist abgelaufen"}, starts_on=today - timedelta(days=10),
             ends_on=today - timedelta(days=2))
    add_rule(text={"de": "Regel B gilt noch"}, starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=2))
    add_rule(text={"de": "Regel C kommt erst"}, starts_on=today + timedelta(days=2))
    page = client.get("/de/hygiene/").get_data(as_text=True)
    assert "Regel B gilt noch" in page
    assert "Regel A" not in page and "Regel C" not in page
    assert "Regel A" not in client.get("/de/").get_data(as_text=True)


def test_rules_apply_per_location(app, make_app, portal_config, client, add_rule, parse):
    add_rule("mask", {"de": "Maske überall"})
    add_rule("payment", {"de": "Karte im Wacker Hof"}, location="Wacker Hof")
    add_rule("distance", {"de": "Abstand in Benrath: {metres} Meter"}, location="Nebenstelle Benrath",
             metres=Decimal("2"))
    # The appointment result's slot exists while the appointments plugin is enabled.
    with_appointments = make_app(**{**portal_config, "plugins": ["hygiene", "appointments"]})
    template = "{{ slot('appointments.result', service='settlement-permit', location=location) }}"
    with with_appointments.test_request_context("/de/"):
        wacker = render_template_string(template, location="Wacker Hof")
        benrath = render_template_string(template, location="Nebenstelle Benrath")
        anywhere = render_template_string("{{ slot('appointments.result', service='settlement-permit') }}")
        unknown_place = render_template_string(template, location="Rathaus")
    assert unknown_place == anywhere
    assert "Maske überall" in wacker and "Karte im Wacker Hof" in wacker and "Benrath" not in wacker
    assert "Abstand in Benrath: 2 Meter" in benrath and "Wacker" not in benrath
    for place in ("Nebenstelle Benrath", "Wacker Hof"):
        assert f'nur <bdi lang="de">{place}</bdi>' in anywhere
    tree = parse(client.get("/de/hygiene/"))
    assert texts_of(tree, "//main//h2") == ["An allen Standorten", "Nur am Standort Nebenstelle Benrath",
                                            "Nur am Standort Wacker Hof"]
    home = parse(client.get("/de/"))
    assert texts_of(home, "//section[contains(@class, 'hygiene-summary')]//li") == [
        "Maske überall", "Abstand in Benrath: 2 Meter nur Nebenstelle Benrath", "Karte im Wacker Hof nur Wacker Hof"]


def test_icons_have_a_text_alternative(client, add_rule, parse):
    add_rule("persons_per_room", {"de": "Höchstens {persons} pro Raum", "en": "At most {persons} per room"},
             persons=3)
    tree = parse(client.get("/en/hygiene/"))
    icon = tree.xpath("//ul[@class='hygiene-list']//svg")[0]
    assert icon.get("role") == "img" and icon.get("aria-label")
    assert texts_of(tree, "//ul[@class='hygiene-list']//p[contains(@class, 'hygiene-text')]") == ["At most 3 per room"]


def test_every_kind_is_drawn_from_the_sprite_file_the_page_loads(client, add_rule, parse):
    for kind in KINDS:
        parameter = PARAMETERS.get(kind)
        if parameter:
            add_rule(kind, {"de": f"Regel {{{parameter}}}"}, **{parameter: 2})
        else:
            add_rule(kind, {"de": "Regel"})
    tree = parse(client.get("/de/hygiene/"))
    icons = [use.get("href") for use in tree.xpath("//ul[@class='hygiene-list']//svg/use")]
    files = {icon.partition("#")[0] for icon in icons}
    assert len(files) == 1
    sprite = client.get(files.pop())
    assert sprite.status_code == 200 and sprite.mimetype == "image/svg+xml"
    assert "immutable" in sprite.headers["Cache-Control"]
    drawn = set(re.findall(r'<symbol id="([^"]+)"', sprite.get_data(as_text=True)))
    assert {icon.partition("#")[2] for icon in icons} == set(KINDS) <= drawn


def test_missing_translation_falls_back_to_german_with_a_note(client, add_rule, parse):
    add_rule("mask", {"de": "Maske tragen, bitte", "fa": "لطفاً ماسک بزنید"})
    add_rule("payment", {"de": "Nur mit Karte"})
    tree = parse(client.get("/fa/hygiene/"))
    assert tree.xpath("//p[@class='fallback-note']")
    german = tree.xpath("//p[contains(@class, 'hygiene-text')][@lang='de']")[0]
    assert (german.text_content(), german.get("dir")) == ("Nur mit Karte", "ltr")
    assert tree.xpath("//p[contains(@class, 'hygiene-text')][not(@lang)]")[0].text_content() == "لطفاً ماسک بزنید"


def test_poster_shows_german_and_the_chosen_languages(client, add_rule, parse):
    add_rule("mask", {"de": "Maske tragen", "ar": "ارتدِ الكمامة", "uk": "Носіть маску"}, position=1)
    add_rule("persons_per_room", {"de": "Höchstens {persons} Personen", "ar": "{persons} أشخاص كحد أقصى"},
             persons=2, position=2, location="Wacker Hof")
    add_rule("payment", {"de": "Nur Karte in Benrath"}, location="Nebenstelle Benrath", position=3)
    response = client.get("/de/hygiene/poster?languages=ar&languages=uk&location=Wacker+Hof")
    assert response.status_code == 200
    poster = parse(response).xpath("//article[contains(@class, 'hygiene-poster')]")[0]
    assert [(part.get("lang"), part.get("dir")) for part in poster.xpath(".//h2/span")] == [
        ("de", "ltr"), ("ar", "rtl"), ("uk", "ltr")]
    rules = poster.xpath(".//ul/li")
    assert len(rules) == 2
    assert [(p.get("lang"), p.text_content()) for p in rules[0].xpath(".//p")] == [
        ("de", "Maske tragen"), ("ar", "ارتدِ الكمامة"), ("uk", "Носіть маску")]
    # No Ukrainian text: that line is left out instead of repeating the German one.
    assert [(p.get("lang"), p.text_content()) for p in rules[1].xpath(".//p")] == [
        ("de", "Höchstens 2 Personen"), ("ar", "2 أشخاص كحد أقصى")]
    assert "Benrath" not in poster.text_content()
    assert poster.xpath(".//svg[@role='img'][@aria-label]")


def test_poster_leaves_out_a_translation_made_for_the_rules_earlier_words(client, add_rule, data, parse):
    rule_id = add_rule("distance", {"de": "1,5 m Abstand halten"})

    def write(texts):
        def save(session):
            session.get(Rule, rule_id).save_texts(texts)
        data(save)
    write({"de": "1,5 m Abstand halten", "ar": "حافظ على مسافة 1.5 م"})
    write({"de": "2 m Abstand halten", "ar": "حافظ على مسافة 1.5 م"})  # the German changed, the Arabic did not
    poster = parse(client.get("/de/hygiene/poster?languages=ar")).xpath("//article[contains(@class, 'hygiene-poster')]")
    assert [(p.get("lang"), p.text_content()) for p in poster[0].xpath(".//ul/li//p")] == [("de", "2 m Abstand halten")]


def test_a_german_name_a_translation_quotes_is_marked_german_on_the_pages_and_the_poster(client, add_rule, parse):
    add_rule("payment", {"de": "Nur mit Karte (EC-Karte / girocard).",
                         "ar": "الدفع بالبطاقة فقط (EC-Karte / girocard)."})
    marked = '<bdi lang="de" dir="ltr">EC-Karte / girocard</bdi>'
    for page in ("/ar/hygiene/", "/ar/", "/de/hygiene/poster?languages=ar"):
        tree = parse(client.get(page))
        # On an Arabic page the Arabic text carries no lang of its own; on the German poster it does.
        texts = tree.xpath("//*[contains(@class, 'hygiene-text') or contains(@class, 'hygiene-poster__other')]"
                           "[not(@lang) or @lang='ar']")
        names = [name for text in texts for name in text.xpath(".//bdi[@lang='de']")]
        assert [(name.text_content(), name.get("dir")) for name in names] == [("EC-Karte / girocard", "ltr")], page
    # The German text itself needs no mark.
    assert marked not in client.get("/de/hygiene/").get_data(as_text=True)


def test_poster_rejects_unknown_choices_with_a_message(client, add_rule, parse):
    add_rule("mask", {"de": "Maske tragen"})
    response = client.get("/de/hygiene/poster?languages=xx&location=Mond")
    assert response.status_code == 422
    tree = parse(response)
    assert tree.xpath("//p[@id='languages-error']") and tree.xpath("//p[@id='location-error']")
    assert not tree.xpath("//article")
    assert tree.xpath("//input[@value='en']")
    german_only = parse(client.get("/de/hygiene/poster"))
    assert [span.get("lang") for span in german_only.xpath("//article//h2/span")] == ["de"]


def test_poster_opened_in_a_language_preselects_it(client, add_rule, parse):
    add_rule("mask", {"de": "Maske tragen", "ar": "ارتدِ الكمامة"})
    arabic = parse(client.get("/ar/hygiene/poster"))
    assert arabic.xpath("//input[@value='ar']")[0].get("checked") is not None
    assert not arabic.xpath("//input[@value='uk'][@checked]")
    assert [span.get("lang") for span in arabic.xpath("//article//h2/span")] == ["de", "ar"]
    # A submitted choice wins over the page's language, even when it is none.
    german_only = parse(client.get("/ar/hygiene/poster?location="))
    assert [span.get("lang") for span in german_only.xpath("//article//h2/span")] == ["de"]
