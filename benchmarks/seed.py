"""Made-up appointment exports in the specialist system's CSV format, and the lookups that match them."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

HEADER = ("reference", "birth_date", "service", "status", "date", "time", "building", "room", "persons")
SERVICES = ("residence-permit-extension", "settlement-permit", "naturalisation-application",
            "naturalisation-certificate-handover", "eu-blue-card", "family-reunification",
            "permit-transfer-new-passport", "lost-residence-card")
FIRST_BIRTH_DATE = date(1940, 1, 1)
BIRTH_DATE_SPREAD = 25_000  # days, about 68 years
FIRST_APPOINTMENT_DAY = date.today() + timedelta(days=1)


def reference(number: int) -> str:
    """Return the reference of the appointment with this running number."""
    return f"B-{number:07d}"


def birth_date(number: int) -> date:
    """Return the date of birth that belongs to an appointment's running number."""
    return FIRST_BIRTH_DATE + timedelta(days=number * 7919 % BIRTH_DATE_SPREAD)


def rows(count: int, first: int = 0) -> Iterator[tuple[str, ...]]:
    """Yield CSV rows for the appointments numbered first .. first+count-1."""
    for number in range(first, first + count):
        day = FIRST_APPOINTMENT_DAY + timedelta(days=number % 60)
        minutes = 7 * 60 + 30 + (number % 18) * 15
        postponed = number % 10 == 9
        yield (reference(number), birth_date(number).isoformat(), SERVICES[number % len(SERVICES)],
               "postponed" if postponed else "scheduled", "" if postponed else day.isoformat(),
               "" if postponed else f"{minutes // 60:02d}:{minutes % 60:02d}", "Wacker Hof",
               f"{1 + number % 3}.{number % 40:02d}", "2" if number % 8 == 3 else "1")


def write_csv(path: Path, count: int, first: int = 0) -> Path:
    """Write an export of `count` appointments to path."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(rows(count, first))
    return path


def sample(total: int, size: int = 500) -> list[tuple[str, str]]:
    """Return (reference, date of birth) pairs spread over all `total` stored appointments."""
    step = max(total // size, 1)
    return [(reference(number), birth_date(number).isoformat()) for number in range(step // 2, total, step)][:size]
