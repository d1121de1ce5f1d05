"""Load the rules the office reopened with (content/rules.json) as a starting point, and later their new languages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from portal import toolkit

from .models import Rule
from .rules import not_ended

CONTENT_FILE = Path(__file__).parent / "content" / "rules.json"


def shipped_rules() -> list[dict]:
    """Return the shipped default rules as read from the JSON file."""
    return json.loads(CONTENT_FILE.read_text(encoding="utf-8"))["rules"]


@dataclass(frozen=True)
class LoadReport:
    """How many shipped rules were added, or else how many shipped translations the stored rules gained."""

    rules_added: int
    translations_added: int


def load_defaults(session, today: date) -> LoadReport:
    """Add the shipped rules, in force from `today` everywhere, if there are none; else the languages rules lack."""
    stored = session.scalars(select(Rule)).all()
    if not stored:
        rules = shipped_rules()
        for position, shipped in enumerate(rules, start=1):
            session.add(Rule(kind=shipped["kind"], persons=shipped.get("persons"),
                             metres=Decimal(shipped["metres"]) if "metres" in shipped else None, text=shipped["text"],
                             location="", starts_on=today, position=position, updated_by=toolkit.SYSTEM_ACTOR))
        session.flush()
        return LoadReport(len(rules), 0)
    shipped_texts = {shipped["kind"]: shipped["text"] for shipped in shipped_rules()}
    added = 0
    for rule in stored:
        if rule.kind not in shipped_texts or not not_ended(rule, today):
            continue
        missing = toolkit.missing_shipped_versions(rule.text, shipped_texts[rule.kind])
        if missing:
            rule.text = {**rule.text, **missing}
            rule.updated_by, rule.updated_at = toolkit.SYSTEM_ACTOR, toolkit.utcnow()
            added += len(missing)
    session.flush()
    return LoadReport(0, added)
