from datetime import timedelta

import pytest
from portal_plugin_closures.models import Closure


@pytest.fixture(scope="session")
def portal_config():
    """The portal with this plugin alone, in German and English."""
    return {"plugins": ["closures"], "languages": ["de", "en"]}


@pytest.fixture
def add_closure(data, today):
    """Return add(days_from_today, length=1, reason=None): store a closure, return its id."""
    def add(days_from_today: int, length: int = 1, reason: dict | None = None) -> int:
        first = today + timedelta(days=days_from_today)

        def store(session):
            closure = Closure(starts_on=first, ends_on=first + timedelta(days=length - 1),
                              reason=reason or {"de": "Betriebsausflug", "en": "Staff outing"})
            session.add(closure)
            session.flush()
            return closure.id

        return data(store)

    return add
