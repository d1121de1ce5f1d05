"""Demonstration content: the shipped glossary and a week of language help."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import func, select

from portal import toolkit

from .glossary import load_shipped_glossary
from .models import HelpTime

# (days from today, start, end, languages, other languages, place, by phone)
DEMO_HELP_TIMES = [
    (1, time(7, 30), time(12, 0), "ar fa", "", "Wartebereich im Erdgeschoss", False),
    (1, time(9, 0), time(11, 0), "tr ku", "", "Wartebereich im Erdgeschoss", False),
    (2, time(8, 0), time(12, 0), "uk ru", "", "Empfang am Haupteingang", False),
    # Languages the portal offers go by their code, so that every page names them in its own words; the free text
    # is for the others. Help by phone may lie outside the office's opening hours.
    (3, time(17, 0), time(19, 0), "ar ti", "Amharisch", "Telefonische Sprachhilfe", True),
    (6, time(7, 30), time(12, 0), "fa en fr", "", "Wartebereich im Erdgeschoss", False),
]


def add_demo_data(session) -> None:
    """Load the shipped glossary and, when there are none, some help times from tomorrow on."""
    load_shipped_glossary(session)
    if session.scalar(select(func.count()).select_from(HelpTime)):
        return
    today = toolkit.office_today()
    enabled = set(toolkit.enabled_languages())
    for days, starts_at, ends_at, languages, other, place, by_phone in DEMO_HELP_TIMES:
        codes = " ".join(code for code in languages.split() if code in enabled)
        if codes or other:
            # Help in the building is there when the office is open; help by phone may be on any day.
            day = today + timedelta(days=days) if by_phone else toolkit.opening_day(today + timedelta(days=days))
            session.add(HelpTime(day=day, starts_at=starts_at, ends_at=ends_at, languages=codes,
                                 other_languages=other, place=place, by_phone=by_phone))
