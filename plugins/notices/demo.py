"""Demonstration notices in all ten languages, for `flask --app portal demo`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from portal import toolkit

from .models import Notice, NoticeText

DEMO_FILE = Path(__file__).parent / "content" / "demo.json"


def load_demo_notices(session) -> int:
    """Add the demonstration notices that are not there yet (matched by German title); return how many."""
    existing = set(session.scalars(select(NoticeText.title).where(NoticeText.lang == "de")))
    now = toolkit.utcnow()
    added = 0
    # Oldest first, so the list shows them newest first in the order of the file.
    for offset, entry in enumerate(reversed(json.loads(DEMO_FILE.read_text(encoding="utf-8")))):
        if entry["texts"]["de"]["title"] in existing:
            continue
        starts_at = now - timedelta(days=3 - offset)
        ends_at = now + timedelta(days=entry["visible_days"]) if entry["visible_days"] else None
        source = entry["texts"]["de"]
        # Every shipped translation was made for the German text it ships with: a later change of it shows.
        written_for = toolkit.source_fingerprint(source["title"], source["body"])
        notice = Notice(category=entry["category"], priority=entry["priority"], state="published",
                        starts_at=starts_at, ends_at=ends_at, created_at=starts_at, updated_at=starts_at,
                        texts=[NoticeText(lang=lang, written_for=written_for, **text)
                               for lang, text in entry["texts"].items()])
        session.add(notice)
        added += 1
    return added
