"""The rules at the entrance, for the door page of another plugin (slot arrival.door), compact."""

from __future__ import annotations

import pytest
from portal_plugins import hygiene


def door_rules(app, kind="valid_now"):
    with app.test_request_context("/de/"):
        answer = hygiene._rules_at_the_door(kind=kind)
        return None if answer is None else str(answer)


def test_only_the_rules_the_door_sees_to_are_shown(app, add_rule):
    add_rule("mask", {"de": "Bitte tragen Sie eine FFP2-Maske."})
    add_rule("persons_per_room", {"de": "Höchstens {persons} Personen im Raum."}, persons=3, position=2)
    add_rule("payment", {"de": "Bezahlen nur mit Karte."}, position=3)
    add_rule("distance", {"de": "Abstand halten."}, location="Wacker Hof", position=4)
    html = door_rules(app)
    assert "Regeln am Eingang" in html
    assert "FFP2-Maske" in html and "Höchstens 3 Personen" in html and "Abstand halten" in html
    assert "nur Wacker Hof" in html
    assert "Karte" not in html


@pytest.mark.parametrize("kind", ["too_early", "another_day", "changed", "not_genuine", "already_checked_in"])
def test_other_verdicts_show_no_rules(app, add_rule, kind):
    add_rule("mask", {"de": "Bitte tragen Sie eine FFP2-Maske."})
    assert door_rules(app, kind) is None


def test_no_rule_at_the_door_shows_nothing(app, add_rule):
    add_rule("payment", {"de": "Bezahlen nur mit Karte."})
    assert door_rules(app) is None
