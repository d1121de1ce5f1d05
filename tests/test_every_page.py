"""Every public page, found by following links from the home page with all plugins and demo data,
in every shipped language: at 320 px and 360 px nothing scrolls sideways or is cut off, valid HTML, and no axe-core
violation (every page in one language of each script, the home page in every language)."""

import os
import re
from urllib.parse import urlsplit

import pytest

from portal.config import DEFAULTS, LANGUAGE_CODES
from portal.i18n import language_tag, text_direction
from portal.testing import PHONE, assert_accessible, assert_no_horizontal_scroll
from tests.support import app_with_demo_data, nu_html_errors
from tests.support import crawl as crawl_page_kinds

# Pages that change state or are not HTML are not visited.
SKIP = re.compile(r"/(staff|static)/|\.(ics|xml|json|csv|svg|png|css|js)$|/feed|/api/|/download")
MAX_PAGES = 60


@pytest.fixture(scope="module")
def demo_app(make_app):
    """The portal with every first-party plugin enabled and the demo content loaded."""
    yield from app_with_demo_data(make_app, DEFAULTS["plugins"])


@pytest.fixture(scope="module")
def public_paths(crawl) -> list[str]:
    """One path (without /de) per kind of public page."""
    return crawl[0]


@pytest.fixture(scope="module")
def content_paths(crawl) -> list[str]:
    """The other pages linked without a query: same templates, other texts (every checklist, every notice)."""
    return crawl[1]


@pytest.fixture(scope="module")
def crawl(demo_app) -> tuple[list[str], list[str]]:
    """Crawl the German site from its home page; return the paths (without /de) of each kind, and of the rest."""
    seen, pages = set(), []
    for path, response in crawl_page_kinds(demo_app, demo_app.test_client(), ["/de/"], SKIP, seen):
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        if response.mimetype == "text/html":
            pages.append(path)
            if len(pages) == MAX_PAGES:
                break
    others = sorted(link for link in seen if "?" not in link and link not in pages)
    return [page[len("/de"):] for page in pages], [link[len("/de"):] for link in others]


def test_crawl_reaches_the_pages_of_every_plugin(public_paths):
    reached = {path.split("/")[1] for path in public_paths if path.count("/") >= 2}
    missing = [name for name in DEFAULTS["plugins"] if name not in reached]
    assert not missing, f"no public page of {missing} is linked from the site"


# An attribute htmx acts on when the page loads; hx-swap-oob only matters in an answer htmx asked for.
HTMX_ATTRIBUTE = re.compile(r"\s(?:data-)?hx-(?!swap-oob)[a-z:-]+=")


def test_a_page_loads_htmx_exactly_when_it_uses_it(demo_app, public_paths):
    client = demo_app.test_client()
    using = []
    for path in public_paths:
        page = client.get(f"/de{path}").get_data(as_text=True)
        uses = bool(HTMX_ATTRIBUTE.search(page))
        assert uses == ("vendor/htmx.min.js" in page), \
            f"{path} {'uses htmx without loading it' if uses else 'loads htmx it does not use'}: see uses_htmx"
        using.append(uses)
    # The lookup form does; the home page does not.
    assert any(using) and not using[0]


# A page drives the same queries on either database, and the sweep is the longest part of `make test`: each language
# is swept once. When both passes run side by side they share the languages, each with left-to-right and right-to-left
# ones, the PostgreSQL pass the smaller share (it also runs the tests that touch no database); a pass run alone sweeps
# every language.
POSTGRES_SHARE = ("de", "fa", "ps", "ru")
if not os.environ.get("PORTAL_TEST_BOTH_PASSES"):
    SWEEP_LANGUAGES = LANGUAGE_CODES
elif os.environ.get("PORTAL_TEST_DATABASE_URL"):
    SWEEP_LANGUAGES = tuple(code for code in LANGUAGE_CODES if code in POSTGRES_SHARE)
else:
    SWEEP_LANGUAGES = tuple(code for code in LANGUAGE_CODES if code not in POSTGRES_SHARE)
# axe-core, two thirds of the sweep's time, checks every page in one language of each script and direction (two in
# each pass); in the others the home page, where a language's own tags and attributes are checked all the same: the
# pages' structure, names and colours do not change with the language, their length and line breaks are what does,
# and those are checked in every language below.
AXE_ON_EVERY_PAGE = ("ar", "de", "ru", "ti")


# The narrowest phone WCAG reflow asks for, and the common one; each page loads once and is widened in place.
NARROW, COMMON = {"width": 320, "height": 640}, PHONE["viewport"]


# Words of headings, buttons and table headings split over two lines. The test browser has no hyphenation
# dictionary, so a split there is a bare break, "Einbürgerungsurkund/en"; phones hyphenate where `hyphens: auto`
# applies and the element's language is known. A page title holds a compound of up to 24 letters on one line.
_SPLIT_WORDS = """() => {
  const split = [];
  for (const element of document.querySelectorAll("h1, h2, h3, button, .button, th, summary")) {
    const hidden = element.closest(".visually-hidden, details:not([open]) > :not(summary)");
    if (hidden || !element.getClientRects().length) continue;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const style = getComputedStyle(node.parentElement);
      // A break after a hyphen ("rendez-/vous") is an ordinary line break: the parts count as words.
      for (const match of node.textContent.matchAll(/[^\\s\\u002d\\u2010]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        const lang = node.parentElement.closest("[lang]");
        const fitsTitle = element.tagName === "H1" && match[0].length <= 24;
        if (lines.size > 1 && (fitsTitle || style.hyphens !== "auto" || !lang || !lang.lang)) {
          split.push(`${element.tagName.toLowerCase()}: ${match[0]} (hyphens: ${style.hyphens})`);
        }
      }
    }
  }
  return split;
}"""


def assert_words_break_only_by_hyphenation(page) -> None:
    """Fail when a page title splits a word that fits it, or a heading or button splits one it cannot hyphenate."""
    split = page.evaluate(_SPLIT_WORDS)
    assert not split, f"{page.url} at {page.viewport_size['width']}px breaks words: {split}"


@pytest.mark.browser
@pytest.mark.both_databases
@pytest.mark.parametrize("lang", SWEEP_LANGUAGES)
def test_every_public_page_on_a_phone(live_server_for, browser, public_paths, content_paths, lang):
    server = live_server_for
    context = browser.new_context(**{**PHONE, "viewport": NARROW})
    page = context.new_page()
    for path in public_paths:
        page.set_viewport_size(NARROW)
        page.goto(f"{server.url}/{language_tag(lang)}{path}")
        assert page.locator("html").get_attribute("dir") == text_direction(lang)
        assert_no_horizontal_scroll(page)
        assert_words_break_only_by_hyphenation(page)
        if lang in AXE_ON_EVERY_PAGE or path == public_paths[0]:
            assert_accessible(page)
        page.set_viewport_size(COMMON)
        assert_no_horizontal_scroll(page)
    # The other pages differ only in their texts: long words are what can break them, at the narrowest width.
    page.set_viewport_size(NARROW)
    for path in content_paths:
        page.goto(f"{server.url}/{language_tag(lang)}{path}")
        assert_no_horizontal_scroll(page)
        assert_words_break_only_by_hyphenation(page)
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_the_side_by_side_view_fits_a_320_px_phone(live_server_for, browser, public_paths, content_paths, lang):
    # German beside a right-to-left language, the pairing where the left-to-right side was seen cut off.
    context = browser.new_context(**{**PHONE, "viewport": NARROW})
    page = context.new_page()
    for path in public_paths + content_paths:
        if urlsplit(path).query:
            continue
        page.goto(f"{live_server_for.url}/{lang}{path}?bilingual=de")
        assert_no_horizontal_scroll(page)
    context.close()


@pytest.mark.browser
def test_text_resized_to_200_percent_still_fits(live_server_for, browser, public_paths):
    context = browser.new_context(viewport={"width": 640, "height": 900})
    page = context.new_page()
    for path in public_paths[:12]:
        page.goto(f"{live_server_for.url}/de{path}")
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert_no_horizontal_scroll(page)
    context.close()


@pytest.fixture(scope="module")
def live_server_for(demo_app):
    from portal.testing import LiveServer

    server = LiveServer(demo_app)
    yield server
    server.stop()


def test_nu_html_checker_finds_no_error(demo_app, public_paths, tmp_path):
    client = demo_app.test_client()
    pages = {f"/{language_tag(lang)}{path}": client.get(f"/{language_tag(lang)}{path}").get_data(as_text=True)
             for lang in SWEEP_LANGUAGES for path in public_paths}
    errors = nu_html_errors(pages, tmp_path)
    assert not errors, "\n".join(errors[:30])
