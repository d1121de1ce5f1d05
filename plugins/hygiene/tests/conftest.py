from datetime import timedelta

import lxml.html
import pytest
from portal_plugins.hygiene.models import Rule
from werkzeug.datastructures import MultiDict

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


@pytest.fixture
def parse():
    """Return a function that parses a response's HTML into an lxml tree."""
    return lambda response: lxml.html.fromstring(response.get_data(as_text=True))


@pytest.fixture
def form_values(parse):
    """Return a function that reads the values a browser would send for a page's main form."""
    def read(response, form_class: str = "form") -> MultiDict:
        forms = parse(response).xpath(f"//form[contains(concat(' ', @class, ' '), ' {form_class} ')]")
        return MultiDict(forms[0].form_values())

    return read
