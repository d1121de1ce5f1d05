import logging
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from portal_plugins.interpreters.bilingual import MISSING_NOTE, LanguagePair, align, compose, in_language
from portal_plugins.interpreters.htmlblocks import MarkupError, split_page, top_level_blocks

from portal import toolkit


def text(element) -> str:
    return " ".join(element.text_content().split())


def pairs(tree) -> list:
    return tree.xpath("//main//div[contains(concat(' ', @class, ' '), ' interpreters-bilingual-pair ')]")


def sides(pair) -> list:
    return pair.xpath("./div[contains(concat(' ', @class, ' '), ' interpreters-bilingual-side ')]")


def main_blocks(tree) -> list[str]:
    return [text(child) for child in tree.xpath("//main/*") if "flashes" not in (child.get("class") or "")]


def assert_ids_unique_and_references_resolve(tree) -> None:
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for attribute in ("aria-labelledby", "aria-describedby", "for"):
        for element in tree.xpath(f"//*[@{attribute}]"):
            for reference in element.get(attribute).split():
                assert reference in ids, f"{attribute}={reference} points nowhere"


# --- Cutting pages into blocks ------------------------------------------------------------------------

def test_the_marked_content_is_cut_into_its_top_level_blocks():
    page = split_page('<body><header><p>Kopf</p></header><main id="main" data-blocks><!-- note -->\n'
                      '<div class="flashes" data-block-once>Gespeichert</div><h1 id="t">Titel</h1>'
                      '<p>Absatz ohne Ende<div class="card"><div><p>Innen<br>mehr</p></div><hr></div>Freier Text'
                      '<ul><li>eins<li>zwei</ul><img src="/x.png" alt="">\n</main><footer>Fuß</footer></body>')
    assert (page.container.name, page.container.get("id")) == ("main", "main")
    assert page.after.startswith("</main>")
    blocks = top_level_blocks(page.content)
    assert [b.html for b in blocks] == ['<div class="flashes" data-block-once>Gespeichert</div>',
                                        '<h1 id="t">Titel</h1>', "<p>Absatz ohne Ende",
                                        '<div class="card"><div><p>Innen<br>mehr</p></div><hr></div>', "Freier Text",
                                        "<ul><li>eins<li>zwei</ul>", '<img src="/x.png" alt="">']
    assert [b.once for b in blocks] == [True] + [False] * 6
    assert [b.signature for b in blocks][1:4] == ["h1|t||", "p|||", "div||card|"]


def test_any_element_can_hold_the_blocks_and_nested_ones_of_its_kind_stay_inside():
    page = split_page('<body><main><div class="layout" data-blocks><div><p>A</p></div><p>B</p></div>'
                      '<aside>C</aside></main></body>')
    assert page.container.classes == ["layout"]
    assert [b.html for b in top_level_blocks(page.content)] == ["<div><p>A</p></div>", "<p>B</p>"]
    assert page.after.startswith("</div><aside>")


@pytest.mark.parametrize("html", ["<body><main><p>ohne Markierung</p></main></body>",
                                  "<main data-blocks><p>nie geschlossen</p>"])
def test_a_page_without_a_complete_marked_element_is_refused(html):
    with pytest.raises(MarkupError):
        split_page(html)


def test_blocks_are_paired_by_signature_and_a_lonely_block_gets_no_partner():
    first = top_level_blocks('<h1>A</h1><p class="fallback-note">Hinweis</p><section data-block="x">1</section>'
                             '<section data-block="y">2</section>')
    second = top_level_blocks('<h1>B</h1><section data-block="x">1</section><section data-block="z">3</section>'
                              '<section data-block="y">2</section>')
    paired = [(a and a.html, b and b.html) for a, b in align(first, second)]
    assert paired == [("<h1>A</h1>", "<h1>B</h1>"), ('<p class="fallback-note">Hinweis</p>', None),
                      ('<section data-block="x">1</section>', '<section data-block="x">1</section>'),
                      (None, '<section data-block="z">3</section>'),
                      ('<section data-block="y">2</section>', '<section data-block="y">2</section>')]


def test_a_block_missing_in_one_language_says_so_in_that_language(app):
    page = ('<html><body><main id="main" data-blocks><h1>Titel</h1><p data-block="only-de">Nur Deutsch</p></main>'
            '</body></html>')
    second = '<html><body><main id="main" data-blocks><h1>العنوان</h1></main></body></html>'
    with app.test_request_context("/de/?bilingual=ar"):
        composed = lxml.html.fromstring(compose(page, second, LanguagePair("de", "ar")))
        note = in_language("ar", MISSING_NOTE)
    assert note != str(MISSING_NOTE)
    lonely = sides(pairs(composed)[1])
    assert text(lonely[0]) == "Nur Deutsch"
    assert "interpreters-bilingual-side--missing" in lonely[1].get("class")
    assert (lonely[1].get("lang"), lonely[1].get("dir"), text(lonely[1])) == ("ar", "rtl", note)


# --- The view on real pages -------------------------------------------------------------------------

def test_the_home_page_is_shown_in_german_and_arabic_block_beside_block(client):
    german = lxml.html.fromstring(client.get("/de/").get_data(as_text=True))
    arabic = lxml.html.fromstring(client.get("/ar/").get_data(as_text=True))
    response = client.get("/de/?bilingual=ar")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "de, ar"
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    assert tree.get("lang") == "de"
    found = pairs(tree)
    assert len(found) == len(main_blocks(german)) == len(main_blocks(arabic))
    for pair in found:
        left, right = sides(pair)
        assert (left.get("lang"), left.get("dir"), right.get("lang"), right.get("dir")) == ("de", "ltr", "ar", "rtl")
    assert [text(sides(pair)[0]) for pair in found] == main_blocks(german)
    assert [text(sides(pair)[1]) for pair in found] == main_blocks(arabic)
    assert_ids_unique_and_references_resolve(tree)


def test_an_arabic_page_can_show_german_beside_it(client, glossary):
    response = client.get("/ar/interpreters/glossary?q=Duldung&bilingual=de")
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    assert tree.get("dir") == "rtl"
    article_pair = [p for p in pairs(tree) if p.xpath(".//article")][0]
    arabic, german = sides(article_pair)
    assert (arabic.get("lang"), german.get("lang"), german.get("dir")) == ("ar", "de", "ltr")
    assert german.xpath(".//article")[0].get("id") == "bilingual-de-term-duldung"
    assert text(german.xpath(".//h2")[0]) == "Duldung"
    assert text(arabic.xpath(".//h2")[0]).startswith("التسامح المؤقت")
    assert_ids_unique_and_references_resolve(tree)


def test_glossary_entries_are_paired_term_by_term(client, glossary):
    tree = lxml.html.fromstring(client.get("/de/interpreters/glossary?bilingual=ar").get_data(as_text=True))
    term_pairs = [p for p in pairs(tree) if p.xpath(".//article")]
    assert len(term_pairs) == len(tree.xpath("//article")) // 2 > 40
    for pair in term_pairs:
        german, arabic = (side.xpath(".//article")[0] for side in sides(pair))
        assert german.get("data-block") == arabic.get("data-block")


@pytest.mark.parametrize("url", [
    "/de/?bilingual=xx",
    "/de/?bilingual=de",
    "/ar/?bilingual=en",
    "/de/?bilingual=",
])
def test_a_wrong_second_language_gives_the_ordinary_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"interpreters-bilingual-view" not in response.data and "Content-Language" not in response.headers


def test_staff_pages_are_never_shown_side_by_side(staff_client):
    page = staff_client("editor").get("/de/staff/interpreters/glossary?bilingual=ar").get_data(as_text=True)
    assert "interpreters-bilingual-view" not in page and "bilingual-toggle" not in page


def test_when_the_second_rendering_fails_the_ordinary_page_is_shown_and_the_error_logged(client, monkeypatch,
                                                                                          caplog):
    def fail(lang, address):
        raise toolkit.RenderingError("the page answered 500 INTERNAL SERVER ERROR (text/html)")

    monkeypatch.setattr(toolkit, "render_in_language", fail)
    with caplog.at_level(logging.ERROR, logger="portal_plugins.interpreters.bilingual"):
        response = client.get("/de/?bilingual=ar")
    assert response.status_code == 200 and b"interpreters-bilingual-view" not in response.data
    assert b"<h1" in response.data
    assert "side-by-side view of /de/?bilingual=ar failed" in caplog.text


def test_links_keep_the_view_and_the_language_menu_leaves_it(client, glossary):
    tree = lxml.html.fromstring(client.get("/de/interpreters/?bilingual=ar").get_data(as_text=True))
    assert tree.xpath("//nav[contains(@class, 'main-nav')]//a[@href='/de/interpreters/?bilingual=ar']")
    assert tree.xpath("//footer//a[@href='/de/staff/']")
    for link in tree.xpath("//a[@hreflang]"):
        assert "bilingual" not in link.get("href")
    arabic_links = [a.get("href") for pair in pairs(tree) for a in sides(pair)[1].xpath(".//a[@href]")
                    if a.get("href").startswith("/")]
    assert arabic_links and all(href.startswith("/de/") and href.endswith("bilingual=ar") for href in arabic_links)
    off = tree.xpath("//a[@data-bilingual='off']")
    assert off and {a.get("href") for a in off} == {"/de/interpreters/"}


def test_dari_beside_german_keeps_the_view_at_its_bcp47_address(client, glossary):
    response = client.get("/de/interpreters/?bilingual=fa_AF")
    assert response.headers["Content-Language"] == "de, fa-AF"
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    dari = sides(pairs(tree)[0])[1]
    assert (dari.get("lang"), dari.get("dir")) == ("fa-AF", "rtl")
    dari_links = [a.get("href") for pair in pairs(tree) for a in sides(pair)[1].xpath(".//a[@href]")
                  if a.get("href").startswith("/")]
    assert dari_links and all(href.startswith("/de/") and href.endswith("bilingual=fa_AF") for href in dari_links)
    back = lxml.html.fromstring(client.get("/fa-AF/interpreters/?bilingual=de").get_data(as_text=True))
    assert back.get("lang") == "fa-AF" and pairs(back)
    german_links = [a.get("href") for pair in pairs(back) for a in sides(pair)[1].xpath(".//a[@href]")
                    if a.get("href").startswith("/")]
    assert german_links and all(href.startswith("/fa-AF/") and href.endswith("bilingual=de") for href in german_links)


def test_search_forms_on_both_sides_keep_the_view(client, glossary):
    tree = lxml.html.fromstring(client.get("/de/interpreters/glossary?bilingual=ar").get_data(as_text=True))
    form_pair = [p for p in pairs(tree) if p.xpath(".//form[@role='search']")][0]
    german_form, arabic_form = (side.xpath(".//form")[0] for side in sides(form_pair))
    assert german_form.action == arabic_form.action == "/de/interpreters/glossary"
    values = dict(arabic_form.form_values())
    assert values["bilingual"] == "ar"
    values[arabic_form.xpath(".//input[@type='search']")[0].name] = "سند الإقامة"
    result = lxml.html.fromstring(client.get(arabic_form.action, query_string=values).get_data(as_text=True))
    found = {p.xpath(".//article")[0].get("data-block"): p for p in pairs(result) if p.xpath(".//article")}
    assert text(sides(found["term-aufenthaltstitel"])[1].xpath(".//h2")[0]) == "سند الإقامة"


def test_every_public_page_offers_the_switch_without_script(app, client):
    tree = lxml.html.fromstring(client.get("/de/interpreters/glossary?q=Duldung").get_data(as_text=True))
    form = tree.xpath("//footer//form[contains(@class, 'interpreters-bilingual-toggle__form')]")[0]
    assert form.method == "GET" and form.action == "/de/interpreters/glossary"
    codes = [option.get("value") for option in form.xpath(".//select[@name='bilingual']/option")]
    assert codes == [code for code in app.config["PORTAL"]["languages"] if code != "de"]
    assert dict(form.form_values()) == {"q": "Duldung", "bilingual": "en"}
    arabic = lxml.html.fromstring(client.get("/ar/interpreters/").get_data(as_text=True))
    link = arabic.xpath("//footer//li[@class='interpreters-bilingual-toggle']/a")[0]
    assert link.get("href") == "/ar/interpreters/?bilingual=de"
    assert link.xpath(".//span[@lang='de']")[0].text_content() == "Deutsch"


def test_the_switch_is_rendered_once_and_carries_each_pages_own_address(client):
    """The switch is kept per language for every page; each answer gets its own address and query, never another's."""
    for path, query in (("/de/interpreters/glossary", {"q": "Duldung"}), ("/de/interpreters/", {}),
                        ("/de/interpreters/glossary", {"q": "Fiktion", "x": '"><b>'})):
        tree = lxml.html.fromstring(client.get(path, query_string=query).get_data(as_text=True))
        form = tree.xpath("//footer//form[contains(@class, 'interpreters-bilingual-toggle__form')]")[0]
        assert form.action == path and dict(form.form_values()) == query | {"bilingual": "en"}
    for path in ("/ar/interpreters/", "/ar/interpreters/glossary", "/ar/interpreters/glossary?q=x"):
        tree = lxml.html.fromstring(client.get(path).get_data(as_text=True))
        link = tree.xpath("//footer//li[@class='interpreters-bilingual-toggle']/a")[0]
        assert link.get("href") == path + ("&" if "?" in path else "?") + "bilingual=de"


def test_the_switch_in_the_view_changes_the_second_language(client):
    tree = lxml.html.fromstring(client.get("/de/interpreters/guide?bilingual=ar").get_data(as_text=True))
    form = tree.xpath("//form[contains(@class, 'interpreters-bilingual-bar__form')]")[0]
    assert dict(form.form_values()) == {"bilingual": "ar"}
    response = client.get(form.action, query_string={"bilingual": "uk"})
    second = sides(pairs(lxml.html.fromstring(response.get_data(as_text=True)))[0])[1]
    assert second.get("lang") == "uk"
    assert parse_qs(urlsplit(response.request.url).query) == {"bilingual": ["uk"]}


def test_a_page_side_by_side_counts_once_against_the_rate_limit(client, glossary):
    remaining = [int(client.get("/de/interpreters/glossary?bilingual=ar").headers["X-RateLimit-Remaining"])
                 for _ in range(3)]
    assert remaining == [59, 58, 57]
    for _ in range(35):
        response = client.get("/de/interpreters/glossary?bilingual=ar")
    assert response.status_code == 200 and b"interpreters-bilingual-view" in response.data
