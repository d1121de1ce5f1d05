"""The core's page cache with the notices on the home page: kept for anonymous visitors, never for a session."""

import dataclasses
import re

import pytest
from portal_plugins.notices.models import NoticeText
from sqlalchemy import update

from portal.testing import csrf_token

pytestmark = pytest.mark.portal_config({"page_cache_seconds": 300})
NEW = "/de/staff/notices/new"


@pytest.fixture
def cache(app):
    """Return the app's page cache, emptied: the tests' emptied tables start the content version again at 0."""
    pages = app.wsgi_app.pages
    pages.clear()
    return pages


def change_title_unseen(app, title: str) -> None:
    """Change every notice's German title behind the portal's back (no commit through its session)."""
    with app.extensions["portal.db"].engine.begin() as connection:
        connection.execute(update(NoticeText).where(NoticeText.lang == "de").values(title=title))


def test_anonymous_visitors_share_a_kept_page_until_the_content_changes(app, cache, make_notice):
    make_notice({"de": ("Erster Titel", "Text.")})
    first, second = app.test_client(), app.test_client()
    assert "Erster Titel" in first.get("/de/").get_data(as_text=True)
    assert len(cache) == 1
    change_title_unseen(app, "Zweiter Titel")
    # Kept: the second visitor gets the page the first one was given.
    assert "Erster Titel" in second.get("/de/").get_data(as_text=True)
    # A change committed through the portal (a staff save, a command, an import) moves the content version.
    make_notice({"de": ("Dritter Titel", "Text.")})
    page = second.get("/de/").get_data(as_text=True)
    assert "Zweiter Titel" in page and "Dritter Titel" in page


def test_each_language_and_compression_is_kept_apart(app, cache, make_notice):
    make_notice({"de": ("Deutsch", "Text."), "en": ("English", "Text.")})
    client = app.test_client(use_cookies=False)
    assert "English" in client.get("/en/").get_data(as_text=True)
    assert "Deutsch" in client.get("/de/").get_data(as_text=True)
    zipped = client.get("/de/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/de/").headers
    assert len(cache) == 3


def test_a_staff_save_shows_on_the_next_request(app, cache, make_notice, staff_client):
    make_notice({"de": ("Alt", "Text.")})
    visitor = app.test_client()
    assert "Alt" in visitor.get("/de/").get_data(as_text=True)
    editor = staff_client("editor")
    data = {"csrf_token": csrf_token(editor, NEW), "category": "opening", "priority": "normal",
            "starts_at": "2026-01-05T08:00", "ends_at": "", "titles-de": "Neu eingestellt",
            "bodies-de": "Text.", "action": "publish"}
    assert editor.post(NEW, data=data).status_code == 302
    assert "Neu eingestellt" in visitor.get("/de/").get_data(as_text=True)


def mark_kept_pages(cache) -> None:
    """Replace the body of every kept page by a marker, to tell a kept answer from a rendered one."""
    for key, page in cache.items():
        cache[key] = dataclasses.replace(page, body=b"kept page")


def test_signed_in_staff_never_get_or_leave_a_kept_page(app, cache, staff_client):
    app.test_client().get("/de/")
    mark_kept_pages(cache)
    assert app.test_client().get("/de/").get_data() == b"kept page"
    editor = staff_client("editor")
    assert editor.get("/de/").get_data() != b"kept page"
    cache.clear()
    editor.get("/de/notices/")
    assert not cache


def test_a_form_with_its_token_is_never_kept_or_shared(app, cache):
    first, second = app.test_client(), app.test_client()
    tokens = {re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/de/staff/login").get_data(
        as_text=True)).group(1) for client in (first, second)}
    assert len(tokens) == 2
    assert not cache


def test_a_visitor_with_a_session_cookie_or_an_error_page_is_never_served_or_kept(app, cache):
    client = app.test_client()
    client.get("/de/notices/99999")
    assert not cache
    client.set_cookie("portal", "anything")
    client.get("/de/notices/")
    assert not cache


def test_the_language_cookie_alone_is_shared(app, cache, make_notice):
    make_notice({"de": ("Erster Titel", "Text.")})
    visitor = app.test_client()
    visitor.get("/de/")
    visitor.get("/de/")
    assert visitor.get_cookie("portal_lang").value == "de"
    change_title_unseen(app, "Zweiter Titel")
    assert "Erster Titel" in visitor.get("/de/").get_data(as_text=True)
    newcomer = app.test_client()
    answer = newcomer.get("/de/")
    assert "Erster Titel" in answer.get_data(as_text=True)
    assert newcomer.get_cookie("portal_lang").value == "de"


def form_token_of(client, path: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.mark.portal_config({"plugins": ["notices", "emergency"]})
def test_a_public_form_is_never_kept_even_for_a_visitor_whose_session_holds_its_token(app, cache):
    first, second = app.test_client(), app.test_client()
    tokens = [form_token_of(first, "/de/emergency/"), form_token_of(first, "/de/emergency/"),
              form_token_of(second, "/de/emergency/")]
    assert tokens[2] not in tokens[:2]
    assert not cache


@pytest.mark.portal_config({"plugins": ["notices", "emergency"]})
def test_a_visitor_whose_session_holds_only_a_form_token_gets_kept_pages(app, cache):
    earlier = app.test_client()
    earlier.get("/de/")
    earlier.get("/de/")  # kept once more for visitors with the language cookie (nothing to set for them)
    mark_kept_pages(cache)
    visitor = app.test_client()
    form_token_of(visitor, "/de/emergency/")
    assert visitor.get_cookie("portal") is not None
    assert visitor.get("/de/").get_data() == b"kept page"
    visitor.set_cookie("portal", visitor.get_cookie("portal").value + "forged")
    assert visitor.get("/de/").get_data() != b"kept page"
