"""Another plugin's answer beside the verdict: the hygiene rules at the entrance for a client let in."""

from __future__ import annotations

import pytest

from portal.testing import csrf_token

pytestmark = pytest.mark.portal_config({"plugins": ["arrival", "hygiene"]})
DOOR = "/de/staff/arrival/"


def test_the_door_shows_the_rules_at_the_entrance_beside_a_valid_verdict(app, staff_client, make_pass):
    assert app.test_cli_runner().invoke(args=["hygiene", "load-defaults"]).exit_code == 0
    code, _facts = make_pass()
    client = staff_client("door")
    page = client.post(DOOR, data={"csrf_token": csrf_token(client, DOOR), "code": code, "device": "Eingang A"},
                       follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Gültig" in html and "Regeln am Eingang" in html and 'class="hygiene-icon"' in html
    again = client.post(DOOR, data={"csrf_token": csrf_token(client, DOOR), "code": code, "device": "Eingang A"},
                        follow_redirects=True)
    assert "Regeln am Eingang" not in again.get_data(as_text=True)
