"""The side-by-side view on a page of every first-party plugin, with all of them enabled and their demo data."""

import importlib
from importlib.metadata import entry_points

import lxml.html
import pytest
from flask_wtf.csrf import validate_csrf

from portal.testing import empty_tables

FIRST_PARTY = [ep.name for ep in entry_points(group="portal.plugins") if ep.value.startswith("portal_plugins.")]


def not_ready(name: str) -> str | None:
    """Return why a first-party plugin cannot be tested yet, or None when it is implemented."""
    try:
        module = importlib.import_module(f"portal_plugins.{name}")
    except Exception as exc:  # a plugin being written may not import yet; the reason is reported
        return f"plugin {name} does not import yet: {exc.__class__.__name__}: {exc}"
    if not hasattr(module, "plugin_info"):
        return f"plugin {name} is not implemented yet (its module has no plugin_info)"
    return None


@pytest.fixture(scope="module")
def everything(make_app):
    """The portal with every implemented first-party plugin and the demo content; and why others are left out."""
    left_out = {name: reason for name in FIRST_PARTY if (reason := not_ready(name))}
    names = [name for name in FIRST_PARTY if name not in left_out]
    while True:
        try:
            app = make_app(plugins=names)
            break
        except Exception as exc:
            # PluginError names the plugin that stopped the start.
            culprit = getattr(exc, "name", None)
            if culprit not in names or culprit == "interpreters":
                raise
            left_out[culprit] = f"plugin {culprit} does not start yet: {exc}"
            names.remove(culprit)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, f"demo data failed: {result.exception!r}\n{result.output}"
    yield app, left_out
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
    app, left_out = everything
    if name in left_out:
        pytest.skip(left_out[name])
    rule = first_page(app, name)
    if rule is None:
        pytest.skip(f"plugin {name} has no public page that needs only the language")
    client = app.test_client()
    german, arabic = (rule.replace("<lang:lang>", code) for code in ("de", "ar"))
    german_heading, arabic_heading = heading(client.get(german).data), heading(client.get(arabic).data)

    for url, first, second in ((german, "de", "ar"), (arabic, "ar", "de")):
        response = client.get(url, query_string={"bilingual": second})
        assert response.status_code == 200, url
        tree = lxml.html.fromstring(response.get_data(as_text=True))
        pairs = tree.xpath("//main//div[contains(concat(' ', @class, ' '), ' bilingual-pair ')]")
        assert pairs, f"{url} is not shown side by side"
        for pair in pairs:
            assert [(side.get("lang"), side.get("dir")) for side in pair.xpath("./div")] == \
                [(first, "rtl" if first == "ar" else "ltr"), (second, "rtl" if second == "ar" else "ltr")]
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
