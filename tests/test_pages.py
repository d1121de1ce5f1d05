"""What the core tells about pages: which are public, and one page rendered in another language."""

import lxml.html
import pytest
from flask import session

from portal import toolkit


@pytest.mark.parametrize(("address", "public"), [
    ("/de/", True),
    ("/ar/accessibility?x=1", True),
    ("/de/staff/", False),
    ("/de/staff/translations/", False),
    ("/healthz", False),
    ("/", False),
    ("/xx/", False),
    ("https://elsewhere.example/de/", False),
    ("//elsewhere.example/de/", False),
])
def test_public_pages_are_told_by_the_kind_of_their_blueprint(app, address, public):
    with app.test_request_context("/de/"):
        assert toolkit.is_public_page(address) is public


def test_the_current_request_is_public_or_not(app):
    with app.test_request_context("/de/accessibility"):
        app.preprocess_request()
        assert toolkit.is_public_page()
    with app.test_request_context("/de/staff/login"):
        app.preprocess_request()
        assert not toolkit.is_public_page()


def test_a_page_is_rendered_in_another_language_with_the_visitors_session(app):
    with app.test_request_context("/de/accessibility?x=1"):
        app.preprocess_request()
        session["kept"] = "yes"
        html = toolkit.render_in_language("ar")
        tree = lxml.html.fromstring(html)
        assert (tree.get("lang"), tree.get("dir")) == ("ar", "rtl")
        assert tree.xpath("//link[@hreflang='de']/@href")[0].endswith("/de/accessibility?x=1")
        assert session["kept"] == "yes"


@pytest.mark.parametrize("address", ["/de/staff/", "/nowhere"])
def test_only_public_pages_are_rendered_in_another_language(app, address):
    with app.test_request_context("/de/"), pytest.raises(toolkit.RenderingError):
        toolkit.render_in_language("ar", address)


def test_a_view_names_where_its_answer_can_be_seen_again(app):
    with app.test_request_context("/de/", method="POST"):
        assert toolkit.result_address() is None
        toolkit.set_result_address("/de/somewhere/result/abc")
        assert toolkit.result_address() == "/de/somewhere/result/abc"
