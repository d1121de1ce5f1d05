"""Forged Host headers: with trusted_hosts set, no page, feed or API answer is built on the attacker's host."""

from __future__ import annotations

import pytest

HOST = "termine.stadt.example"
FORGED = "attacker.example"


@pytest.fixture(scope="module")
def portal(make_app):
    """Yield the portal behind its proxy, answering only to its own host name."""
    from portal.testing import empty_tables

    app = make_app(plugins=["notices", "appointments"], trusted_hosts=[HOST], behind_proxy=True, https=True)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield app
    empty_tables(app)


@pytest.mark.parametrize("headers", [{"Host": FORGED}, {"Host": HOST, "X-Forwarded-Host": FORGED},
                                     {"Host": f"{FORGED}:443"}, {"Host": f"{HOST}.{FORGED}"}])
@pytest.mark.parametrize("path", ["/de/", "/de/notices/feed.atom", "/de/no-such-page", "/healthz"])
def test_a_forged_host_gets_400_and_no_page(portal, headers, path):
    response = portal.test_client().get(path, headers=headers)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert FORGED not in page
    assert "Die Anfrage war fehlerhaft" in page and "mailto:notfall@musterstadt.example" in page


def test_a_forged_host_cannot_reach_the_api(portal):
    response = portal.test_client().post("/de/appointments/api/v1/lookup", headers={"Host": FORGED},
                                         json={"reference": "M-100001", "birth_date": "1980-01-01"})
    assert response.status_code == 400 and FORGED not in response.get_data(as_text=True)


def test_the_own_host_is_served_with_its_own_addresses(portal):
    client = portal.test_client()
    feed = client.get("/de/notices/feed.atom", headers={"Host": "127.0.0.1", "X-Forwarded-Host": HOST,
                                                        "X-Forwarded-Proto": "https"})
    assert feed.status_code == 200 and f"<id>https://{HOST}/de/notices/feed.atom</id>" in feed.get_data(as_text=True)
    home = client.get("/de/", headers={"Host": HOST})
    assert home.status_code == 200 and f'hreflang="tr" href="https://{HOST}/tr/"' in home.get_data(as_text=True)


def test_without_trusted_hosts_any_host_is_answered(make_app):
    app = make_app(plugins=[])
    assert app.test_client().get("/de/", headers={"Host": "anything.example"}).status_code == 200
