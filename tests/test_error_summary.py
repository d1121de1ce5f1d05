"""After a failed submit, every form shows its errors first, as links to the fields, and focus lands there."""

import lxml.html
import pytest
from playwright.sync_api import expect

from portal.config import DEFAULTS
from portal.testing import PHONE, LiveServer, assert_accessible, browser_sign_in, csrf_token, sign_in

PUBLIC_FORMS = ["/de/emergency/", "/de/appointments/", "/de/naturalisation/"]
STAFF_FORMS = ["/de/staff/accounts", "/de/staff/password", "/de/staff/notices/new", "/de/staff/checklists/services/new",
               "/de/staff/checklists/questions/new", "/de/staff/hygiene/rules/new",
               "/de/staff/naturalisation/cases/new", "/de/staff/interpreters/glossary/new",
               "/de/staff/interpreters/help-times/new", "/de/staff/appointments/import",
               "/de/staff/naturalisation/import"]


@pytest.fixture
def portal(make_app, app):
    """Every first-party plugin and two locations; `app` is requested for its clean-up (same database)."""
    return make_app(plugins=DEFAULTS["plugins"], office={"locations": ["Wacker Hof", "Nebenstelle Benrath"]})


def assert_summary_first(html: str, url: str) -> None:
    """Check that the page has one focusable summary, above the first invalid field, linking to fields that exist."""
    tree = lxml.html.fromstring(html)
    # A <template>'s content is not part of the page (base.html keeps the connection note there).
    summaries = tree.xpath("//div[@class='error-summary'][not(ancestor::template)]")
    assert len(summaries) == 1, f"{url}: no error summary"
    summary = summaries[0]
    assert summary.get("tabindex") == "-1" and summary.get("autofocus") is not None
    links = summary.xpath(".//a/@href")
    assert links, f"{url}: the summary links to no field"
    order = list(tree.iter())
    targets = []
    for href in links:
        found = tree.xpath(f"//*[@id='{href[1:]}']")
        assert found, f"{url}: {href} leads nowhere"
        targets.append(order.index(found[0]))
    assert targets == sorted(targets), f"{url}: the summary lists the fields in another order than the page: {links}"
    invalid = tree.xpath("//*[@aria-invalid='true' or contains(@class, 'field--error') or @class='error']")
    assert invalid and order.index(summary) < order.index(invalid[0]), f"{url}: the summary is below the fields"


def test_every_public_form_shows_the_summary_first(portal):
    client = portal.test_client()
    for url in PUBLIC_FORMS:
        response = client.post(url, data={"csrf_token": csrf_token(client, url)})
        assert_summary_first(response.get_data(as_text=True), url)


def test_every_staff_form_shows_the_summary_first(portal, make_staff):
    client = portal.test_client()
    response = client.post("/de/staff/login", data={"csrf_token": csrf_token(client, "/de/staff/login")})
    assert_summary_first(response.get_data(as_text=True), "/de/staff/login")
    sign_in(client, make_staff("admin"))
    for url in STAFF_FORMS:
        response = client.post(url, data={"csrf_token": csrf_token(client, url)})
        assert response.status_code < 500, url
        assert_summary_first(response.get_data(as_text=True), url)


def test_texts_per_language_are_listed_language_by_language_as_the_page_shows_them(portal, make_staff):
    client = portal.test_client()
    sign_in(client, make_staff("admin"))
    url = "/de/staff/notices/new"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "category": "opening",
                                      "priority": "normal", "titles-en": "Closed", "bodies-fr": "Fermé"})
    html = response.get_data(as_text=True)
    assert_summary_first(html, url)
    links = lxml.html.fromstring(html).xpath("//div[@class='error-summary']//a/@href")
    assert links == ["#starts_at", "#titles-de", "#bodies-de", "#bodies-en", "#titles-fr"]


def test_the_poster_form_shows_the_summary_first(portal):
    url = "/de/hygiene/poster?languages=xx"
    assert_summary_first(portal.test_client().get(url).get_data(as_text=True), url)


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_focus_lands_on_the_summary_on_a_phone(browser, portal, make_staff, javascript):
    server = LiveServer(portal)
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/de/emergency/")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        # The browser applies autofocus at its next rendering step, so wait for it.
        expect(page.locator("#error-summary")).to_be_focused()
        box = page.locator("#error-summary").bounding_box()
        assert 0 <= box["y"] < PHONE["viewport"]["height"]
        if javascript:
            # axe-core runs in the page, so only where the page may run scripts.
            assert_accessible(page)
        # A link in the summary leads to its field.
        page.locator("#error-summary a").first.click()
        assert page.evaluate("location.hash") == "#" + page.locator("#error-summary a").first.get_attribute(
            "href")[1:]
        browser_sign_in(page, server.url, make_staff("editor"))
        page.goto(f"{server.url}/de/staff/notices/new")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        expect(page.locator("#error-summary")).to_be_focused()
    finally:
        context.close()
        server.stop()
