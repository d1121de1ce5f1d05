"""Every kind of page with every first-party plugin and the demo data, the staff's and those only a client reaches
included: its HTML is valid, and it links the stylesheets of the classes it uses (a plugin's part in another
plugin's page, a slot's answer, brings its own)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from portal.testing import (
    assert_styles_linked,
    csrf_token,
    sign_in,
    staff_accounts_in,
    styled_classes,
)
from tests.support import ALL_PLUGINS, app_with_demo_data, crawl, nu_html_errors

# Not pages, or not in German; the sign-out is a form.
SKIP = re.compile(r"/static/|\.(ics|xml|json|csv|svg|png|css|js)$|/feed|/api/|/download|/logout")


@pytest.fixture(scope="module")
def demo_app(make_app):
    """The portal with every first-party plugin, the waiting room too, and the demo content loaded."""
    yield from app_with_demo_data(make_app, ALL_PLUGINS)


def _pages(app, client, starts: list[str]) -> dict[str, str]:
    return {path: answer.get_data(as_text=True) for path, answer in crawl(app, client, starts, SKIP)
            if answer.mimetype == "text/html"}


@pytest.fixture(scope="module")
def page_kinds(demo_app) -> dict[str, str]:
    """Return the HTML of one German page of each kind, public and staff (signed in as an admin), by path."""
    client = demo_app.test_client()
    found = client.post("/de/appointments/api/v1/lookup", json={"reference": "M-100002", "birth_date": "1990-11-04"})
    with demo_app.extensions["portal.db"].engine.connect() as connection:
        ticket = connection.execute(text("SELECT token FROM queue_ticket")).scalars().first()
    handover = client.post("/de/naturalisation/", data={
        "csrf_token": csrf_token(client, "/de/naturalisation/"), "reference": "54/1001-2026", "day": "2", "month": "3",
        "year": "1984"})
    # The pages only a client reaches: an appointment's result (its pass page is linked from it), a handover's
    # result and a ticket.
    client_pages = [urlsplit(found.json["print_url"]).path, handover.headers["Location"], f"/de/queue/t/{ticket}"]
    public = _pages(demo_app, client, ["/de/", *client_pages])
    staff = demo_app.test_client()
    sign_in(staff, staff_accounts_in(demo_app)("admin"))
    # A desk with a client called: its page then shows the buttons about that client.
    desk = next(path for path in re.findall(r'href="([^"]+)"', staff.get("/de/staff/queue/").get_data(as_text=True))
                if "/desk/" in path)
    assert staff.post(f"{desk}/next", data={"csrf_token": csrf_token(staff, desk)}).status_code == 302
    staff_pages = _pages(demo_app, staff, ["/de/staff/", desk])
    assert "/start" in staff_pages[desk]
    assert {"/de/", *client_pages} <= set(public) and len(staff_pages) > 40
    assert any(path.startswith("/de/arrival/p/") for path in public)
    return public | staff_pages


def test_every_page_kind_links_the_stylesheets_of_its_classes(demo_app, page_kinds):
    styled = styled_classes(demo_app)
    for path, page in page_kinds.items():
        assert_styles_linked(page, styled, path)


def test_the_nu_html_checker_finds_no_error_on_any_page_kind(page_kinds, tmp_path):
    errors = nu_html_errors(page_kinds, tmp_path)
    assert not errors, "\n".join(errors[:30])
