"""The CSV export for the specialist system's mail merge: each appointment's reference, and other plugins' columns.

The appointments plugin knows only the reference. Other plugins add columns
through the slot ``appointments.export`` (the arrival plugin: the pass's
address and short code), answering for all the export's public ids at once.
The file is written with ``toolkit.write_csv``: semicolons, UTF-8 with a byte
order mark, every cell formula-safe.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal import toolkit

from .display import day_bounds
from .models import Appointment
from .selfservice_models import given_back_exists


def export_table(first_day: date, last_day: date) -> tuple[list[str], list[list[str]]]:
    """Return the header and a row per appointment from the first to the last day by start, none given back."""
    start, _ = day_bounds(first_day)
    _, end = day_bounds(last_day)
    appointments = list(toolkit.session().scalars(
        select(Appointment).where(Appointment.starts_at >= start, Appointment.starts_at < end,
                                  ~given_back_exists(Appointment.reference, Appointment.starts_at))
        .order_by(Appointment.starts_at, Appointment.reference)))
    public_ids = [appointment.public_id for appointment in appointments]
    columns: dict[str, dict[str, str]] = {}
    for answer in toolkit.slot_values("appointments.export", public_ids=public_ids):
        columns.update(answer)
    rows = [[appointment.reference, *(str(cells.get(appointment.public_id, "")) for cells in columns.values())]
            for appointment in appointments]
    return ["reference", *columns], rows


def export_csv(first_day: date, last_day: date) -> bytes:
    """Return the export as a CSV file for spreadsheets and mail merges."""
    return toolkit.write_csv(*export_table(first_day, last_day)).encode("utf-8")
