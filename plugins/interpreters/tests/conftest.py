import pytest
from portal_plugins.interpreters.glossary import load_shipped_glossary

INITIATIVE = {
    "initiative_name": "Hispi",
    "contact_email": "mitmachen@hispi.example",
    "website": "https://hispi.example",
    "initiative_about": {"de": "Wir begleiten Menschen seit vielen Jahren zu Ämtern.",
                         "ar": "نرافق الناس إلى المكاتب منذ سنوات عديدة."},
}


@pytest.fixture(scope="session")
def portal_config():
    """The interpreters plugin alone, in every shipped language, with the initiative of the example office."""
    return {"plugins": ["interpreters"], "plugin_settings": {"interpreters": INITIATIVE}}



@pytest.fixture
def glossary(data):
    """Load the shipped glossary."""
    return data(load_shipped_glossary)
