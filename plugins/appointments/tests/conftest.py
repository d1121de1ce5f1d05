"""Fixtures for the appointments plugin: the portal with the plugin alone, and helpers to add appointments."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from portal_plugins.appointments.display import to_utc
from portal_plugins.appointments.matching import birth_key
from portal_plugins.appointments.models import Appointment

BERLIN = ZoneInfo("Europe/Berlin")
BIRTH_DATE = date(1985, 3, 27)


@pytest.fixture(scope="session")
def portal_config():
    return {"plugins": ["appointments"]}



@pytest.fixture
def add_appointment(database):
    """Return a factory that stores an appointment: add_appointment(reference, **fields) -> id."""
    def add(reference: str = "M-100001", birth_date: date = BIRTH_DATE, *, days: int | None = 3,
            clock: time = time(9, 30), **fields) -> int:
        with database() as session:
            start = None
            if days is not None:
                start = to_utc(datetime.now(BERLIN).date() + timedelta(days=days), clock)
            values = {"service": "residence-permit-extension", "status": "scheduled", "starts_at": start,
                      "building": "Wacker Hof", "room": "2.14", "persons_allowed": 1} | fields
            appointment = Appointment(reference=reference, birth_key=birth_key(reference, birth_date), **values)
            session.add(appointment)
            session.commit()
            return appointment.id

    return add


HEADER = "reference;birth_date;service;status;date;time;building;room;persons"


@pytest.fixture
def csv_file():
    """Return a factory of in-memory CSV exports: csv_file(*rows, header=HEADER)."""
    def make(*rows: str, header: str = HEADER) -> io.BytesIO:
        return io.BytesIO(("\n".join([header, *rows]) + "\n").encode("utf-8"))

    return make


# --- Self-service ----------------------------------------------------------------------------------

@pytest.fixture
def open_result():
    """Return open_result(client, lang=..., reference=..., birth_date=...) -> (result page html, action token).

    Looks the appointment up like a client does; the token is the one the page's forms carry.
    """
    import re

    from portal.testing import csrf_token

    def open_page(client, lang: str = "de", reference: str = "M-100001", birth_date: date = BIRTH_DATE):
        url = f"/{lang}/appointments/"
        response = client.post(url, data={"csrf_token": csrf_token(client, url), "reference": reference,
                                          "day": str(birth_date.day), "month": str(birth_date.month),
                                          "year": str(birth_date.year)}, follow_redirects=True)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        match = re.search(r'name="token" value="([^"]+)"', html) or re.search(r'self-service/[a-z-]+\?t=([^"&]+)', html)
        return html, match.group(1) if match else None

    return open_page


@pytest.fixture
def act():
    """Return act(client, action, token, lang="de", **fields) -> the page it leads to: post a self-service form."""
    from portal.testing import csrf_token

    def post(client, action: str, token: str, lang: str = "de", **fields):
        url = f"/{lang}/appointments/self-service/{action}"
        # The session's CSRF token is the same on every page; the lookup has one whatever the token is worth.
        csrf = csrf_token(client, f"/{lang}/appointments/")
        # A browser follows the answer to the appointment's page, the sentence on top.
        return client.post(url, data={"csrf_token": csrf, "token": token, **fields}, follow_redirects=True)

    return post


@pytest.fixture
def mail_server(app, smtp_server, monkeypatch):
    """Point the portal's mail settings at a real SMTP server on loopback for one test."""
    monkeypatch.setitem(app.config["PORTAL"]["mail"], "port", smtp_server.port)
    return smtp_server
