"""Import the specialist system's CSV export: an upsert by reference, all or nothing, in batches.

The file is read row by row and written in batches of BATCH_SIZE rows (one
SELECT for the batch's references, then bulk INSERT and UPDATE), so memory
stays flat as files grow. Every row of the file is stamped with the import's
time, which is how a reference that appears twice is found without keeping
all references in memory.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import IO

from sqlalchemy import bindparam, insert, select, update

from portal import toolkit
from portal.toolkit import _, ngettext

from .display import to_utc
from .matching import birth_key, is_valid_reference, normalize_reference
from .models import Appointment
from .publishing import publish_changed_references
from .selfservice_models import PendingMove
from .services import known_services
from .statuses import STATUS_CODES, STATUSES_NEEDING_DATE

BATCH_SIZE = 1000
OPTIONAL_COLUMNS = frozenset({"room", "persons"})
# The columns an import compares to decide whether a stored appointment changed.
COMPARED = ("birth_key", "service", "status", "starts_at", "building", "room", "persons_allowed")
# What a move to an accepted slot changed, kept while the export still shows the appointment as before it.
MOVED = ("status", "starts_at", "building", "room")


def _parse_reference(text: str) -> str:
    reference = normalize_reference(text)
    if not is_valid_reference(reference):
        raise ValueError(_("„%(value)s“ ist keine gültige Vorgangsnummer.", value=text))
    return reference


def _parse_birth_date(text: str) -> date:
    birth_date = toolkit.parse_date_cell(text)
    if birth_date is None:
        raise ValueError(_("Das Geburtsdatum fehlt."))
    if birth_date > toolkit.office_today() or birth_date.year < 1900:
        raise ValueError(_("Das Geburtsdatum %(value)s ist nicht möglich.", value=text))
    return birth_date


def _parse_service(text: str) -> str:
    if text not in known_services():
        raise ValueError(_("Die Leistung „%(value)s“ ist unbekannt.", value=text))
    return text


def _parse_status(text: str) -> str:
    if text not in STATUS_CODES:
        raise ValueError(_("Der Status „%(value)s“ ist unbekannt. Erlaubt sind: %(allowed)s.", value=text,
                           allowed=", ".join(STATUS_CODES)))
    return text


def _parse_text(limit: int):
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ValueError(ngettext("Der Text ist länger als %(limit)d Zeichen.",
                                      "Der Text ist länger als %(limit)d Zeichen.", limit, limit=limit))
        return text
    return parse


def _parse_persons(text: str) -> int:
    if not text:
        return 1
    most = toolkit.plugin_settings("appointments")["persons_max"]
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= most):
        raise ValueError(ngettext("Es darf nur %(num)d Person kommen, nicht „%(value)s“.",
                                  "Es dürfen 1 bis %(num)d Personen kommen, nicht „%(value)s“.", most, value=text))
    return int(text)


PARSERS = {
    "reference": _parse_reference,
    "birth_date": _parse_birth_date,
    "service": _parse_service,
    "status": _parse_status,
    "date": toolkit.parse_date_cell,
    "time": toolkit.parse_time_cell,
    "building": _parse_text(120),
    "room": _parse_text(40),
    "persons": _parse_persons,
}


def _row_problems(row: dict) -> list[str]:
    """Explain why the cells of a row that could be read do not fit together, as the staff form would."""
    if "date" not in row or "time" not in row:
        return []
    day, clock = row["date"], row["time"]
    if (day is None) != (clock is None):
        return [_("Datum und Uhrzeit gehören zusammen: Bitte beide angeben oder beide leer lassen.")]
    if day is None and row.get("status") in STATUSES_NEEDING_DATE:
        return [_("Bei diesem Status braucht der Termin ein Datum und eine Uhrzeit.")]
    if day is not None and row.get("building") == "":
        return [_("Bitte geben Sie an, in welchem Gebäude der Termin ist.")]
    return []


def _record(row: dict) -> dict:
    """Turn a good row into the values stored."""
    day, clock = row["date"], row["time"]
    return {
        "reference": row["reference"],
        "birth_key": birth_key(row["reference"], row["birth_date"]),
        "service": row["service"],
        "status": row["status"],
        "starts_at": to_utc(day, clock) if day else None,
        "building": row["building"],
        "room": row.get("room", ""),
        "persons_allowed": row.get("persons", 1),
    }


def _write_batch(batch: list[tuple[int, dict]], report: toolkit.CsvReport, now: datetime) -> None:
    """Insert new references, update changed ones and mark all as seen in this export; count what happened."""
    session = toolkit.session()
    columns = [getattr(Appointment, name) for name in ("id", "reference", "imported_at", *COMPARED)]
    # Matched as the lookup finds them, whatever the separators: M 100001 in an export is the stored M-100001.
    stored = {toolkit.reference_key(row.reference): row for row in session.execute(
        select(*columns).where(toolkit.reference_key_expression(Appointment.reference).in_(
            [toolkit.reference_key(record["reference"]) for _line, record in batch])))}
    moves = {move.appointment_id: move for move in session.scalars(
        select(PendingMove).where(PendingMove.appointment_id.in_([row.id for row in stored.values()])))}
    new, changed, unchanged_ids = [], [], []
    for line, record in batch:
        current = stored.get(toolkit.reference_key(record["reference"]))
        if current is not None and current.id in moves:
            record = _with_pending_move(record, current, moves.pop(current.id))
        if current is not None and current.imported_at == now:
            report.add_error(line, _duplicate(record["reference"]))
        elif current is None:
            new.append({**record, "version": 1, "created_at": now, "updated_at": now, "status_changed_at": now,
                        "imported_at": now})
        elif any(getattr(current, name) != record[name] for name in COMPARED):
            values = {**record, "appointment_id": current.id, "updated_at": now, "imported_at": now}
            if current.status != record["status"]:
                values["status_changed_at"] = now
            changed.append(values)
        else:
            unchanged_ids.append(current.id)
    if new:
        session.execute(insert(Appointment), new)
        report.created += len(new)
    # The export is the truth: it replaces a staff edit made meanwhile, and the new version makes any form still
    # open on the old one a conflict. A table-level UPDATE, since the ORM's would check the version it read.
    table = Appointment.__table__
    changing = update(table).where(table.c.id == bindparam("appointment_id")).values(version=table.c.version + 1)
    # Rows in one executemany must share their columns; status_changed_at is set only on some.
    for group in (
        [values for values in changed if "status_changed_at" in values],
        [values for values in changed if "status_changed_at" not in values],
    ):
        if group:
            session.execute(changing, group)
            report.updated += len(group)
    if unchanged_ids:
        session.execute(update(Appointment).where(Appointment.id.in_(unchanged_ids)).values(imported_at=now)
                        .execution_options(synchronize_session=False))
        report.unchanged += len(unchanged_ids)
    publish_changed_references([values["reference"] for values in (*new, *changed)])


def _with_pending_move(record: dict, current, move: PendingMove) -> dict:
    """Keep a move to an accepted slot while the export shows the appointment as before it; else end the move."""
    if record["starts_at"] == move.previous_starts_at and record["status"] == move.previous_status:
        return record | {name: getattr(current, name) for name in MOVED}
    # The specialist system has moved it too, or the office decided otherwise: from now on the export is the truth.
    toolkit.session().delete(move)
    return record


def _duplicate(reference: str) -> str:
    return _("Die Vorgangsnummer %(reference)s kommt in der Datei mehrmals vor.", reference=reference)


def _stage(stream: IO[bytes], report: toolkit.CsvReport) -> None:
    """Write every row of the export into the session in batches, recording counts and bad rows."""
    now = toolkit.utcnow()
    batch: list[tuple[int, dict]] = []
    in_batch: set[str] = set()
    for line, row in toolkit.read_rows(stream, PARSERS, report, optional=OPTIONAL_COLUMNS,
                                       row_problems=_row_problems):
        record = _record(row)
        # Batches are written even after a bad row, since writing is what finds duplicates across batches.
        key = toolkit.reference_key(record["reference"])
        if key in in_batch:
            report.add_error(line, _duplicate(record["reference"]))
            continue
        in_batch.add(key)
        batch.append((line, record))
        if len(batch) >= BATCH_SIZE:
            _write_batch(batch, report, now)
            batch.clear()
            in_batch.clear()
    if batch:
        _write_batch(batch, report, now)


def import_appointments(stream: IO[bytes], source: str = "-") -> toolkit.CsvReport:
    """Import a CSV export when every row is good (committed, audited), else change nothing and list every bad row.

    Raises toolkit.CsvFormatError when the file as a whole cannot be read.
    """
    return toolkit.run_import(_stage, stream, target_type="appointments_import", source=source)
