import shutil
from datetime import time
from pathlib import Path

import pytest
from portal_plugins.arrival.door import issue
from portal_plugins.arrival.keys import KeyRing
from portal_plugins.arrival.passes import PassFacts

from portal import toolkit


@pytest.fixture(scope="session")
def portal_config():
    """The arrival plugin alone."""
    return {"plugins": ["arrival"]}


@pytest.fixture(autouse=True)
def no_keys(app):
    """Start each test without keys: the instance folder is shared by the session's tests."""
    shutil.rmtree(Path(app.instance_path) / "arrival-keys", ignore_errors=True)


@pytest.fixture
def make_pass(app, data):
    """Return make(**changes): issue a pass for today's office date, signed by the instance's key."""
    ring = KeyRing(app.instance_path)

    def make(**changes):
        with app.app_context():
            today = toolkit.office_today()
        if not ring.records():
            ring.create(today)
        key_id, private_key = ring.signing_key()
        facts = PassFacts(**{"key_id": key_id, "public_id": bytes(range(16)), "day": today,
                             "window_start": time(0), "window_end": time(23, 59), "persons": 2,
                             "service_group": "residence", **changes})
        return data(lambda session: issue(facts, private_key)), facts

    return make
