"""The side-by-side view on a page of every first-party plugin, with all of them enabled and their demo data."""

import re
from importlib.metadata import entry_points
from urllib.parse import urlencode

import lxml.html
import pytest
from flask_wtf.csrf import validate_csrf

from portal.testing import PHONE, LiveServer, assert_accessible, assert_no_horizontal_scroll, empty_tables

FIRST_PARTY = [ep.name for ep in entry_points(group="portal.plugins") if ep.value.startswith("portal_plugins.")]


@pytest.fixture(scope="module")
def everything(make_app):
    """The portal with every first-party plugin and the demo content; a plugin that does not start fails here."""
    assert "interpreters" in FIRST_PARTY, "the first-party plugins are not installed"
    app = make_app(plugins=FIRST_PARTY)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, f"demo data failed: {result.exception!r}\n{result.output}"
    yield app
    empty_tables(app)


def first_page(app, name: str) -> str | None:
    """Return the shortest public address of a plugin that needs nothing but the language."""
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith(f"{name}.") and rule.arguments == {"lang"} and "GET" in rule.methods]
    return min((rule.rule for rule in rules), key=len, default=None)


def heading(html: bytes) -> str:
    return " ".join(lxml.html.fromstring(html).xpath("string((//main//h1)[1])").split())


@pytest.mark.parametrize("name", FIRST_PARTY)
def test_a_page_of_each_plugin_is_shown_in_german_and_arabic(everything, name):
    app = everything
    rule = first_page(app, name)
    assert rule is not None, f"plugin {name} has no public page that needs only the language"
    client = app.test_client()
    german, arabic = (rule.replace("<lang:lang>", code) for code in ("de", "ar"))
    german_heading, arabic_heading = heading(client.get(german).data), heading(client.get(arabic).data)

    for url, first, second in ((german, "de", "ar"), (arabic, "ar", "de")):
        response = client.get(url, query_string={"bilingual": second})
        assert response.status_code == 200, url
        tree = lxml.html.fromstring(response.get_data(as_text=True))
        pairs = tree.xpath("//main//div[contains(concat(' ', @class, ' '), ' interpreters-bilingual-pair ')]")
        assert pairs, f"{url} is not shown side by side"
        for pair in pairs:
            assert [(side.get("lang"), side.get("dir")) for side in pair.xpath("./div")] == \
                [(first, "rtl" if first == "ar" else "ltr"), (second, "rtl" if second == "ar" else "ltr")]
            # Every pair shows something: what only screen readers hear stands once, outside the pairs.
            shown = pair.xpath(".//*[not(ancestor-or-self::*[contains(concat(' ', @class, ' '), ' visually-hidden ')])]"
                               "/text()[normalize-space()] | .//input | .//img | .//svg")
            assert shown, f"{url}: an empty pair {lxml.html.tostring(pair)[:200]!r}"
        headings = {side.get("lang"): " ".join(side.xpath("string(.//h1)").split())
                    for side in pairs[0].xpath("./div")}
        assert headings == {"de": german_heading, "ar": arabic_heading}
        ids = tree.xpath("//@id")
        assert len(ids) == len(set(ids)), f"{url}: an id is used twice"
        # Forms on either side carry tokens that the visitor's session accepts.
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        for token in tree.xpath("//main//input[@name='csrf_token']/@value"):
            with app.test_request_context(headers={"Cookie": f"{cookie.key}={cookie.value}"}):
                validate_csrf(token)


# --- A form in the view: the appointment lookup --------------------------------------------------------

DEMO_LOOKUP = {"reference": "M-100001", "day": "27", "month": "3", "year": "1985"}


def tree_of(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def side_forms(tree) -> dict:
    """Return the lookup form of each side of the view, by the side's language."""
    return {side.get("lang"): side.xpath(".//form[@method='post']")[0]
            for side in tree.xpath("//div[contains(concat(' ', @class, ' '), ' interpreters-bilingual-side ')]")
            if side.xpath(".//form[@method='post']")}


def send(client, form, **values):
    """Send a form of a page as a browser would, with the given fields filled in."""
    return client.post(form.action, data=dict(form.form_values()) | values)


def test_a_lookup_sent_from_either_side_shows_the_result_side_by_side(everything):
    client = everything.test_client()
    forms = side_forms(tree_of(client.get("/de/appointments/?bilingual=ar")))
    assert forms["de"].action == "/de/appointments/?bilingual=ar"
    assert forms["ar"].action == "/ar/appointments/?bilingual=de"
    # With script, the form sends the whole page too: an htmx swap would fill one side only.
    assert not [name for form in forms.values() for name in form.attrib if name.endswith(("hx-post", "hx-get"))]

    for lang, second in (("de", "ar"), ("ar", "de")):
        answer = send(client, forms[lang], **DEMO_LOOKUP)
        assert answer.status_code == 303
        location = answer.headers["Location"]
        assert location.startswith(f"/{lang}/appointments/result/") and location.endswith(f"?bilingual={second}")
        assert "1985" not in location
        result = client.get(location)
        tree = tree_of(result)
        references = {side.get("lang"): " ".join(side.xpath("string(.//dl//bdi)").split())
                      for side in tree.xpath("(//div[contains(@class, 'interpreters-bilingual-pair')])[1]/div")}
        assert references == {"de": "M-100001", "ar": "M-100001"}
        assert result.headers["Content-Language"] == f"{lang}, {second}"
        assert "no-store" in result.headers["Cache-Control"]


def test_a_lookup_that_finds_nothing_stays_side_by_side_with_what_was_typed(everything):
    client = everything.test_client()
    forms = side_forms(tree_of(client.get("/de/appointments/?bilingual=ar")))
    answer = send(client, forms["de"], **(DEMO_LOOKUP | {"year": "1986"}))
    assert answer.status_code == 404
    tree = tree_of(answer)
    german = tree.xpath("//div[contains(@class, 'interpreters-bilingual-side')][@lang='de']")
    assert any(side.xpath(".//*[contains(@class, 'appointments-not-found')]") for side in german)
    forms = side_forms(tree)
    assert forms["de"].xpath(".//input[@name='reference']/@value") == ["M-100001"]
    assert (forms["de"].action, forms["ar"].action) == ("/de/appointments/?bilingual=ar",
                                                        "/ar/appointments/?bilingual=de")


@pytest.mark.parametrize("htmx", [False, True])
def test_the_switch_beside_a_result_leads_to_that_result_side_by_side(everything, htmx):
    client = everything.test_client()
    for lang in ("de", "ar"):
        form = tree_of(client.get(f"/{lang}/appointments/")).xpath("//main//form[@method='post']")[0]
        headers = {"HX-Request": "true"} if htmx else {}
        # Without script the browser follows the answer to the result's own address.
        answer = client.post(form.action, data=dict(form.form_values()) | DEMO_LOOKUP, headers=headers,
                             follow_redirects=True)
        assert answer.status_code == 200
        fragment = lxml.html.fragment_fromstring(answer.get_data(as_text=True), create_parent="div")
        assert fragment.xpath("//*[@id='appointment-title']")  # the result itself, its markup intact
        switch = fragment.xpath("//li[@id='bilingual-toggle']")[0]
        # With script the switch comes with the result and replaces the one the page had.
        assert (switch.get("data-hx-swap-oob") == "true") is htmx
        if lang == "de":
            target = switch.xpath(".//form")[0]
            address = f"{target.action}?{urlencode(target.form_values())}"
        else:
            address = switch.xpath(".//a")[0].get("href")
        assert address.startswith(f"/{lang}/appointments/result/")
        tree = tree_of(client.get(address))
        sides = tree.xpath("(//div[contains(@class, 'interpreters-bilingual-pair')])[1]/div")
        assert len(sides) == 2 and all("M-100001" in side.text_content() for side in sides)


def test_a_page_that_sends_elsewhere_keeps_the_view(everything):
    # Without a confirmation to show, the emergency plugin's confirmation page sends the visitor to its form.
    answer = everything.test_client().get("/de/emergency/sent?bilingual=ar")
    assert answer.status_code == 302 and answer.headers["Location"] == "/de/emergency/?bilingual=ar"


@pytest.fixture(scope="module")
def everything_served(everything):
    """The portal with every first-party plugin, served for a browser."""
    server = LiveServer(everything)
    yield server
    server.stop()


def fill_lookup(page, prefix: str = "") -> None:
    for name, value in DEMO_LOOKUP.items():
        page.fill(f"#{prefix}{name}", value)


def check_page(browser, page, script: bool) -> None:
    """Check the page for sideways scroll and with axe-core; axe is a script, so a page without runs in a copy."""
    assert_no_horizontal_scroll(page)
    if script:
        assert_accessible(page)
        return
    scripted = browser.new_context(**PHONE)
    copy = scripted.new_page()
    copy.goto(page.url)
    assert_accessible(copy)
    scripted.close()


def assert_result_on_both_sides(page, first: str, second: str) -> None:
    sides = page.locator(".interpreters-bilingual-pair >> nth=0").locator(":scope > .interpreters-bilingual-side")
    assert [sides.nth(i).get_attribute("lang") for i in (0, 1)] == [first, second]
    for i in (0, 1):
        assert sides.nth(i).locator("dl bdi").inner_text() == "M-100001"


@pytest.mark.browser
@pytest.mark.parametrize(("script", "side", "other"), [(False, "de", "ar"), (True, "ar", "de")])
def test_a_lookup_in_the_view_on_a_phone_shows_the_result_on_both_sides(everything_served, browser, script, side,
                                                                         other):
    context = browser.new_context(**PHONE, java_script_enabled=script)
    page = context.new_page()
    page.goto(everything_served.url + "/de/appointments/?bilingual=ar")
    check_page(browser, page, script)
    # Filled in on either side, the lookup is answered in that side's language, with the other beside it.
    fill_lookup(page, "" if side == "de" else f"bilingual-{side}-")
    page.locator(f".interpreters-bilingual-side[lang={side}] form[method=post] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{side}/appointments/result/[^?]+\?bilingual={other}$"))
    assert_result_on_both_sides(page, side, other)
    check_page(browser, page, script)
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("script", [False, True])
def test_the_switch_in_the_footer_of_a_result_shows_that_result_side_by_side(everything_served, browser, script):
    context = browser.new_context(**PHONE, java_script_enabled=script)
    page = context.new_page()
    page.goto(everything_served.url + "/ar/appointments/")
    fill_lookup(page)
    page.locator("main form[method=post] button[type=submit]").click()
    page.locator("#appointment-title").wait_for()
    page.locator("#bilingual-toggle a").click()
    page.wait_for_url(re.compile(r"/ar/appointments/result/[^?]+\?bilingual=de$"))
    assert_result_on_both_sides(page, "ar", "de")
    check_page(browser, page, script)
    context.close()
