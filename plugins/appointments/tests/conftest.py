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
