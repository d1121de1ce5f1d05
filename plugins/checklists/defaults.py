"""Load the shipped checklists (content/checklists.json) into the database, never overwriting staff edits."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from portal import toolkit

from .models import Question, Service, ServiceVersion

CONTENT_FILE = Path(__file__).parent / "content" / "checklists.json"


@dataclass(frozen=True)
class LoadReport:
    """What loading added (questions, services, translations of stored texts) and how many services were there."""

    questions_added: int
    services_added: int
    services_kept: int
    translations_added: int


def shipped_content() -> dict:
    """Return the shipped questions and services as read from the JSON file."""
    return json.loads(CONTENT_FILE.read_text(encoding="utf-8"))


def _service_content(shipped: dict) -> dict:
    # Keys of shipped items are numbered per service, so they stay the same on every installation.
    items = [{"key": f"{shipped['slug']}-{index:02d}", "text": item["text"], "hint": item.get("hint") or {},
              "condition": item.get("condition"), "example": bool(item.get("example"))}
             for index, item in enumerate(shipped["items"], start=1)]
    return {"title": shipped["title"], "summary": shipped.get("summary") or {}, "published": True, "items": items}


def _add_shipped_languages(stored: dict, shipped: dict) -> int:
    """Add to a stored text the shipped versions it lacks in enabled languages; return how many."""
    missing = toolkit.missing_shipped_versions(stored, shipped)
    stored.update(missing)
    return len(missing)


def _content_with_shipped_languages(content: dict, shipped_service: dict) -> tuple[dict, int]:
    """Return a stored service's content with the shipped translations its texts lack, and how many there were."""
    merged = copy.deepcopy(content)
    shipped = _service_content(shipped_service)
    shipped_items = {item["key"]: item for item in shipped["items"]}
    pairs = [(merged["title"], shipped["title"]), (merged.get("summary") or {}, shipped["summary"])]
    for item in merged["items"]:
        # Items staff added have keys of their own and no shipped counterpart.
        if item["key"] in shipped_items:
            pairs += [(item["text"], shipped_items[item["key"]]["text"]),
                      (item.get("hint") or {}, shipped_items[item["key"]]["hint"])]
    return merged, sum(_add_shipped_languages(stored, shipped) for stored, shipped in pairs)


def load_defaults(session) -> LoadReport:
    """Add shipped questions and services that are missing, and shipped translations the stored ones lack."""
    shipped = shipped_content()
    questions = {question.key: question for question in session.scalars(select(Question))}
    questions_added = translations_added = 0
    for position, question in enumerate(shipped["questions"], start=1):
        stored = questions.get(question["key"])
        if stored is None:
            session.add(Question(key=question["key"], position=position, text=question["text"],
                                 label=question["label"], updated_by=toolkit.SYSTEM_ACTOR))
            questions_added += 1
            continue
        # JSON columns notice new values only, not changes inside the stored dict.
        text, label = dict(stored.text), dict(stored.label)
        added = _add_shipped_languages(text, question["text"]) + _add_shipped_languages(label, question["label"])
        if added:
            stored.text, stored.label, stored.updated_by = text, label, toolkit.SYSTEM_ACTOR
            translations_added += added
    services = {service.slug: service for service in session.scalars(select(Service))}
    services_added = 0
    for position, shipped_service in enumerate(shipped["services"], start=1):
        service = services.get(shipped_service["slug"])
        if service is None:
            content = _service_content(shipped_service)
            service = Service(slug=shipped_service["slug"], position=position, content=content, version=1)
            service.versions.append(ServiceVersion(number=1, content=content, created_by=toolkit.SYSTEM_ACTOR,
                                                   action="defaults"))
            session.add(service)
            services_added += 1
            continue
        content, added = _content_with_shipped_languages(service.content, shipped_service)
        if added:
            # The versioned UPDATE raises the service's version by one, to the number of this new version.
            session.add(ServiceVersion(service_id=service.id, number=service.version + 1,
                                       content=copy.deepcopy(content), created_by=toolkit.SYSTEM_ACTOR,
                                       action="shipped_languages"))
            service.content = content
            translations_added += added
    session.flush()
    kept = len(services.keys() & {service["slug"] for service in shipped["services"]})
    return LoadReport(questions_added, services_added, kept, translations_added)
