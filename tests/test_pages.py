"""What the core tells about pages: which are public, and one page rendered in another language."""

import lxml.html
import pytest
from flask import session
from itsdangerous import URLSafeTimedSerializer

from portal import toolkit
from portal.live import forget_content
from portal.testing import csrf_token


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


def test_a_page_in_a_language_lacking_a_message_says_its_german_text_is_german(make_app):
    # An app of its own: the test removes a message from its cached catalog.
    app = make_app(languages=["de", "en"], office={"name": "Amt mit Lücken"})
    client = app.test_client()
    page = lxml.html.fromstring(client.get("/en/accessibility").data)
    assert not page.xpath("//*[contains(@class, 'fallback-note')]"), "a complete catalog needs no note"
    with app.test_request_context("/en/accessibility"):
        app.preprocess_request()
        catalog = app.extensions["babel"].instance.domain_instance.get_translations()._catalog
        del catalog["Sprache wählen"]
    # Catalogs change only with a new build; the header kept with the complete catalog goes with this one.
    forget_content()
    # The header is kept after the first answer (portal/templating.py): a kept header still notes what it lacks.
    for address in ("/en/accessibility", "/en/accessibility", "/en/sign-language"):
        page = lxml.html.fromstring(client.get(address).data)
        note = page.xpath("//main//*[contains(@class, 'fallback-note')]")
        assert len(note) == 1 and note[0].get("lang") is None, "the note itself is translated"
        assert "German" in note[0].text_content()
        assert page.xpath("//header//summary/span[text()='Sprache wählen: ']")
    german = lxml.html.fromstring(client.get("/de/accessibility").data)
    assert not german.xpath("//*[contains(@class, 'fallback-note')]")


@pytest.mark.parametrize("message", ["Bereich für Mitarbeitende", "Gebärdensprache"])
def test_a_message_only_the_footer_lacks_still_leads_to_the_note(make_app, message):
    # The first message follows the footer's kept part, the second is inside it; each app has its own catalog.
    app = make_app(languages=["de", "en"], office={"name": f"Amt ohne {message}"})
    client = app.test_client()
    with app.test_request_context("/en/accessibility"):
        app.preprocess_request()
        del app.extensions["babel"].instance.domain_instance.get_translations()._catalog[message]
    forget_content()
    for _ in range(2):  # rendered, then with the kept footer
        page = lxml.html.fromstring(client.get("/en/accessibility").data)
        assert page.xpath(f"//footer//a[text()='{message}']")
        assert len(page.xpath("//main//*[contains(@class, 'fallback-note')]")) == 1, message


def test_the_ethiopic_font_is_served_from_the_portal_with_its_licence_and_only_for_tigrinya(client):
    css = client.get("/static/core/portal.css").get_data(as_text=True)
    face = css[css.index("@font-face"):css.index("}", css.index("@font-face"))]
    assert "unicode-range: U+1200-137F" in face and "http" not in face
    assert "html:lang(ti) body, [lang]:lang(ti)" in css
    font = client.get("/static/core/fonts/noto-sans-ethiopic-regular-subset.woff2")
    assert font.status_code == 200 and font.data[:4] == b"wOF2"
    assert "SIL OPEN FONT LICENSE" in client.get("/static/core/fonts/OFL.txt").get_data(as_text=True)


def test_the_catalog_kept_for_a_request_follows_every_change_of_its_language(app):
    from flask import g
    from flask_babel import force_locale, gettext, refresh

    with app.test_request_context("/ar/"):
        app.preprocess_request()
        arabic = gettext("Sprache")
        assert arabic != "Sprache" and gettext("Sprache") == arabic
        with force_locale("de"):
            assert gettext("Sprache") == "Sprache"
        assert gettext("Sprache") == arabic
        g.lang = "tr"
        refresh()
        assert gettext("Sprache") not in (arabic, "Sprache")


def test_a_session_cookie_is_verified_once_per_request(make_app, monkeypatch):
    client = make_app(page_cache_seconds=30).test_client()
    token = csrf_token(client, "/de/staff/login")
    verified = []
    loads = URLSafeTimedSerializer.loads
    monkeypatch.setattr(URLSafeTimedSerializer, "loads",
                        lambda self, *args, **kwargs: verified.append(args[0]) or loads(self, *args, **kwargs))
    # The page cache verifies the cookie to tell whether the visitor is anonymous; the app takes its session from there.
    assert client.get("/de/no-such-page").status_code == 404
    assert len(verified) == 1
    login = client.post("/de/staff/login", data={"csrf_token": token, "username": "nobody", "password": "wrong"})
    assert login.status_code != 400  # the session the app took holds the form's token
