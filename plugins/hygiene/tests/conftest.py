from datetime import timedelta

import pytest
from portal_plugins.hygiene.models import Rule

LOCATIONS = ["Wacker Hof", "Nebenstelle Benrath"]


@pytest.fixture
def locations(request) -> list[str]:
    """The office's locations: two, unless a test parametrizes this fixture (indirect=True) with others."""
    return getattr(request, "param", LOCATIONS)


@pytest.fixture
def portal_config(locations):
    """The hygiene plugin alone, for an office with the locations of the test."""
    return {"plugins": ["hygiene"], "office": {"locations": locations}}



@pytest.fixture
def add_rule(data, today):
    """Return a factory of rules: add_rule(kind, text={lang: text}, **fields) -> id; in force from yesterday."""
    def add(kind: str = "other", text: dict | None = None, **fields) -> int:
        values = {"starts_on": today - timedelta(days=1), "location": "", "position": 1, **fields}

        def insert(session):
            rule = Rule(kind=kind, text=text or {"de": f"Regel {kind}"}, updated_by="test", **values)
            session.add(rule)
            session.flush()
            return rule.id

        return data(insert)

    return add
