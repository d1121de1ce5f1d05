"""CSV imports, all or nothing: rows read with line-numbered errors, cells parsed alike, one commit and audit entry."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import ngettext

from .db import session as db_session
from .live import content_changed
from .staff.auth import audit

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$")


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""


@dataclass
class RowError:
    """One bad row: its line in the file and why it is bad."""

    line: int
    reason: str


@dataclass
class CsvReport:
    """What an import found: errors per line and counts of what changed."""

    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    MAX_ERRORS = 1000

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, line: int, reason: str) -> None:
        if len(self.errors) < self.MAX_ERRORS:
            self.errors.append(RowError(line, reason))


def _sniff_delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_rows(stream: IO[bytes], parsers: dict[str, Callable[[str], Any]], report: CsvReport,
              optional: frozenset[str] = frozenset(),
              row_problems: Callable[[dict[str, Any]], list[str]] | None = None,
              ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, parsed row) for each good row; record bad rows in the report.

    The file is read as UTF-8 (a byte-order mark is accepted), with comma or
    semicolon as separator. Each parser turns a cell into a value or raises
    ValueError with a translated reason. ``row_problems`` checks cells that
    belong together (a date and its time): it gets the cells that could be read
    and returns translated reasons, reported with the cells' own, so that a bad
    row lists everything wrong with it at once. Reading streams: memory does not
    grow with the file.
    """
    text = codecs.getreader("utf-8-sig")(stream, errors="strict")
    try:
        header_line = text.readline()
    except UnicodeDecodeError:
        raise CsvFormatError(_("Die Datei ist nicht UTF-8-kodiert. Bitte als CSV (UTF-8) speichern.")) from None
    if not header_line.strip():
        raise CsvFormatError(_("Die Datei ist leer."))
    delimiter = _sniff_delimiter(header_line)
    try:
        header = [name.strip().lower() for name in next(csv.reader([header_line], delimiter=delimiter))]
    except csv.Error as exc:
        raise CsvFormatError(_("Die Zeile ist kein gültiges CSV: %(reason)s", reason=str(exc))) from None
    missing = [name for name in parsers if name not in header and name not in optional]
    if missing:
        raise CsvFormatError(_("Diese Spalten fehlen in der Kopfzeile: %(columns)s", columns=", ".join(missing)))
    reader = csv.reader(text, delimiter=delimiter)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except UnicodeDecodeError:
            report.add_error(line + 1, _("Die Zeile ist nicht UTF-8-kodiert."))
            break
        except csv.Error as exc:
            report.add_error(line + 1, _("Die Zeile ist kein gültiges CSV: %(reason)s", reason=str(exc)))
            break
        line = reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            # Translators: The expected number decides the noun.
            report.add_error(line, ngettext("Erwartet %(expected)d Feld, gefunden %(found)d.",
                                            "Erwartet %(expected)d Felder, gefunden %(found)d.", len(header),
                                            expected=len(header), found=len(cells)))
            continue
        raw = dict(zip(header, cells, strict=True))
        row, problems = {}, []
        for name, parse in parsers.items():
            if name not in raw:
                continue
            try:
                row[name] = parse(raw[name].strip())
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
        if row_problems is not None:
            problems += row_problems(row)
        if problems:
            # Each reason is a sentence of its own, with its own full stop.
            report.add_error(line, " ".join(problems))
            continue
        yield line, row


def parse_date_cell(text: str, *, required: bool = False) -> date | None:
    """Read a date cell written as 2026-07-01 or 01.07.2026 (four-digit year); empty gives None unless required."""
    if not text:
        if required:
            raise ValueError(_("Das Datum fehlt."))
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if parsed.year >= 1000:
            return parsed
    raise ValueError(_("„%(value)s“ ist kein Datum (erwartet: 2026-07-01 oder 01.07.2026).", value=text))


def parse_time_cell(text: str) -> time | None:
    """Read a time cell written as 09:30 (seconds are ignored); empty gives None."""
    if not text:
        return None
    match = _TIME_RE.match(text)
    try:
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    except ValueError:
        pass
    raise ValueError(_("„%(value)s“ ist keine Uhrzeit (erwartet: 09:30).", value=text))


def run_import(stage: Callable[[IO[bytes], CsvReport], None], stream: IO[bytes], *, target_type: str,
               source: str) -> CsvReport:
    """Run an import all or nothing: commit what `stage` wrote, with one audit entry, only if no row was bad.

    `stage(stream, report)` reads the file (with read_rows), writes its changes into the session
    without committing, and records counts and bad rows in the report. When a row was bad, or
    stage raised (CsvFormatError when the file cannot be read), nothing is kept.
    """
    report = CsvReport()
    session = db_session()
    try:
        stage(stream, report)
    except BaseException:
        session.rollback()
        raise
    if not report.ok:
        session.rollback()
        report.errors.sort(key=lambda error: error.line)
        report.created = report.updated = report.unchanged = 0
        return report
    audit("import", target_type, source[:80] or "-",
          after={"created": report.created, "updated": report.updated, "unchanged": report.unchanged})
    content_changed()
    session.commit()
    return report
