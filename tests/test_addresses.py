"""Links that leave the browser carry the portal's public address, whoever made them; a way back stays on the site."""

import pytest
from flask import url_for

from portal import toolkit


def test_the_public_url_wins_over_the_host_a_staff_member_used(make_app):
    app = make_app(public_url="https://termine.musterstadt.de", plugins=[])
    with app.test_request_context("/de/staff/", base_url="http://intranet.local:8080"):
        assert url_for("core.home", lang="de", _external=True).startswith("http://intranet.local:8080/")
        assert toolkit.public_url_for("core.home", lang="tr") == "https://termine.musterstadt.de/tr/"


def test_a_command_gets_the_public_url_and_the_current_language(make_app):
    app = make_app(public_url="https://stadt.example/portal", plugins=[])
    with app.app_context():
        assert toolkit.public_url_for("core.accessibility") == "https://stadt.example/portal/de/accessibility"


def test_without_a_public_url_the_first_trusted_host_serves(make_app):
    app = make_app(trusted_hosts=[".stadt.example", "termine.stadt.example"], https=True, plugins=[])
    with app.app_context():
        assert toolkit.public_url_for("core.home", lang="de") == "https://termine.stadt.example/de/"


def test_without_any_address_a_command_is_told_what_to_set(make_app):
    app = make_app(plugins=[])
    with app.app_context(), pytest.raises(RuntimeError, match="public_url"):
        toolkit.public_url_for("core.home", lang="de")
    with app.test_request_context("/", base_url="http://localhost:5000"):
        assert toolkit.public_url_for("core.home", lang="de") == "http://localhost:5000/de/"


def test_a_public_url_with_a_query_is_refused(make_app):
    with pytest.raises(Exception, match="public_url"):
        make_app(public_url="https://termine.example/?x=1", plugins=[])


@pytest.mark.parametrize(("target", "kept"), [
    ("/de/staff/queue/desk?x=1", True),
    ("/", True),
    (None, False),
    ("", False),
    ("staff", False),
    ("https://evil.example/", False),
    ("//evil.example/", False),
    ("/\\evil.example/", False),
    ("/de/\nSet-Cookie: x=1", False),
    ("javascript:alert(1)", False),
])
def test_only_a_path_on_this_site_is_a_place_to_go_back_to(target, kept):
    assert toolkit.local_path(target) == (target if kept else None)
