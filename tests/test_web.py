"""The web layer: languages, security headers, CSRF, error pages, outages, health, static files."""

import re

import pytest
from flask import render_template, url_for

from portal import create_app, toolkit
from portal.i18n import language_tag
from portal.migrate import upgrade_all
from portal.testing import csrf_token
from tests.support import DatabaseOutage


def test_root_redirects_by_cookie_then_accept_language_then_default(client):
    assert client.get("/").headers["Location"] == "/de/"
    assert client.get("/", headers={"Accept-Language": "tr-TR,tr;q=0.9,en;q=0.5"}).headers["Location"] == "/tr/"
    assert client.get("/", headers={"Accept-Language": "ja"}).headers["Location"] == "/de/"
    client.set_cookie("portal_lang", "ar")
    assert client.get("/", headers={"Accept-Language": "tr"}).headers["Location"] == "/ar/"
    assert "Accept-Language" in client.get("/").headers["Vary"]


def test_visiting_a_language_remembers_it(client):
    response = client.get("/fa/")
    assert "portal_lang=fa" in response.headers["Set-Cookie"]
    assert client.get("/").headers["Location"] == "/fa/"


def test_unknown_language_is_not_found(client):
    assert client.get("/xx/").status_code == 404
    assert client.get("/de/no-such-page").status_code == 404


@pytest.mark.parametrize("lang, direction, switcher_label", [
    ("de", "ltr", "Deutsch"), ("en", "ltr", "English"), ("ar", "rtl", "العربية"), ("fa", "rtl", "فارسی"),
    ("ku", "ltr", "Kurdî (kurmancî)"), ("ckb", "rtl", "کوردیی ناوەندی"), ("fa-AF", "rtl", "دری"),
    ("ps", "rtl", "پښتو"), ("ti", "ltr", "ትግርኛ"),
])
def test_html_language_direction_and_switcher(client, lang, direction, switcher_label):
    page = client.get(f"/{lang}/").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert f'aria-current="true">{switcher_label}</a>' in page
    for code in ("de", "en", "ar"):
        assert f'<link rel="alternate" hreflang="{code}" href="http://localhost/{code}/">' in page


def test_a_language_with_a_region_has_its_bcp47_tag_in_addresses_and_attributes(client):
    page = client.get("/fa-AF/accessibility").get_data(as_text=True)
    assert "Skip to content" not in page and "اعلامیه دسترسی‌پذیری" in page
    assert '<link rel="alternate" hreflang="fa-AF" href="http://localhost/fa-AF/accessibility">' in page
    assert 'href="/fa-AF/accessibility" hreflang="fa-AF" lang="fa-AF" dir="rtl" aria-current="true">دری</a>' in page
    assert 'href="/ckb/accessibility" hreflang="ckb" lang="ckb" dir="rtl">کوردیی ناوەندی</a>' in page
    assert 'href="/fa/accessibility" hreflang="fa" lang="fa" dir="rtl">فارسی</a>' in page
    assert client.get_cookie("portal_lang").value == "fa_AF"
    assert client.get("/").headers["Location"] == "/fa-AF/"
    # One spelling per page: the gettext form is not a second address.
    assert client.get("/fa_AF/").status_code == 404
    nowhere = client.get("/fa-AF/no-such-page")
    assert nowhere.status_code == 404 and '<html lang="fa-AF" dir="rtl">' in nowhere.get_data(as_text=True)


def test_an_error_page_names_each_of_its_regions_once(client):
    # The error's note repeats the footer's urgent contact; only the footer's is a region, so a screen reader's list
    # of landmarks names "urgent matters" once.
    html = client.get("/de/no-such-page").get_data(as_text=True)
    assert html.count("Dringende Anliegen") == 2
    regions = re.findall(r'<section[^>]*aria-labelledby="([^"]+)"', html)
    assert len(regions) == len(set(regions)) and "error-emergency-contact" not in regions


@pytest.mark.parametrize("accept, lang", [
    ("fa-AF,fa;q=0.8", "fa-AF"), ("fa-af", "fa-AF"), ("prs", "fa-AF"), ("prs-AF,de;q=0.5", "fa-AF"),
    ("fa-IR,fa;q=0.9", "fa"), ("fa", "fa"), ("ku-TR,tr;q=0.5", "ku"), ("kmr", "ku"), ("ckb-IQ,ar;q=0.5", "ckb"),
])
def test_browsers_asking_for_dari_or_kurdish_get_it(client, accept, lang):
    assert client.get("/", headers={"Accept-Language": accept}).headers["Location"] == f"/{lang}/"


def test_switcher_keeps_the_current_page(client):
    page = client.get("/en/staff/login?next=/en/staff/").get_data(as_text=True)
    assert 'href="/ar/staff/login?next=/en/staff/" hreflang="ar" lang="ar" dir="rtl"' in page


def test_a_form_answered_with_errors_switches_to_the_same_form_and_a_post_only_address_home(make_app):
    app = make_app(plugins=[], languages=["de", "ar"])
    app.config["WTF_CSRF_ENABLED"] = False
    app.add_url_rule("/<lang:lang>/probe/<word>", "probe", lambda word: render_template("home.html"),
                     methods=["GET", "POST"])
    app.add_url_rule("/<lang:lang>/only-post", "only_post", lambda: render_template("home.html"), methods=["POST"])
    client = app.test_client()
    page = client.post("/de/probe/a?t=x.y", data={"field": "bad"}).get_data(as_text=True)
    assert '<li><a href="/ar/probe/a?t=x.y" hreflang="ar"' in page
    # Nothing to ask again by GET: the switch leads home, as from any other answer.
    assert '<li><a href="/ar/" hreflang="ar"' in client.post("/de/only-post").get_data(as_text=True)


def test_language_links_are_the_address_of_the_same_page_in_each_language(make_app):
    """The links are built once and changed in their language segment: they must equal url_for's, prefix and all."""
    # An app of this test's own, which has handled no request yet.
    app = make_app(plugins=[], languages=["de", "ckb", "fa_AF", "en"])
    app.add_url_rule("/<lang:lang>/probe/<word>/<int:number>", "probe",
                     lambda word, number: render_template("home.html"))
    client = app.test_client()
    for script_root in ("", "/amt"):
        page = client.get("/fa-AF/probe/a%20b/7", base_url=f"http://localhost{script_root}").get_data(as_text=True)
        switcher = re.findall(r'<li><a href="([^"]+)" hreflang="([^"]+)" lang=', page)
        with app.test_request_context(base_url=f"http://localhost{script_root}"):
            expected = [(url_for("probe", lang=code, word="a b", number=7), language_tag(code))
                        for code in ("de", "ckb", "fa_AF", "en")]
        assert switcher == expected and switcher[2][0] == f"{script_root}/fa-AF/probe/a%20b/7"


def test_kept_alternates_carry_each_requests_host_mount_point_and_address(make_app):
    """The alternates in <head> are kept with the frame: each host and mount point gets its own, never another's."""
    app = make_app(plugins=[], languages=["de", "ar", "en"])
    app.add_url_rule("/<lang:lang>/probe/<word>", "probe", lambda word: render_template("home.html"))
    client = app.test_client()
    for base, word in (("http://localhost", "a"), ("http://other.example", "b"), ("http://localhost/amt", "c"),
                       ("http://localhost", "d")):
        page = client.get(f"/ar/probe/{word}?x=1", base_url=base).get_data(as_text=True)
        alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page)
        assert alternates == [(tag, f"{base}/{tag}/probe/{word}?x=1") for tag in ("de", "ar", "en")], base


def test_a_kept_answer_holding_addresses_is_kept_per_path_prefix(make_app):
    """What content_cached keeps for a language may hold url_for's addresses: each path prefix gets its own."""
    app = make_app(plugins=[], languages=["de", "uk"])

    @toolkit.content_cached
    def home_link() -> str:
        return url_for("core.home")

    app.add_url_rule("/<lang:lang>/probe", "probe", lambda: home_link())
    client = app.test_client()
    for root in ("", "/amt", "", "/amt"):
        for lang in ("de", "uk"):
            assert client.get(f"/{lang}/probe", base_url=f"http://localhost{root}").text == f"{root}/{lang}/"


def test_interface_is_translated(client):
    assert "Skip to content" in client.get("/en/").get_data(as_text=True)
    assert "الانتقال إلى المحتوى" in client.get("/ar/").get_data(as_text=True)


def test_dates_are_formatted_for_the_locale(client):
    assert "Monday" in client.get("/en/").get_data(as_text=True)
    assert "Montag" in client.get("/de/").get_data(as_text=True)
    assert "الاثنين" in client.get("/ar/").get_data(as_text=True)


def test_security_headers(client):
    headers = client.get("/de/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers
    assert "HX-Request" in headers["Vary"]


def test_https_adds_hsts_and_hardens_the_session_cookie(make_app):
    app = make_app(plugins=[], https=True)
    client = app.test_client()
    response = client.get("https://localhost/de/staff/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-portal="))
    assert "Path=/" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_form_posts_without_csrf_token_are_refused(client):
    response = client.post("/de/staff/login", data={"email": "a@b.example", "password": "x" * 12})
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)


def test_form_posts_with_csrf_token_are_accepted(client):
    token = csrf_token(client, "/de/staff/login")
    response = client.post("/de/staff/login", data={"email": "a@b.example", "password": "x" * 12,
                                                    "csrf_token": token})
    assert response.status_code == 422


@pytest.mark.parametrize("lang, title", [("de", "Seite nicht gefunden"), ("en", "Page not found"),
                                         ("ar", "الصفحة غير موجودة")])
def test_error_pages_are_localized_and_show_the_emergency_contact(client, app, lang, title):
    response = client.get(f"/{lang}/nothing-here")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in page
    assert f'mailto:{app.config["PORTAL"]["office"]["emergency_email"]}' in page


def test_error_page_outside_a_language_uses_the_visitors_language(client):
    response = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert '<html lang="en"' in response.get_data(as_text=True)


def test_errors_of_every_kind_render_localized(tmp_path, database_url):
    from flask import abort

    app = create_app({"instance_path": str(tmp_path), "plugins": [], "database_url": database_url})
    for code in (400, 403, 429, 500, 503):
        app.add_url_rule(f"/<lang:lang>/raise/{code}", f"raise_{code}", lambda code=code: abort(code))
    client = app.test_client()
    for code in (400, 403, 429, 500, 503):
        response = client.get(f"/en/raise/{code}")
        assert response.status_code == code
        page = response.get_data(as_text=True)
        assert "Emergency" in page or "urgent" in page.lower()
        assert f'<span dir="ltr">{code}</span>' in page


def test_unexpected_exception_answers_a_localized_500(tmp_path, database_url):
    app = create_app({"instance_path": str(tmp_path), "plugins": [], "database_url": database_url})
    app.add_url_rule("/<lang:lang>/explode", "explode", lambda: 1 / 0)
    response = app.test_client().get("/en/explode")
    assert response.status_code == 500
    assert "An error has occurred" in response.get_data(as_text=True)


def test_health_reports_database_and_details_to_the_machine_itself(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    assert response.json["version"] and "plugins" in response.json


def test_health_tells_strangers_only_the_status_and_staff_the_details(client, staff_client):
    remote = {"REMOTE_ADDR": "203.0.113.7"}
    response = client.get("/healthz", environ_base=remote)
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    staff = staff_client("editor").get("/healthz", environ_base=remote)
    assert staff.json["database"] == "ok" and "version" in staff.json


def test_the_sqlite_file_and_a_new_instance_folder_are_private(tmp_path):
    import os
    import stat

    previous = os.umask(0o022)
    try:
        instance = tmp_path / "new" / "instance"
        app = create_app({"instance_path": str(instance), "plugins": []})
        with app.app_context():
            upgrade_all()
        app.extensions["portal.db"].engine.dispose()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    for path in instance.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert (instance / "portal.sqlite3").exists()


def test_database_outage_answers_503_and_recovers_by_itself(database_url, tmp_path, make_staff):
    outage = DatabaseOutage(database_url, tmp_path)
    app = create_app({"instance_path": str(tmp_path), "plugins": [], "secret_key": "x",
                      "database_url": outage.url})
    with app.app_context():
        upgrade_all()
    from portal.staff.auth import hash_password
    from portal.staff.models import StaffAccount
    from portal.testing import TEST_PASSWORD

    with app.app_context():
        session = app.extensions["portal.db"].session
        session.add(StaffAccount(email="outage@amt.example", display_name="O", role="admin",
                                 password_hash=hash_password(TEST_PASSWORD)))
        session.commit()
    client = app.test_client()
    token = csrf_token(client, "/de/staff/login")
    assert client.post("/de/staff/login", data={"email": "outage@amt.example", "password": TEST_PASSWORD,
                                                "csrf_token": token}).status_code == 302
    try:
        outage.start(app.extensions["portal.db"].engine)
        staff_page = client.get("/en/staff/accounts")
        assert staff_page.status_code == 503
        text = staff_page.get_data(as_text=True)
        assert "Temporarily unavailable" in text and "mailto:" in text
        assert staff_page.headers["Retry-After"]
        assert client.get("/healthz").status_code == 503
        assert client.get("/healthz").json["status"] == "degraded"
        assert client.get("/de/").status_code == 200
    finally:
        outage.end(app.extensions["portal.db"].engine)
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/staff/accounts").status_code == 200
    outage.close()
    app.extensions["portal.db"].engine.dispose()


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/de/").get_data(as_text=True)
    css = re.search(r'href="(/static/core/portal\.css\?v=[0-9a-f]{12})"', page).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/core/portal.css").headers["Cache-Control"] == "public, max-age=3600"
    theme = re.search(r'href="(/theme\.css\?v=[0-9a-f]+)"', page).group(1)
    assert "--brand:#005a8c" in client.get(theme).get_data(as_text=True)


def test_the_offices_logo_comes_from_its_theme_folder_under_its_contents_hash(tmp_path):
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="18"/></svg>'
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "logo.svg").write_bytes(logo)
    app = create_app({"instance_path": str(tmp_path), "secret_key": "x", "plugins": [], "theme": {"logo": "logo.svg"}})
    with app.app_context():
        upgrade_all()
    client = app.test_client()
    page = client.get("/de/").get_data(as_text=True)
    address = re.search(r'<img src="(/theme/([0-9a-f]{10})/logo)" alt=""', page).group(1)
    answer = client.get(address)
    assert (answer.status_code, answer.mimetype, answer.data) == (200, "image/svg+xml", logo)
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Opened at its own address, an SVG runs no script of its own.
    assert "sandbox" in answer.headers["Content-Security-Policy"]
    assert client.get("/theme/0000000000/logo").status_code == 404


@pytest.mark.portal_config({"page_cache_seconds": 0})
def test_static_addresses_are_kept_per_path_prefix(client):
    """An address kept for the site's root is never given under a path prefix, nor the other way round."""
    for script_root in ("", "/amt", ""):
        page = client.get("/de/", base_url=f"http://localhost{script_root}").get_data(as_text=True)
        assert re.search(rf'href="{script_root}/static/core/portal\.css\?v=[0-9a-f]{{12}}"', page)


def test_pages_make_no_external_requests(client):
    page = client.get("/de/").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        # The language alternates name this site by its full address, as search engines require.
        assert url.startswith(("/", "#", "mailto:", "tel:", "http://localhost/")), url


def test_text_answers_are_compressed_for_browsers_that_accept_gzip(client):
    import gzip

    page = client.get("/de/", headers={"Accept-Encoding": "gzip, br"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    html = gzip.decompress(page.data).decode()
    assert '<html lang="de"' in html
    assert int(page.headers["Content-Length"]) == len(page.data) < len(html.encode())
    assert "Content-Encoding" not in client.get("/de/").headers
    css_url = re.search(r'href="(/static/core/portal\.css\?v=[0-9a-f]+)"', html).group(1)
    for _ in range(2):  # the second answer comes from the worker's store of compressed files
        css = client.get(css_url, headers={"Accept-Encoding": "gzip"})
        assert css.headers["Content-Encoding"] == "gzip"
        assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert gzip.decompress(css.data) == client.get(css_url).data
    tiny = client.get("/theme.css", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tiny.headers


def test_requests_inside_one_app_context_do_not_share_language_or_account(app, client, make_staff):
    from portal.testing import sign_in

    editor = app.test_client()
    sign_in(editor, make_staff("editor"))
    with app.app_context():
        assert editor.get("/de/staff/").status_code == 200
        assert client.get("/de/staff/").status_code == 302
        assert '<html lang="ar"' in client.get("/ar/").get_data(as_text=True)
        fresh = app.test_client()
        assert '<html lang="en"' in fresh.get("/nowhere", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_errors_under_an_api_path_answer_json(client):
    response = client.get("/de/anything/api/v1/missing")
    assert response.status_code == 404
    assert response.is_json and response.json["status"] == 404
