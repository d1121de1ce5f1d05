import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def portal_config():
    """The arrival plugin alone."""
    return {"plugins": ["arrival"]}


@pytest.fixture(autouse=True)
def no_keys(app):
    """Start each test without keys: the instance folder is shared by the session's tests."""
    shutil.rmtree(Path(app.instance_path) / "arrival-keys", ignore_errors=True)
