import lxml.html
import pytest
from portal_plugins.checklists.defaults import load_defaults
from werkzeug.datastructures import MultiDict


@pytest.fixture(scope="session")
def portal_config():
    """The checklists plugin alone, in every shipped language."""
    return {"plugins": ["checklists"]}



@pytest.fixture
def defaults(data):
    """Load the shipped questions and checklists."""
    data(load_defaults)


@pytest.fixture
def parse():
    """Return a function that parses a response's HTML into an lxml tree."""
    return lambda response: lxml.html.fromstring(response.get_data(as_text=True))


@pytest.fixture
def form_values(parse):
    """Return a function that lists the values a browser would send for a page's main form."""
    def read(response, form_class: str = "form") -> MultiDict:
        forms = parse(response).xpath(f"//form[contains(concat(' ', @class, ' '), ' {form_class} ')]")
        return MultiDict(forms[0].form_values())

    return read
