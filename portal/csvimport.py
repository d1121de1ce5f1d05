"""Read CSV uploads row by row with line-numbered errors, for all-or-nothing imports."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _


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
              optional: frozenset[str] = frozenset()) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, parsed row) for each good row; record bad rows in the report.

    The file is read as UTF-8 (a byte-order mark is accepted), with comma or
    semicolon as separator. Each parser turns a cell into a value or raises
    ValueError with a translated reason. Reading streams: memory does not grow
    with the file.
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
            report.add_error(line, _("Erwartet %(expected)d Felder, gefunden %(found)d.", expected=len(header),
                                     found=len(cells)))
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
        if problems:
            report.add_error(line, "; ".join(problems))
            continue
        yield line, row
