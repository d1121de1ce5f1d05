"""Load the rules the office reopened with (content/rules.json), once, as a starting point for staff."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from .models import Rule

CONTENT_FILE = Path(__file__).parent / "content" / "rules.json"


def shipped_rules() -> list[dict]:
    """Return the shipped default rules as read from the JSON file."""
    return json.loads(CONTENT_FILE.read_text(encoding="utf-8"))["rules"]


def load_defaults(session, today: date) -> int:
    """Add the shipped rules, in force from `today` at every location, unless any rule exists; return how many."""
    if session.scalar(select(func.count()).select_from(Rule)):
        return 0
    rules = shipped_rules()
    for position, shipped in enumerate(rules, start=1):
        session.add(Rule(kind=shipped["kind"], persons=shipped.get("persons"),
                         metres=Decimal(shipped["metres"]) if "metres" in shipped else None, text=shipped["text"],
                         location="", starts_on=today, position=position, updated_by="system"))
    session.flush()
    return len(rules)
