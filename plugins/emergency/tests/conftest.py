from contextlib import contextmanager

import pytest

from portal import toolkit


@pytest.fixture(scope="session")
def portal_config():
    """Run the portal with the emergency plugin, an emergency phone and few delivery attempts."""
    return {"plugins": ["emergency"], "languages": ["de", "en", "ar"],
            "office": {"emergency_email": "notfall@amt.example", "emergency_phone": "0211 89 12345"},
            "mail": {"host": "127.0.0.1", "port": 1, "sender": "portal@amt.example"},
            "plugin_settings": {"emergency": {"max_attempts": 4}}}


@pytest.fixture
def mail_server(app, smtp_server, monkeypatch):
    """Point the portal's mail settings at a real SMTP server on loopback for one test."""
    monkeypatch.setitem(app.config["PORTAL"]["mail"], "port", smtp_server.port)
    return smtp_server


@pytest.fixture
def database(app):
    """Open a database session in an app context of its own, so requests in between keep their own `g`."""
    @contextmanager
    def use():
        with app.app_context():
            yield toolkit.session()

    return use
