
import pytest


@pytest.fixture(scope="session")
def portal_config():
    """Run the portal with the emergency plugin, an emergency phone and few delivery attempts."""
    return {"plugins": ["emergency"], "languages": ["de", "en", "ar"],
            "office": {"emergency_email": "notfall@amt.example", "emergency_phone": "0211 89 12345"},
            "mail": {"host": "127.0.0.1", "port": 1, "sender": "portal@amt.example", "max_attempts": 4}}


@pytest.fixture
def mail_server(app, smtp_server, monkeypatch):
    """Point the portal's mail settings at a real SMTP server on loopback for one test."""
    monkeypatch.setitem(app.config["PORTAL"]["mail"], "port", smtp_server.port)
    return smtp_server
