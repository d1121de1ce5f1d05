"""Every public page, found by following links from the home page with all plugins and demo data,
in all ten languages: a phone viewport without sideways scroll, no axe-core violation, valid HTML."""

import json
import os
import re
import shutil
import subprocess
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from portal.config import DEFAULTS, LANGUAGE_CODES
from portal.testing import PHONE, assert_accessible, assert_no_horizontal_scroll, empty_tables, require_tool

VNU = Path("node_modules/vnu-jar/build/dist/vnu.jar")
# Pages that change state or are not HTML are not visited.
SKIP = re.compile(r"/(staff|static)/|\.(ics|xml|json|csv|svg|png|css|js)$|/feed|/api/|/download")
MAX_PAGES = 60


@pytest.fixture(scope="module")
def demo_app(make_app):
    """The portal with every first-party plugin enabled and the demo content loaded."""
    app = make_app(plugins=DEFAULTS["plugins"])
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    yield app
    empty_tables(app)


@pytest.fixture(scope="module")
def public_paths(demo_app) -> list[str]:
    """Crawl the German site from its home page; return one path (without /de) per kind of public page."""
    client = demo_app.test_client()
    adapter = demo_app.url_map.bind("localhost")
    seen, queue, pages, kinds = {"/de/"}, deque(["/de/"]), [], set()
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        # One page per route and query is enough: the others share its template.
        kind = (adapter.match(urlsplit(path).path)[0], bool(urlsplit(path).query))
        if kind in kinds:
            continue
        kinds.add(kind)
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        if not response.mimetype == "text/html":
            continue
        pages.append(path)
        for href in re.findall(r'href="([^"#]+)', response.get_data(as_text=True)):
            target = urlsplit(urljoin(path, href.replace("&amp;", "&")))
            if target.netloc or not target.path.startswith("/de/") or SKIP.search(target.path):
                continue
            # A query string selects a variant of a page already crawled; one of each is enough.
            link = target.path + (f"?{target.query}" if target.query and target.path not in seen else "")
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return [page[len("/de"):] for page in pages]


def test_crawl_reaches_the_pages_of_every_plugin(public_paths):
    reached = {path.split("/")[1] for path in public_paths if path.count("/") >= 2}
    missing = [name for name in DEFAULTS["plugins"] if name not in reached]
    assert not missing, f"no public page of {missing} is linked from the site"


# The PostgreSQL pass renders the same templates; one left-to-right and one right-to-left language suffice there.
ON_POSTGRES = bool(os.environ.get("PORTAL_TEST_DATABASE_URL"))
SWEEP_LANGUAGES = ("de", "ar") if ON_POSTGRES else LANGUAGE_CODES


@pytest.mark.browser
@pytest.mark.parametrize("lang", SWEEP_LANGUAGES)
def test_every_public_page_on_a_phone(live_server_for, browser, public_paths, lang):
    server = live_server_for
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in public_paths:
        page.goto(f"{server.url}/{lang}{path}")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang in ("ar", "fa") else "ltr")
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
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
    require_tool(shutil.which("java") and VNU.exists(), "Java or vnu.jar missing (make test installs them)")
    client = demo_app.test_client()
    for lang in SWEEP_LANGUAGES:
        for number, path in enumerate(public_paths):
            html = client.get(f"/{lang}{path}").get_data(as_text=True)
            (tmp_path / f"{lang}-{number}.html").write_text(html, encoding="utf-8")
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(tmp_path)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    names = {f"{lang}-{number}.html": f"/{lang}{path}" for lang in SWEEP_LANGUAGES
             for number, path in enumerate(public_paths)}
    errors = [f"{names.get(Path(m.get('url', '')).name, m.get('url'))}: {m['message']}" for m in messages
              if m.get("type") == "error"]
    assert not errors, "\n".join(errors[:30])
