"""Import ready certificates from CSV: one row per person, all rows valid or nothing is saved."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import toolkit
from portal.toolkit import _

from .models import HandoverCase, birth_key, persons_born

REFERENCE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 ./_-]{0,39}$")
COLUMNS = ("aktenzeichen", "bereit_ab", "geburtsdatum", "familie", "sprache")
OPTIONAL = frozenset({"familie", "sprache"})


def parse_reference(raw: str) -> str:
    """Return a normalised case reference or raise ValueError with a translated reason."""
    reference = toolkit.normalize_reference(raw)
    if not reference:
        raise ValueError(_("Das Aktenzeichen fehlt."))
    if not REFERENCE_RE.match(reference):
        raise ValueError(_("Das Aktenzeichen darf nur Buchstaben, Ziffern, Leerzeichen und . / _ - enthalten "
                           "(höchstens 40 Zeichen)."))
    return reference


def parse_birth_date(raw: str) -> date:
    """Read a date of birth, which must lie in the past and be one the public lookup takes."""
    born = toolkit.parse_date_cell(raw, required=True)
    if born >= toolkit.office_today():
        raise ValueError(_("Das Geburtsdatum muss in der Vergangenheit liegen."))
    # A date the lookup refuses (before 1900) would leave the family unable to find its appointment.
    problem = toolkit.birth_date_problem(born)
    if problem:
        raise ValueError(problem)
    return born


def parse_family(raw: str) -> str:
    """Read an optional family group name."""
    if len(raw) > 40:
        raise ValueError(_("Die Familie darf höchstens 40 Zeichen lang sein."))
    return raw


def parse_language(raw: str) -> str:
    """Read the client's letter language: empty, or an enabled language's tag (fa-AF) or code (fa_AF)."""
    if not raw:
        return ""
    code = toolkit.language_from_tag(raw)
    if code is None:
        raise ValueError(_("Unbekannte Sprache „%(value)s“. Erlaubt: %(codes)s", value=raw,
                           codes=", ".join(map(toolkit.language_tag, toolkit.enabled_languages()))))
    # The source language means the letter is in it only.
    return "" if code == toolkit.source_language() else code


PARSERS = {"aktenzeichen": parse_reference, "bereit_ab": partial(toolkit.parse_date_cell, required=True),
           "geburtsdatum": parse_birth_date,
           "familie": parse_family, "sprache": parse_language}


@dataclass
class _ImportedCase:
    line: int
    reference: str  # as its first row spells it
    ready_on: date
    family_group: str
    letter_language: str
    births: list[date] = field(default_factory=list)


def _stage(stream: IO[bytes], report: toolkit.CsvReport) -> None:
    """Write the file's cases into the session, recording counts and bad rows."""
    session = toolkit.session()
    cases: dict[str, _ImportedCase] = {}
    for line, row in toolkit.read_rows(stream, PARSERS, report, optional=OPTIONAL):
        reference = row["aktenzeichen"]
        fields = (row["bereit_ab"], row.get("familie", ""), row.get("sprache", ""))
        # One case per reference however it is spelled (54/1002-2026, 54 1002 2026), as the lookup finds it.
        key = toolkit.reference_key(reference)
        entry = cases.get(key)
        if entry is None:
            entry = cases[key] = _ImportedCase(line, reference, *fields)
        elif (entry.ready_on, entry.family_group, entry.letter_language) != fields:
            report.add_error(line, _("Bereit ab, Familie und Sprache müssen in allen Zeilen eines Aktenzeichens "
                                     "gleich sein (siehe Zeile %(line)d).", line=entry.line))
            continue
        entry.births.append(row["geburtsdatum"])
    rows_valid = report.ok
    existing = {toolkit.reference_key(case.reference): case for case in session.scalars(
        select(HandoverCase).where(toolkit.reference_key_expression(HandoverCase.reference).in_(list(cases)))
        .options(selectinload(HandoverCase.persons)))}
    for key, entry in cases.items():
        case = existing.get(key)
        if case is None:
            continue
        stored = Counter(person.birth_key for person in case.persons)
        given = Counter(birth_key(entry.reference, born) for born in entry.births)
        # Every bad row is listed at once: with bad rows elsewhere a reference may lack one of its rows, so only a
        # person the recorded case has not is told then.
        if not ((given != stored) if rows_valid else (given - stored)):
            continue
        if any(person.appointments for person in case.persons):
            # The case form refuses new persons then too: the way out is a new case.
            report.add_error(entry.line, _("Das Aktenzeichen %(reference)s ist schon mit anderen Personen erfasst, "
                                           "die schon Termine haben. Stimmen die Personen der Datei, löschen Sie "
                                           "den Fall (seine geplanten Termine werden abgesagt) und laden Sie die "
                                           "Datei noch einmal.", reference=entry.reference))
        else:
            report.add_error(entry.line, _("Das Aktenzeichen %(reference)s ist schon mit anderen Personen erfasst. "
                                           "Bitte ändern Sie den Fall im Formular.", reference=entry.reference))
    if not report.ok:
        return
    for key, entry in cases.items():
        case, reference = existing.get(key), entry.reference
        if case is None:
            session.add(HandoverCase(reference=reference, ready_on=entry.ready_on, family_group=entry.family_group,
                             letter_language=entry.letter_language,
                             persons=persons_born(reference, entry.births)))
            report.created += 1
        elif (case.ready_on, case.family_group, case.letter_language) == (entry.ready_on, entry.family_group,
                                                                           entry.letter_language):
            report.unchanged += 1
        else:
            case.ready_on, case.family_group = entry.ready_on, entry.family_group
            case.letter_language = entry.letter_language
            report.updated += 1


def import_cases(stream: IO[bytes], source: str = "-") -> toolkit.CsvReport:
    """Save the file's cases when every row is valid (committed, audited); raise CsvFormatError when unreadable."""
    return toolkit.run_import(_stage, stream, target_type="naturalisation_case", source=source)
