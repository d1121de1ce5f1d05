import pytest
from portal_plugins.checklists.defaults import load_defaults


@pytest.fixture(scope="session")
def portal_config():
    """The checklists plugin alone, in every shipped language."""
    return {"plugins": ["checklists"]}



@pytest.fixture
def defaults(data):
    """Load the shipped questions and checklists."""
    data(load_defaults)
