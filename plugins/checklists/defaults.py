"""Load the shipped checklists (content/checklists.json) into the database, never overwriting staff edits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from .models import Question, Service, ServiceVersion

CONTENT_FILE = Path(__file__).parent / "content" / "checklists.json"
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class LoadReport:
    """How many shipped questions and services were added, and how many were there already."""

    questions_added: int
    services_added: int
    services_kept: int


def shipped_content() -> dict:
    """Return the shipped questions and services as read from the JSON file."""
    return json.loads(CONTENT_FILE.read_text(encoding="utf-8"))


def _service_content(shipped: dict) -> dict:
    # Keys of shipped items are numbered per service, so they stay the same on every installation.
    items = [{"key": f"{shipped['slug']}-{index:02d}", "text": item["text"], "hint": item.get("hint") or {},
              "condition": item.get("condition"), "example": bool(item.get("example"))}
             for index, item in enumerate(shipped["items"], start=1)]
    return {"title": shipped["title"], "summary": shipped.get("summary") or {}, "published": True, "items": items}


def load_defaults(session) -> LoadReport:
    """Add shipped questions and services that are missing; keep everything that exists."""
    shipped = shipped_content()
    known_questions = set(session.scalars(select(Question.key)))
    questions_added = 0
    for position, question in enumerate(shipped["questions"], start=1):
        if question["key"] not in known_questions:
            session.add(Question(key=question["key"], position=position, text=question["text"],
                                 label=question["label"], updated_by=SYSTEM_ACTOR))
            questions_added += 1
    known_services = set(session.scalars(select(Service.slug)))
    services_added = 0
    for position, shipped_service in enumerate(shipped["services"], start=1):
        if shipped_service["slug"] in known_services:
            continue
        content = _service_content(shipped_service)
        service = Service(slug=shipped_service["slug"], position=position, content=content, version=1)
        service.versions.append(ServiceVersion(number=1, content=content, created_by=SYSTEM_ACTOR, action="defaults"))
        session.add(service)
        services_added += 1
    session.flush()
    return LoadReport(questions_added, services_added, len(known_services & {s["slug"] for s in shipped["services"]}))
