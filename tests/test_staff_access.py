"""Walk the URL map: no staff page answers a visitor who is not signed in, or an account without its role."""

from __future__ import annotations

import uuid

import pytest
from werkzeug.routing import IntegerConverter, UUIDConverter

from portal.blueprints import ROLES
from portal.config import DEFAULTS
from portal.plugins import PluginError, load_plugins
from portal.testing import csrf_token

STAFF_PREFIX = "/<lang:lang>/staff"
# Signing in and out must be reachable without an account.
OPEN_ENDPOINTS = {"staff.login", "staff.logout"}
METHODS = ("GET", "POST")


def implemented_plugins() -> list[str]:
    """Return the default plugins that can load, so every plugin's staff pages are walked once it exists."""
    names = []
    for name in DEFAULTS["plugins"]:
        try:
            load_plugins([name])
        except PluginError as exc:
            # Plugins are built side by side; one whose package has no plugin_info yet has no pages to walk.
            if "has no 'plugin_info'" in str(exc):
                continue
            raise
        names.append(name)
    return names


@pytest.fixture(scope="session")
def portal_config():
    return {"plugins": implemented_plugins()}


def staff_rules(app):
    """Return every rule of the staff area except signing in and out."""
    rules = [rule for rule in app.url_map.iter_rules()
             if (rule.rule == STAFF_PREFIX or rule.rule.startswith(STAFF_PREFIX + "/"))
             and rule.endpoint not in OPEN_ENDPOINTS]
    return sorted(rules, key=lambda rule: rule.rule)


def dummy_url(rule) -> str:
    """Fill a rule's parameters with values of the right type; the records need not exist."""
    values = {}
    for name, converter in rule._converters.items():
        if name == "lang":
            values[name] = "de"
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.UUID(int=1)
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def required_roles(app, endpoint: str) -> set[str | None]:
    """Return the roles a page declares: its blueprint's guard and its view's (None: any staff role)."""
    roles: set[str | None] = set()
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    if hasattr(blueprint, "required_role"):
        roles.add(blueprint.required_role)
    view = app.view_functions[endpoint]
    if hasattr(view, "required_role"):
        roles.add(view.required_role)
    return roles


def roles_turned_away(roles: set[str | None]) -> list[str]:
    return [role for role in ROLES if role != "admin" and any(needed not in (None, role) for needed in roles)]


def send(client, method: str, url: str, token: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


def assert_no_content(response, url: str) -> None:
    """A refusal is the localized error page, or empty: nothing of the staff page itself."""
    body = response.get_data(as_text=True)
    assert body == "" or 'class="error-code"' in body, f"{url} answered {response.status_code} with content"


def test_the_walk_covers_the_core_and_the_plugins(app):
    endpoints = {rule.endpoint for rule in staff_rules(app)}
    assert {"staff.dashboard", "staff.accounts", "staff.audit_log", "staff.extend_session"} <= endpoints
    for plugin in app.config["PORTAL"]["plugins"]:
        blueprint = app.blueprints.get(f"{plugin}_staff")
        if blueprint is not None:
            assert any(endpoint.startswith(f"{plugin}_staff.") for endpoint in endpoints), plugin
    assert "notices" in app.config["PORTAL"]["plugins"]


def test_every_staff_route_declares_a_role(app):
    unguarded = [rule.rule for rule in staff_rules(app) if not required_roles(app, rule.endpoint)]
    assert unguarded == []


def test_visitors_who_are_not_signed_in_are_sent_to_the_login(client, app):
    token = csrf_token(client, "/de/staff/login")
    for rule in staff_rules(app):
        url = dummy_url(rule)
        for method in METHODS:
            response = send(client, method, url, token)
            if method not in rule.methods:
                assert response.status_code == 405, f"{method} {url}"
            elif response.status_code in (302, 303):
                assert response.headers["Location"].startswith("/de/staff/login"), f"{method} {url}"
            else:
                assert 400 <= response.status_code < 500, f"{method} {url} answered {response.status_code}"
            if response.status_code >= 400:
                assert_no_content(response, f"{method} {url}")


@pytest.mark.parametrize("role", [role for role in ROLES if role != "admin"])
def test_accounts_without_the_role_are_refused(app, staff_client, role):
    client = staff_client(role)
    token = csrf_token(client, "/de/staff/")
    checked = 0
    for rule in staff_rules(app):
        if role not in roles_turned_away(required_roles(app, rule.endpoint)):
            continue
        url = dummy_url(rule)
        for method in METHODS:
            response = send(client, method, url, token)
            expected = 403 if method in rule.methods else 405
            assert response.status_code == expected, f"{role}: {method} {url} answered {response.status_code}"
            assert_no_content(response, f"{role}: {method} {url}")
            checked += 1
    # Both roles lack at least the admin pages, so the walk cannot pass by checking nothing.
    assert checked >= 4
