import pytest


@pytest.fixture(scope="session")
def portal_config():
    """Core tests run the portal without plugins unless a test asks for them."""
    return {"plugins": []}
