import json
import re

import pytest
from portal_plugins.interpreters import portal_translation_content
from portal_plugins.interpreters.glossary import fold, load_shipped_glossary, search_terms, shipped_terms
from portal_plugins.interpreters.models import GlossaryTerm, GlossaryTranslation
from sqlalchemy import func, select, text

from portal import toolkit
from portal.testing import audit_log, csrf_token


def translated_languages(app) -> list[str]:
    """Return the enabled languages besides German, in which the shipped glossary exists."""
    return [code for code in app.config["PORTAL"]["languages"] if code != "de"]


EDIT_FORM = "//form[@class='form']"
DELETE_FORM = "//main//form[.//button[contains(@class, 'button--danger')]]"


def values(tree, xpath: str) -> dict:
    """Return what a browser would send for the form found by xpath."""
    return dict(tree.xpath(xpath)[0].form_values())


def slugs(data, query):
    return data(lambda session: [term.slug for term in search_terms(session, query)])


def test_the_shipped_glossary_has_forty_terms_or_more_each_in_every_language(app):
    terms = shipped_terms()
    assert len(terms) >= 40
    for entry in terms:
        assert entry["term"] and entry["explanation_de"], entry["slug"]
        for lang in translated_languages(app):
            version = entry["translations"][lang]
            assert version["term"].strip() and version["explanation"].strip(), (entry["slug"], lang)
    assert len({entry["slug"] for entry in terms}) == len(terms)


def test_loading_the_shipped_glossary_twice_adds_nothing_and_keeps_staff_changes(data):
    total = len(shipped_terms())
    first = data(load_shipped_glossary)
    assert (len(first.terms), first.version_count) == (total, 0)

    def change(session):
        term = session.scalars(select(GlossaryTerm).filter_by(slug="duldung")).one()
        term.explanation = "Von der Redaktion geänderte Erklärung."

    data(change)
    again = data(load_shipped_glossary)
    assert (again.terms, again.versions) == ([], [])
    assert data(lambda s: s.scalar(select(func.count()).select_from(GlossaryTerm))) == total
    assert data(lambda s: s.scalars(select(GlossaryTerm.explanation).filter_by(slug="duldung")).one()) \
        == "Von der Redaktion geänderte Erklärung."


def drop_versions(session, langs: tuple[str, ...], slugs: tuple[str, ...] = ()) -> None:
    """Remove languages from stored terms (from all, or from those slugs), as before those languages shipped."""
    query = GlossaryTranslation.__table__.delete().where(GlossaryTranslation.lang.in_(langs))
    if slugs:
        query = query.where(GlossaryTranslation.term_id.in_(
            select(GlossaryTerm.id).where(GlossaryTerm.slug.in_(slugs))))
    session.execute(query)


def test_loading_adds_the_languages_a_stored_term_lacks_and_leaves_the_others(data, glossary):
    total = len(shipped_terms())
    data(lambda s: drop_versions(s, ("ps", "ti")))

    def change(session):
        staff_changed = session.scalars(select(GlossaryTerm).filter_by(slug="duldung")).one()
        staff_changed.explanation = "Von der Redaktion geänderte Erklärung."
        translated = session.scalars(select(GlossaryTerm).filter_by(slug="aufenthaltstitel")).one()
        next(t for t in translated.translations if t.lang == "ar").explanation = "شرح غيّره المحررون."

    data(change)
    version = data(lambda s: s.scalars(select(GlossaryTerm.version).filter_by(slug="aufenthaltstitel")).one())
    added = data(load_shipped_glossary)
    # Every term but the one whose German text staff changed: a translation of the old text would mislead.
    assert (added.terms, added.version_count) == ([], 2 * (total - 1))
    assert "duldung" not in {term.slug for term, _ in added.versions}
    # An edit form opened before the load is then refused instead of dropping the added languages.
    assert data(lambda s: s.scalars(select(GlossaryTerm.version).filter_by(slug="aufenthaltstitel")).one()) \
        == version + 1
    shipped = {entry["slug"]: entry for entry in shipped_terms()}["aufenthaltstitel"]

    def stored(session, slug):
        term = session.scalars(select(GlossaryTerm).filter_by(slug=slug)).one()
        return {t.lang: (t.term, t.explanation) for t in term.translations}, term.search_text

    versions, search_text = data(lambda s: stored(s, "aufenthaltstitel"))
    assert versions["ar"][1] == "شرح غيّره المحررون."
    assert versions["ps"] == (shipped["translations"]["ps"]["term"], shipped["translations"]["ps"]["explanation"])
    assert fold(shipped["translations"]["ti"]["term"]) in search_text
    assert slugs(data, shipped["translations"]["ti"]["term"])[0] == "aufenthaltstitel"
    assert {"ps", "ti"}.isdisjoint(data(lambda s: stored(s, "duldung"))[0])


@pytest.mark.portal_config({"languages": ["de", "en", "ar"]})
def test_loading_leaves_out_languages_that_are_not_enabled(data, glossary):
    data(lambda s: drop_versions(s, ("ar", "ps")))
    added = data(load_shipped_glossary)
    assert added.version_count == len(shipped_terms())
    assert {lang for _, lacking in added.versions for lang in lacking} == {"ar"}
    assert data(lambda s: s.scalar(select(func.count()).select_from(GlossaryTranslation)
                                   .where(GlossaryTranslation.lang == "ps"))) == 0


# A word typed in any language, without care for case, accents or diacritics, and the term it must find.
SEARCHES = [
    ("Fiktionsbescheinigung", "fiktionsbescheinigung"),
    ("EINBÜRGERUNGSURKUNDE", "einbuergerungsurkunde"),
    ("einburgerungsurkunde", "einbuergerungsurkunde"),
    ("einbuergerungsurkunde", "einbuergerungsurkunde"),
    ("Residence Title", "aufenthaltstitel"),
    ("سند الإقامة", "aufenthaltstitel"),
    ("سند الاقامة", "aufenthaltstitel"),
    ("وثيقة التجنس", "einbuergerungsurkunde"),
    ("مجوز اقامت", "aufenthaltstitel"),
    ("vatandaslik belgesi", "einbuergerungsurkunde"),
    ("свидетельство о натурализации", "einbuergerungsurkunde"),
    ("ПИСЬМО-ПРИГЛАШЕНИЕ", "einladungsschreiben"),
    ("лист-запрошення", "einladungsschreiben"),
    ("titulo de residencia", "aufenthaltstitel"),
    ("Titre de séjour", "aufenthaltstitel"),
    ("zaswiadczenie o pobycie", "fiktionsbescheinigung"),
]


def test_search_finds_a_term_in_any_language_without_caring_for_case_or_accents(data, glossary):
    missed = [(query, slug) for query, slug in SEARCHES if slug not in slugs(data, query)]
    assert not missed


def test_search_looks_into_explanations_and_lists_name_matches_first(data, glossary):
    found = slugs(data, "Niederlassungserlaubnis")
    assert found[0] == "niederlassungserlaubnis"
    # The word also stands in the explanation of the general term for residence titles.
    assert "aufenthaltstitel" in found


def test_every_word_of_a_search_must_match(data, glossary):
    assert slugs(data, "Fiktionsbescheinigung") == ["fiktionsbescheinigung"]
    assert slugs(data, "Fiktionsbescheinigung Heiratsurkunde") == []


def test_like_wildcards_in_a_search_are_plain_characters(data, glossary):
    assert [slugs(data, query) for query in ("%", "_", "\\", "%%__")] == [[], [], [], []]


def test_folding_removes_case_accents_and_letter_variants():
    assert fold("  Éßt  İstanbul ") == "esst istanbul"
    assert fold("ŁÓDŹ") == "lodz"
    assert fold("التجنّس") == fold("التجنس")
    assert fold("ی") == fold("ي")
    # Ukrainian is written with ’ or ʼ and typed with '.
    assert fold("посвідка з м’ясом") == fold("посвідка з мʼясом") == fold("посвідка з м'ясом")


def test_the_glossary_page_in_arabic_shows_arabic_beside_the_german_word(client, glossary, parse):
    tree = parse(client.get("/ar/interpreters/glossary?q=Duldung"))
    article = tree.get_element_by_id("term-duldung")
    assert article.xpath("string(h2)").startswith("التسامح المؤقت")
    assert article.xpath("string(.//span[@lang='de'])") == "Duldung"
    assert "ترحيل" in article.text_content()
    assert tree.xpath("string(//p[@role='status'])").strip()


def test_a_missing_translation_falls_back_to_german_and_says_so(client, data, glossary, parse):
    def drop_arabic(session):
        term = session.scalars(select(GlossaryTerm).filter_by(slug="duldung")).one()
        term.translations = [t for t in term.translations if t.lang != "ar"]

    data(drop_arabic)
    article = parse(client.get("/ar/interpreters/glossary?q=Duldung")).get_element_by_id("term-duldung")
    heading = article.xpath("h2")[0]
    assert heading.text_content() == "Duldung" and heading.get("lang") == "de" and heading.get("dir") == "ltr"
    assert article.xpath(".//p[@class='fallback-note']")


def test_no_result_is_said_in_the_visitors_language(client, glossary, parse):
    response = client.get("/de/interpreters/glossary?q=Quantenchromodynamik")
    assert response.status_code == 200
    assert "Kein Begriff gefunden für „Quantenchromodynamik“." in parse(response).xpath("string(//p[@role='status'])")
    assert not parse(response).xpath("//article")


def test_one_term_is_shown_in_every_enabled_language(app, client, glossary, parse):
    tree = parse(client.get("/de/interpreters/glossary?term=fiktionsbescheinigung"))
    sections = tree.xpath("//section[contains(@class, 'interpreters-glossary-language')]")
    assert [s.get("data-block") for s in sections] == [f"lang-{code}" for code in ["de", *translated_languages(app)]]
    arabic = tree.xpath("//section[@data-block='lang-ar']/div")[0]
    assert arabic.get("lang") == "ar" and arabic.get("dir") == "rtl"
    assert "شهادة الإقامة المؤقتة" in arabic.text_content()
    assert client.get("/de/interpreters/glossary?term=gibt-es-nicht").status_code == 404


def test_translation_coverage_counts_terms_per_language(app, data, glossary):
    data(lambda session: session.execute(
        GlossaryTranslation.__table__.delete().where(GlossaryTranslation.lang == "fa")))
    with app.test_request_context("/de/"):
        report = {status.lang: status for status in portal_translation_content()}
    total = len(shipped_terms())
    assert set(report) == set(app.config["PORTAL"]["languages"])
    assert (report["de"].translated, report["de"].total) == (total, total)
    assert (report["ar"].translated, report["ar"].total) == (total, total)
    assert (report["fa"].translated, report["fa"].total) == (0, total)
    assert {status.kind for status in report.values()} == {"glossary"}


# --- Staff ------------------------------------------------------------------------------------------

NEW_TERM = {"term": "Übergangsbescheinigung", "explanation": "Ein Papier, das für kurze Zeit gilt.",
            "terms-ar": "شهادة انتقالية", "explanations-ar": "ورقة صالحة لفترة قصيرة."}


def test_an_editor_adds_a_term_that_is_found_in_arabic(staff_client, client, data):
    editor = staff_client("editor")
    form = {**NEW_TERM, "csrf_token": csrf_token(editor, "/de/staff/interpreters/glossary/new")}
    response = editor.post("/de/staff/interpreters/glossary/new", data=form)
    assert response.status_code == 302
    assert slugs(data, "انتقالية") == ["uebergangsbescheinigung"]
    page = client.get("/ar/interpreters/glossary?q=انتقالية").get_data(as_text=True)
    assert "شهادة انتقالية" in page and "Übergangsbescheinigung" in page
    staff_list = editor.get("/de/staff/interpreters/glossary").get_data(as_text=True)
    # Only Arabic is given: the missing languages are named, Dari too, not shown as codes.
    assert "Übergangsbescheinigung" in staff_list and "Dari" in staff_list and "FA_AF" not in staff_list
    actions = data(lambda s: s.execute(text("SELECT action, target_type FROM core_audit_entry")).all())
    assert [tuple(row) for row in actions] == [("create", "interpreters_glossary_term")]


def test_a_term_already_there_is_refused_when_added_or_renamed_to(staff_client, data, parse):
    editor = staff_client("editor")
    url = "/de/staff/interpreters/glossary/new"
    assert editor.post(url, data={**NEW_TERM, "csrf_token": csrf_token(editor, url)}).status_code == 302
    # Case and accents aside it is the same word: one entry per term keeps its translations together.
    again = editor.post(url, data={**NEW_TERM, "term": "UBERGANGSBESCHEINIGUNG", "csrf_token": csrf_token(editor, url)})
    assert again.status_code == 422
    assert "Den Begriff „Übergangsbescheinigung“ gibt es schon." in parse(again).get_element_by_id(
        "term-error").text_content()
    other = {**NEW_TERM, "term": "Fiktionsbescheinigung", "csrf_token": csrf_token(editor, url)}
    assert editor.post(url, data=other).status_code == 302
    other_id = data(lambda s: s.scalar(select(GlossaryTerm.id).where(GlossaryTerm.term == "Fiktionsbescheinigung")))
    edit_url = f"/de/staff/interpreters/glossary/{other_id}"
    renamed = editor.post(edit_url, data={**NEW_TERM, "version": 1, "csrf_token": csrf_token(editor, edit_url)})
    assert renamed.status_code == 422
    # Saving a term under its own words is no clash with itself.
    kept = editor.post(edit_url, data={**other, "version": 1, "csrf_token": csrf_token(editor, edit_url)})
    assert kept.status_code == 302
    assert data(lambda s: s.scalar(select(func.count()).select_from(GlossaryTerm))) == 2


def test_a_term_without_explanation_is_refused_and_the_input_kept(staff_client, data, parse):
    editor = staff_client("editor")
    form = {**NEW_TERM, "explanation": "", "explanations-ar": "",
            "csrf_token": csrf_token(editor, "/de/staff/interpreters/glossary/new")}
    response = editor.post("/de/staff/interpreters/glossary/new", data=form)
    assert response.status_code == 422
    tree = parse(response)
    assert tree.get_element_by_id("term").get("value") == "Übergangsbescheinigung"
    assert tree.get_element_by_id("terms-ar").get("value") == "شهادة انتقالية"
    explanation = tree.get_element_by_id("explanation")
    assert explanation.get("aria-invalid") == "true"
    assert "explanation-error" in explanation.get("aria-describedby").split()
    assert tree.get_element_by_id("explanation-error").text_content() == "Bitte geben Sie eine Erklärung ein."
    assert tree.get_element_by_id("explanations-ar").get("aria-describedby") == "explanations-ar-error"
    problem = tree.get_element_by_id("explanations-ar-error").text_content()
    assert "Bitte füllen Sie Begriff und Erklärung aus" in problem
    assert data(lambda s: s.scalar(select(func.count()).select_from(GlossaryTerm))) == 0


def test_the_second_of_two_editors_gets_a_conflict_and_keeps_the_input(staff_client, data, glossary, parse):
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id).filter_by(slug="duldung")).one())
    url = f"/de/staff/interpreters/glossary/{term_id}"
    first, second = staff_client("editor"), staff_client("editor")
    first_form = values(parse(first.get(url)), EDIT_FORM)
    second_form = values(parse(second.get(url)), EDIT_FORM)

    first_form["explanation"] = "Erste Fassung der Erklärung."
    assert first.post(url, data=first_form).status_code == 302
    second_form["explanation"] = "Zweite Fassung der Erklärung."
    response = second.post(url, data=second_form)
    assert response.status_code == 409
    tree = parse(response)
    assert "Jemand anderes hat inzwischen gespeichert" in tree.xpath("string(//section[@role='alert'])")
    assert "Erste Fassung der Erklärung." in tree.xpath("string(//section[@role='alert'])")
    assert tree.get_element_by_id("explanation").text_content().strip() == "Zweite Fassung der Erklärung."
    saved = lambda s: s.scalars(select(GlossaryTerm.explanation).filter_by(slug="duldung")).one()  # noqa: E731
    assert data(saved) == "Erste Fassung der Erklärung."

    # Saving again, having seen the other version, replaces it.
    assert second.post(url, data=values(tree, EDIT_FORM)).status_code == 302
    assert data(saved) == "Zweite Fassung der Erklärung."


def test_a_colleague_saving_between_check_and_write_gives_a_conflict(staff_client, data, glossary, parse,
                                                                     colleague_saves_first):
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id).filter_by(slug="duldung")).one())
    url = f"/de/staff/interpreters/glossary/{term_id}"
    editor = staff_client("editor")
    form = values(parse(editor.get(url)), EDIT_FORM)
    form["explanations-ar"] = "شرح جديد."
    colleague_saves_first(GlossaryTerm, lambda s: setattr(s.get(GlossaryTerm, term_id), "explanation", "Neu."))
    response = editor.post(url, data=form)
    assert response.status_code == 409
    tree = parse(response)
    assert "Neu." in tree.xpath("string(//section[@role='alert'])")
    assert tree.get_element_by_id("explanations-ar").text_content().strip() == "شرح جديد."
    saved = data(lambda s: (s.get(GlossaryTerm, term_id).explanation, s.get(GlossaryTerm, term_id).versions()["ar"]))
    assert saved[0] == "Neu." and saved[1][1] != "شرح جديد."


def test_a_term_deleted_while_its_form_was_open_is_offered_as_a_new_one(staff_client, data, glossary, parse,
                                                                       colleague_saves_first):
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id).filter_by(slug="duldung")).one())
    url = f"/de/staff/interpreters/glossary/{term_id}"
    editor = staff_client("editor")
    form = values(parse(editor.get(url)), EDIT_FORM)
    form["explanation"] = "Meine neue Erklärung."
    colleague_saves_first(GlossaryTerm, lambda s: s.delete(s.get(GlossaryTerm, term_id)))
    response = editor.post(url, data=form)
    assert response.status_code == 410
    assert "Jemand hat den Eintrag „Duldung“ gelöscht" in response.get_data(as_text=True)
    kept = parse(response).get_element_by_id("send-again")
    assert kept.get("action") == "/de/staff/interpreters/glossary/new"
    assert editor.post(kept.get("action"), data=dict(kept.form_values())).status_code == 302
    saved = data(lambda s: s.scalars(select(GlossaryTerm.explanation).filter_by(slug="duldung")).all())
    assert saved == ["Meine neue Erklärung."]


def test_an_editor_deletes_a_term_only_in_the_version_seen(staff_client, data, glossary, parse):
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id).filter_by(slug="vollmacht")).one())
    editor = staff_client("editor")
    # The edit page's button asks once more, on a page of its own, before a term and its translations go.
    edit_page = editor.get(f"/de/staff/interpreters/glossary/{term_id}").get_data(as_text=True)
    assert f'href="/de/staff/interpreters/glossary/{term_id}/delete"' in edit_page and "Endgültig löschen" \
        not in edit_page
    question = parse(editor.get(f"/de/staff/interpreters/glossary/{term_id}/delete"))
    assert "endgültig löschen?" in question.text_content() and "Vollmacht" in question.text_content()
    delete_form = values(question, DELETE_FORM)
    stale = {**delete_form, "version": str(int(delete_form["version"]) - 1)}
    assert editor.post(f"/de/staff/interpreters/glossary/{term_id}/delete", data=stale).status_code == 302
    assert data(lambda s: s.get(GlossaryTerm, term_id)) is not None
    assert editor.post(f"/de/staff/interpreters/glossary/{term_id}/delete", data=delete_form).status_code == 302
    assert data(lambda s: s.get(GlossaryTerm, term_id)) is None
    assert data(lambda s: s.scalar(select(func.count()).select_from(GlossaryTranslation)
                                   .where(GlossaryTranslation.term_id == term_id))) == 0


def test_a_term_a_colleague_deleted_first_is_named_on_the_glossary(staff_client, data, glossary, parse):
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id).filter_by(slug="vollmacht")).one())
    url = f"/de/staff/interpreters/glossary/{term_id}/delete"
    editor, colleague = staff_client("editor"), staff_client("editor")
    mine = values(parse(editor.get(url)), DELETE_FORM)
    assert colleague.post(url, data=values(parse(colleague.get(url)), DELETE_FORM)).status_code == 302
    colleague.get("/de/staff/interpreters/glossary")
    response = editor.post(url, data=mine)
    assert (response.status_code, response.headers["Location"]) == (303, "/de/staff/interpreters/glossary")
    note = parse(editor.get(response.headers["Location"])).xpath("string(//p[contains(@class, 'flash')])")
    assert note == "Den Eintrag „Vollmacht“ hat inzwischen jemand anderes gelöscht."
    # Back to the question page after the delete: the glossary, and that the term is deleted.
    back = colleague.get(url)
    assert (back.status_code, back.headers["Location"]) == (303, "/de/staff/interpreters/glossary")
    notes = parse(colleague.get(back.headers["Location"])).xpath("//p[contains(@class, 'flash')]")
    assert [note.text_content() for note in notes] == ["Der Begriff „Vollmacht“ ist gelöscht."]


def test_a_term_deleted_by_one_page_sent_twice_at_once_is_answered_as_deleted_both_times(staff_client, data,
                                                                                          glossary, parse,
                                                                                          twice_at_once):
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id).filter_by(slug="vollmacht")).one())
    url = f"/de/staff/interpreters/glossary/{term_id}/delete"
    editor = staff_client("editor")
    form = values(parse(editor.get(url)), DELETE_FORM)
    # The first one held while it deletes, before it writes: the second one deletes, the first one then finds it done.
    _overlapped, first, second = twice_at_once(toolkit, "audit", lambda: editor.post(url, data=form),
                                               lambda: editor.post(url, data=form))
    assert {first.status_code, second.status_code} == {302, 303}
    assert first.headers["Location"] == second.headers["Location"] == "/de/staff/interpreters/glossary"
    assert "Der Begriff „Vollmacht“ ist gelöscht." in editor.get("/de/staff/interpreters/glossary").get_data(
        as_text=True)
    assert data(lambda s: s.scalar(text("SELECT count(*) FROM core_audit_entry WHERE action = 'delete'"))) == 1


def test_staff_add_the_missing_shipped_terms_with_one_button(staff_client, data):
    editor = staff_client("editor")
    page = editor.get("/de/staff/interpreters/glossary").get_data(as_text=True)
    assert re.search(r"\d+ mitgelieferte Begriffe fehlen im Glossar", page)
    token = csrf_token(editor, "/de/staff/interpreters/glossary")
    response = editor.post("/de/staff/interpreters/glossary/shipped", data={"csrf_token": token},
                           follow_redirects=True)
    assert f"{len(shipped_terms())} mitgelieferte Begriffe wurden ergänzt." in response.get_data(as_text=True)
    assert data(lambda s: s.scalar(select(func.count()).select_from(GlossaryTerm))) == len(shipped_terms())
    assert "mitgeliefert" not in editor.get("/de/staff/interpreters/glossary").get_data(as_text=True)


def test_staff_add_the_languages_stored_terms_lack_and_the_log_names_them(staff_client, data, glossary):
    data(lambda s: drop_versions(s, ("ti",), ("duldung", "fiktionsbescheinigung")))
    editor = staff_client("editor")
    page = editor.get("/de/staff/interpreters/glossary").get_data(as_text=True)
    assert "2 mitgelieferte Übersetzungen fehlen bei vorhandenen Begriffen." in page
    assert "mitgelieferte Begriffe fehlen" not in page and "Vorhandene Texte bleiben, wie sie sind." in page
    token = csrf_token(editor, "/de/staff/interpreters/glossary")
    answer = editor.post("/de/staff/interpreters/glossary/shipped", data={"csrf_token": token},
                         follow_redirects=True).get_data(as_text=True)
    assert "2 mitgelieferte Übersetzungen wurden ergänzt." in answer and "Begriffe wurden ergänzt" not in answer
    assert data(lambda s: s.scalar(select(func.count()).select_from(GlossaryTranslation)
                                   .where(GlossaryTranslation.lang == "ti"))) == len(shipped_terms())
    logged = data(lambda s: s.execute(text(
        "SELECT after FROM core_audit_entry WHERE action = 'load_shipped' ORDER BY id DESC")).scalars().first())
    # Raw SQL gives JSON back parsed on PostgreSQL and as text on SQLite.
    assert (logged if isinstance(logged, dict) else json.loads(logged)) == {
        "added_translations": {"ti": ["duldung", "fiktionsbescheinigung"]}}
    # The entry names the plugin's version, whose shipped glossary the texts came from, and the language in words.
    [entry] = audit_log(staff_client("admin"), "en")
    assert (entry.what, entry.changes) == ("Glossary completed from the supplied version 1.0.0",
                                           ["Added translations (Tigrinya) | After: duldung and fiktionsbescheinigung"])


def test_the_audit_log_tells_a_term_change_in_the_readers_words(staff_client, data, glossary, parse):
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id).filter_by(slug="duldung")).one())
    url = f"/de/staff/interpreters/glossary/{term_id}"
    editor = staff_client("editor")
    form = values(parse(editor.get(url)), EDIT_FORM)
    form["explanation"], form["explanations-ar"] = "Eine neue Erklärung.", "شرح جديد."
    assert editor.post(url, data=form).status_code == 302
    [entry] = audit_log(staff_client("admin"), "en")
    assert entry.what == f"Term changed {term_id}"
    assert [change.split(" | ")[0] for change in entry.changes] == ["Explanation", "Translations (Arabic)"]
    assert entry.changes[0].endswith("| After: Eine neue Erklärung.") and entry.changes[1].endswith(" – شرح جديد.")


def test_a_translation_staff_removed_is_not_shipped_again(staff_client, data, glossary, parse):
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id).filter_by(slug="duldung")).one())
    url = f"/de/staff/interpreters/glossary/{term_id}"
    editor = staff_client("editor")
    form = values(parse(editor.get(url)), EDIT_FORM)
    form["terms-ar"] = form["explanations-ar"] = ""
    assert editor.post(url, data=form).status_code == 302
    assert "ar" not in data(lambda s: s.get(GlossaryTerm, term_id).versions())
    assert "mitgelieferte Übersetzungen fehlen" not in editor.get("/de/staff/interpreters/glossary").get_data(
        as_text=True)
    added = data(load_shipped_glossary)
    assert (added.terms, added.versions) == ([], [])
    assert "ar" not in data(lambda s: s.get(GlossaryTerm, term_id).versions())


NEW_URL = "/de/staff/interpreters/glossary/new"
SAVED = "Der Begriff „Übergangsbescheinigung“ ist gespeichert."


def audited(data, action: str) -> int:
    return data(lambda s: s.scalar(text("SELECT count(*) FROM core_audit_entry WHERE action = :action"),
                                   {"action": action}))


def test_a_page_sent_twice_saves_one_term_and_answers_as_its_first_sending(staff_client, data, form_values):
    editor = staff_client("editor")
    values = form_values(editor.get(NEW_URL)).to_dict() | NEW_TERM
    first = editor.post(NEW_URL, data=values)
    assert first.status_code == 302 and SAVED in editor.get(first.headers["Location"]).get_data(as_text=True)
    # Sent again from the browser's history: the same answer, not "already there", and no second term.
    again = editor.post(NEW_URL, data=values)
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert SAVED in editor.get(again.headers["Location"]).get_data(as_text=True)
    assert slugs(data, "") == ["uebergangsbescheinigung"] and audited(data, "create") == 1
    # An edit sent twice is saved once; the second answer is the first's, not a colleague's conflict.
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id)).one())
    url = f"/de/staff/interpreters/glossary/{term_id}"
    edit = form_values(editor.get(url)).to_dict() | {"explanation": "Ein Papier, das nur kurz gilt."}
    first = editor.post(url, data=edit)
    assert first.status_code == 302 and SAVED in editor.get(first.headers["Location"]).get_data(as_text=True)
    again = editor.post(url, data=edit)
    assert (again.status_code, again.headers["Location"]) == (303, first.headers["Location"])
    assert SAVED in editor.get(again.headers["Location"]).get_data(as_text=True)
    assert data(lambda s: s.get(GlossaryTerm, term_id).version) == 2 and audited(data, "update") == 1


def test_a_term_page_refused_as_a_conflict_is_saved_when_sent_again(staff_client, data, glossary, form_values):
    term_id = data(lambda s: s.scalars(select(GlossaryTerm.id).filter_by(slug="duldung")).one())
    url = f"/de/staff/interpreters/glossary/{term_id}"
    editor, colleague = staff_client("editor"), staff_client("editor")
    mine = form_values(editor.get(url)).to_dict() | {"explanation": "Meine Fassung."}
    theirs = form_values(colleague.get(url)).to_dict() | {"explanation": "Ihre Fassung."}
    assert colleague.post(url, data=theirs).status_code == 302
    conflict = editor.post(url, data=mine)
    assert conflict.status_code == 409
    again = form_values(conflict).to_dict()
    assert again["sending_key"] == mine["sending_key"] and again["version"] == str(int(mine["version"]) + 1)
    assert editor.post(url, data=again).status_code == 302
    assert data(lambda s: s.get(GlossaryTerm, term_id).explanation) == "Meine Fassung."


def test_a_term_two_editors_add_at_once_is_refused_to_one_not_a_server_error(staff_client, data, form_values,
                                                                           twice_at_once):
    from portal_plugins.interpreters import staff_views

    editor, colleague = staff_client("editor"), staff_client("editor")
    mine = form_values(editor.get(NEW_URL)).to_dict() | NEW_TERM
    theirs = form_values(colleague.get(NEW_URL)).to_dict() | NEW_TERM
    # The first is held after its check found no such term and it chose the term's address, until the second had
    # the time to save the same term under the same address.
    _overlapped, first, second = twice_at_once(
        staff_views, "_apply_term", lambda: editor.post(NEW_URL, data=mine),
        lambda: colleague.post(NEW_URL, data=theirs))
    saved, refused = sorted((first, second), key=lambda answer: answer.status_code)
    assert (saved.status_code, refused.status_code) == (302, 422)
    assert "Den Begriff „Übergangsbescheinigung“ gibt es schon." in refused.get_data(as_text=True)
    assert slugs(data, "") == ["uebergangsbescheinigung"]


def test_other_words_with_one_address_added_at_once_both_get_saved(staff_client, data, form_values, twice_at_once):
    from portal_plugins.interpreters import staff_views

    editor, colleague = staff_client("editor"), staff_client("editor")
    pages = [form_values(client.get(NEW_URL)).to_dict() | NEW_TERM | {"term": word}
             for client, word in ((editor, "Ämter"), (colleague, "Aemter"))]
    # Both chose the address "aemter" before either wrote; the one that writes second takes the next free one.
    _overlapped, first, second = twice_at_once(
        staff_views, "_apply_term", lambda: editor.post(NEW_URL, data=pages[0]),
        lambda: colleague.post(NEW_URL, data=pages[1]))
    assert (first.status_code, second.status_code) == (302, 302)
    assert sorted(slugs(data, "mter")) == ["aemter", "aemter-2"]


def test_caseworkers_and_visitors_cannot_edit_the_glossary(staff_client, client):
    assert staff_client("caseworker").get("/de/staff/interpreters/glossary").status_code == 403
    assert client.get("/de/staff/interpreters/glossary").status_code == 302
