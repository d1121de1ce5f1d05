"""What visitors see: list, detail, publication window, fallback language, banner, home page, feed."""

import re
from datetime import datetime, timedelta

import pytest
from lxml import etree, html
from portal_plugins.notices.demo import load_demo_notices
from portal_plugins.notices.models import Notice

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_list_shows_newest_first_in_pages(client, make_notice):
    for number in range(12):
        make_notice({"de": (f"Hinweis {number:02d}", "Text")}, starts=timedelta(hours=-100 + number))
    first = page(client, "/de/notices/")
    titles = re.findall(r">Hinweis (\d\d)</a>", first)
    assert titles == [f"{n:02d}" for n in range(11, 1, -1)]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = page(client, "/de/notices/?page=2")
    assert re.findall(r">Hinweis (\d\d)</a>", second) == ["01", "00"]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get("/de/notices/?page=3").status_code == 404
    assert client.get("/de/notices/?page=0").status_code == 404


@pytest.mark.parametrize("window, visible", [
    ({"starts": timedelta(hours=-1)}, True),
    ({"starts": timedelta(days=-3), "ends": timedelta(minutes=5)}, True),
    ({"starts": timedelta(hours=1)}, False),
    ({"starts": timedelta(days=-3), "ends": timedelta(minutes=-5)}, False),
    ({"starts": timedelta(hours=-1), "state": "draft"}, False),
])
def test_publication_window_and_state_decide_what_visitors_see(client, make_notice, window, visible):
    notice_id = make_notice({"de": ("Neue Öffnungszeiten", "Ab Montag.")}, priority="urgent", **window)
    assert ("Neue Öffnungszeiten" in page(client, "/de/notices/")) is visible
    assert ("Neue Öffnungszeiten" in page(client, "/de/")) is visible
    assert client.get(f"/de/notices/{notice_id}").status_code == (200 if visible else 404)
    assert ("Neue Öffnungszeiten" in client.get("/de/notices/feed.atom").get_data(as_text=True)) is visible


def test_detail_shows_the_visitors_language_without_a_note(client, make_notice):
    notice_id = make_notice({"de": ("Nur mit Karte", "Bitte **Karte** mitbringen."),
                             "ar": ("الدفع بالبطاقة فقط", "أحضروا **البطاقة**.")})
    german = page(client, f"/de/notices/{notice_id}")
    assert "<h1>Nur mit Karte</h1>" in german and "<strong>Karte</strong>" in german
    arabic = page(client, f"/ar/notices/{notice_id}")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "<h1>الدفع بالبطاقة فقط</h1>" in arabic
    assert "fallback-note" not in arabic


def test_missing_language_falls_back_to_german_with_a_translated_note(client, make_notice):
    notice_id = make_notice({"de": ("Wir sind umgezogen", "Neue Adresse: Erkrather Straße 377.")})
    turkish = page(client, f"/tr/notices/{notice_id}")
    tree = html.fromstring(turkish)
    note = tree.find_class("fallback-note")[0]
    # The language is named as the reader names it, not as German speakers do.
    assert note.text_content().strip() == "Bu duyuru sizin dilinizde mevcut değil. Burada Almanca olarak gösteriliyor."
    english = html.fromstring(page(client, f"/en/notices/{notice_id}")).find_class("fallback-note")[0]
    assert english.text_content().strip() == ("This notice is not available in your language. "
                                              "It is shown here in German.")
    heading = tree.xpath("//h1")[0]
    assert heading.get("lang") == "de" and heading.get("dir") == "ltr"
    body = tree.find_class("notices-item__body")[0]
    assert body.get("lang") == "de" and body.get("dir") == "ltr"
    # The same fallback marks the title on the list, the home page and the banner.
    for url in ("/tr/notices/", "/tr/"):
        assert re.search(r'<h[23] id="notice-\d+-title" lang="de" dir="ltr">', page(client, url))


def test_fallback_follows_the_configured_chain(make_app, make_notice, portal_config):
    app = make_app(**portal_config, fallback_languages=["en", "de"])
    notice_id = make_notice({"de": ("Hinweis", "Text auf Deutsch."), "en": ("Notice", "Text in English.")})
    polish = app.test_client().get(f"/pl/notices/{notice_id}").get_data(as_text=True)
    assert '<h1 lang="en" dir="ltr">Notice</h1>' in polish


def test_a_notice_lacking_the_source_language_shows_in_a_language_it_has(make_app, make_notice, portal_config):
    # Saved while German was the source language; the office now writes in English.
    app = make_app(**portal_config, fallback_languages=["en"])
    notice_id = make_notice({"de": ("Hinweis", "Nur auf Deutsch.")})
    polish = app.test_client().get(f"/pl/notices/{notice_id}").get_data(as_text=True)
    assert '<h1 lang="de" dir="ltr">Hinweis</h1>' in polish and "fallback-note" in polish


def test_urgent_notices_show_as_a_banner_on_every_public_page_until_they_end(client, make_notice, staff_client):
    make_notice({"de": ("Heute geschlossen", "Wegen Stromausfall.")}, priority="urgent", ends=timedelta(hours=2))
    make_notice({"de": ("Nur mit Karte", "Text")}, priority="important")
    make_notice({"de": ("Alter Ausfall", "Text")}, priority="urgent", starts=timedelta(days=-2),
                ends=timedelta(minutes=-1))
    for url in ("/de/", "/de/notices/", "/de/does-not-exist"):
        banner = html.fromstring(client.get(url).get_data(as_text=True)).find_class("banner")
        assert len(banner) == 1, url
        assert "Heute geschlossen" in banner[0].text_content()
        assert "Nur mit Karte" not in banner[0].text_content() and "Alter Ausfall" not in banner[0].text_content()
    assert 'class="banner"' not in staff_client("editor").get("/de/staff/").get_data(as_text=True)


def test_home_page_shows_the_newest_notices(client, make_notice):
    for number in range(5):
        make_notice({"de": (f"Hinweis {number}", "Text")}, starts=timedelta(hours=-10 + number))
    home = page(client, "/de/")
    assert re.findall(r">Hinweis (\d)</a>", home) == ["4", "3", "2"]
    assert 'href="/de/notices/"' in home


def test_no_notices_no_home_section_and_a_friendly_list(client):
    assert "notices-home" not in page(client, "/de/")
    assert "Zurzeit gibt es keine Mitteilungen." in page(client, "/de/notices/")


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)></svg>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<style>body{display:none}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<a href=\"javascript:alert(1)\">klick</a>",
    "[klick](javascript:alert(1))",
    "[klick](JaVaScRiPt:alert(1))",
    "[klick](&#106;avascript:alert(1))",
    "[klick](java\tscript:alert(1))",
    "[klick](vbscript:msgbox(1))",
    "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![bild](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[klick]: javascript:alert(1)\n\n[klick]",
    "<<script>script>alert(1)<</script>/script>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[ok](https://example.org \"title\" onmouseover=alert(1))",
]
SAFE_TAGS = {"div", "p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code", "pre",
             "hr", "table", "thead", "tbody", "tr", "th", "td"}
SAFE_SCHEMES = ("https:", "http:", "mailto:", "tel:")


def assert_harmless(fragment) -> None:
    """Fail if rendered notice markup could run script or load anything."""
    for element in fragment.iter():
        assert element.tag in SAFE_TAGS, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on") and name not in {"style", "src"}, name
            if name == "href":
                squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                assert squeezed.startswith(SAFE_SCHEMES) or squeezed.startswith(("#", "/")), value


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_never_lets_script_through(client, make_notice, payload):
    notice_id = make_notice({"de": (payload[:200], f"Vorher\n\n{payload}\n\nNachher")})
    detail = client.get(f"/de/notices/{notice_id}").get_data(as_text=True)
    body = html.fromstring(detail).find_class("notices-item__body")[0]
    assert_harmless(body)
    assert "Nachher" in body.text_content()
    assert "<script>alert" not in detail and "onerror=alert" not in detail.replace("onerror=alert(1)&gt;", "")
    feed = etree.fromstring(client.get("/de/notices/feed.atom").data)
    content = feed.find(f"{ATOM}entry/{ATOM}content")
    assert_harmless(html.fragment_fromstring(content.text, create_parent="div"))


def test_feed_is_atom_with_absolute_links_in_the_visitors_language(client, make_notice):
    make_notice({"de": ("Älter", "Text"), "ar": ("أقدم", "نص")}, starts=timedelta(days=-2))
    newer_id = make_notice({"de": ("Neuer", "Nur deutsch")}, category="payment")
    response = client.get("/ar/notices/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = etree.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed" and feed.get(XML_LANG) == "ar"
    for required in ("id", "title", "updated", "author/" + ATOM + "name"):
        assert feed.find(ATOM + required) is not None and feed.find(ATOM + required).text, required
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/ar/notices/feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Neuer", "أقدم"]
    assert [entry.get(XML_LANG) for entry in entries] == ["de", "ar"]
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == 2 and all(entry_id.startswith("tag:localhost,") for entry_id in ids)
    assert entries[0].find(f"{ATOM}link[@rel='alternate']").get("href") == f"http://localhost/ar/notices/{newer_id}"
    assert entries[0].find(f"{ATOM}content").get("type") == "html"
    assert entries[0].find(f"{ATOM}category").get("term") == "payment"
    for stamp in feed.iter(f"{ATOM}updated", f"{ATOM}published"):
        assert datetime.fromisoformat(stamp.text).tzinfo is not None
    for link in feed.iter(f"{ATOM}link"):
        assert link.get("href").startswith("http://localhost/")
    # The English feed carries the same entries under the same ids.
    english = etree.fromstring(client.get("/en/notices/feed.atom").data)
    assert [entry.findtext(f"{ATOM}id") for entry in english.findall(f"{ATOM}entry")] == ids
    assert 'type="application/atom+xml"' in page(client, "/ar/notices/")


def test_translation_report_counts_published_notices_per_language(app, make_notice):
    make_notice({"de": ("A", "a"), "en": ("A", "a")})
    make_notice({"de": ("B", "b"), "ar": ("B", "b")})
    make_notice({"de": ("C", "c"), "ar": ("C", "c")}, state="draft")
    with app.test_request_context("/de/"):
        reports = app.extensions["portal.plugins"].hook.portal_translation_content()
    statuses = {status.lang: (status.translated, status.total) for status in reports[0]}
    assert statuses["de"] == (2, 2) and statuses["en"] == (1, 2) and statuses["ar"] == (1, 2)
    assert statuses["fa"] == (0, 2) and set(statuses) == set(app.config["PORTAL"]["languages"])


def test_demo_notices_come_in_every_shipped_language_and_load_once(app, load):
    from sqlalchemy import select

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    notices = load(select(Notice))
    assert len(notices) == 3
    assert all({text.lang for text in notice.texts} == set(app.config["PORTAL"]["languages"]) for notice in notices)
    assert {notice.priority for notice in notices} == {"urgent", "important"}
    with app.app_context():
        assert load_demo_notices(app.extensions["portal.db"].session) == 0
    home = app.test_client().get("/fa/").get_data(as_text=True)
    assert "Wacker Hof, Musterstraße 1" in home and 'class="banner"' in home


def test_the_demo_move_notice_gives_the_configured_office_address(app, load):
    from sqlalchemy import select

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    office = app.config["PORTAL"]["office"]
    address = f"{office['street']}**, {office['postal_code']} {office['city']}"
    moved = [notice for notice in load(select(Notice)) if notice.category == "location"]
    assert len(moved) == 1
    for text in moved[0].texts:
        assert office["street"] in text.title and address in text.body.replace("،", ","), text.lang
