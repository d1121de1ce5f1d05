"""What a visitor sees of a checklist: items grouped by condition, filtered by the answers given."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select

from portal import toolkit

from .models import STAMPS, Question, Service, ServiceVersion

ANSWERS = {"yes": True, "no": False}
# The texts of a service, an item and a question that are translated together, the first the one that must exist.
SERVICE_TEXTS = ("title", "summary")
ITEM_TEXTS = ("text", "hint")
QUESTION_TEXTS = ("text", "label")
@dataclass(frozen=True)
class ShownText(toolkit.Translated[str]):
    """A text in the language found for it, with the source language's text it translates."""

    source: str = ""

    @property
    def html(self) -> Markup:
        """Return the text as HTML, the source language's names it quotes marked as such."""
        return toolkit.mark_source_names(self.value, self.lang, self.source)


@dataclass(frozen=True)
class ShownItem:
    """One item in the visitor's language (or a fallback), with its stable key."""

    key: str
    text: ShownText
    hint: ShownText | None
    example: bool


@dataclass(frozen=True)
class Group:
    """The items of one condition (None: items for everyone); hidden when the visitor answered "no"."""

    condition: str | None
    label: ShownText | None
    items: list[ShownItem]
    hidden: bool


def _by_language(entry: Mapping, parts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Return, per language that has the first of the entry's texts, all of them in that language."""
    return {lang: tuple((entry.get(part) or {}).get(lang, "") for part in parts)
            for lang, value in (entry.get(parts[0]) or {}).items() if value}


def stamp(entry: dict, before: Mapping, parts: tuple[str, ...], still_fit: bool = False) -> None:
    """Record in entry the source words its texts were made for; translations this save left alone keep theirs."""
    stored, saved = _by_language(before, parts), _by_language(entry, parts)
    if STAMPS not in before and stored == saved:
        # Saved before fingerprints were kept and not changed now: nothing to record, so no new version either.
        return
    source = toolkit.source_language()
    fingerprint = toolkit.source_fingerprint(*((entry.get(part) or {}).get(source, "") for part in parts))
    entry[STAMPS] = toolkit.stamp_translations(stored, saved, before.get(STAMPS) or {}, fingerprint, still_fit)


def confirm_translation(entry: dict, lang: str) -> None:
    """Mark the entry's translation into lang as fitting the source words now (the translator checked it)."""
    stamps = entry.get(STAMPS) or {}
    if lang in stamps:
        entry[STAMPS] = {**stamps, lang: stamps.get(toolkit.source_language())}


def outdated(entry: Mapping) -> set[str]:
    """Return the languages whose texts of the entry were made for earlier source words."""
    return toolkit.outdated_languages(entry.get(STAMPS) or {})


def current(entry: Mapping, part: str) -> dict[str, str]:
    """Return one of the entry's texts in the source language and the translations that fit it now."""
    stale = outdated(entry)
    return {lang: text for lang, text in (entry.get(part) or {}).items() if lang not in stale}


def shown_text(entry: Mapping, part: str, lang: str | None = None) -> ShownText | None:
    """Pick one of the entry's current texts in a language, falling back as configured (None: it has none)."""
    versions = current(entry, part)
    picked = toolkit.pick_translation(versions, lang)
    if picked is None:
        return None
    return ShownText(picked.lang, picked.value, picked.requested, versions.get(toolkit.source_language(), ""))


def new_item_key() -> str:
    """Return a fresh key for an item added by staff."""
    return secrets.token_hex(4)


def questions_by_key() -> dict[str, Question]:
    """Return every question by key, in the order staff set."""
    questions = toolkit.session().scalars(select(Question).order_by(Question.position, Question.key))
    return {question.key: question for question in questions}


def used_questions(content: Mapping, questions: Mapping[str, Question]) -> list[Question]:
    """Return the questions that decide about at least one item of a checklist, in question order."""
    used = {item["condition"] for item in content["items"] if item.get("condition")}
    return [question for key, question in questions.items() if key in used]


def read_answers(args: Mapping[str, str], questions: list[Question]) -> dict[str, bool]:
    """Read yes/no answers from query parameters; anything else counts as not answered."""
    return {q.key: ANSWERS[args[q.key]] for q in questions if args.get(q.key) in ANSWERS}


def answers_query(answers: Mapping[str, bool]) -> dict[str, str]:
    """Return answers as query parameters for a shareable address."""
    return {key: "yes" if value else "no" for key, value in answers.items()}


def shown_item(item: Mapping, lang: str | None = None) -> ShownItem:
    """Pick an item's text and hint in a language, falling back as configured."""
    return ShownItem(key=item["key"], text=shown_text(item, "text", lang), hint=shown_text(item, "hint", lang),
                     example=bool(item.get("example")))


def group_items(content: Mapping, questions: Mapping[str, Question], answers: Mapping[str, bool],
                lang: str | None = None) -> list[Group]:
    """Group items: first those for everyone, then one group per condition in question order."""
    by_condition: dict[str | None, list[Mapping]] = {}
    for item in content["items"]:
        by_condition.setdefault(item.get("condition") or None, []).append(item)
    order = [None] + [key for key in questions if key in by_condition]
    groups = []
    for condition in order:
        if condition not in by_condition:
            continue
        label = shown_text(questions[condition].texts(), "label", lang) if condition else None
        groups.append(Group(condition=condition, label=label,
                            items=[shown_item(item, lang) for item in by_condition[condition]],
                            hidden=answers.get(condition) is False if condition else False))
    return groups


def uses_fallback(*translations) -> bool:
    """Tell whether any of the given translations (or items and groups of them) fell back to another language."""
    for entry in translations:
        if isinstance(entry, Group):
            if uses_fallback(entry.label, *entry.items):
                return True
        elif isinstance(entry, ShownItem):
            if uses_fallback(entry.text, entry.hint):
                return True
        elif entry is not None and entry.is_fallback:
            return True
    return False


def published_services() -> list[Service]:
    """Return the services visitors may see, in the order staff set."""
    services = toolkit.session().scalars(select(Service).order_by(Service.position, Service.slug))
    return [service for service in services if service.content.get("published")]


def find_service(slug: str, published_only: bool = True) -> Service | None:
    """Return a service by its slug; unpublished ones only when asked for."""
    service = toolkit.session().scalar(select(Service).filter_by(slug=slug))
    if service is None or (published_only and not service.content.get("published")):
        return None
    return service


def save_version(service: Service, content: dict, expected_version: int | None, action: str, detail: str = "") -> bool:
    """Store content as the service's next version, unless someone saved since `expected_version`."""
    account = toolkit.current_staff()

    def change():
        service.content = copy.deepcopy(content)
        # Written after the service's row, whose versioned UPDATE fails first when another save came between.
        toolkit.session().add(ServiceVersion(service_id=service.id, number=service.version + 1,
                                             content=copy.deepcopy(content), action=action, detail=detail,
                                             created_by=account.email if account else toolkit.SYSTEM_ACTOR))

    return toolkit.save_if_current(service, expected_version, change)


def latest_version(service: Service) -> ServiceVersion | None:
    """Return the service's newest saved version."""
    return toolkit.session().scalar(select(ServiceVersion).filter_by(service_id=service.id)
                                    .order_by(ServiceVersion.number.desc()).limit(1))


def content_texts(content: Mapping) -> list[Mapping[str, str]]:
    """Return every text of a checklist written in some language, as {language: text}, without outdated ones."""
    texts = [current(content, part) for part in SERVICE_TEXTS]
    for item in content["items"]:
        texts += [current(item, part) for part in ITEM_TEXTS]
    return [text for text in texts if any(text.values())]


def outdated_counts(content: Mapping) -> dict[str, int]:
    """Count, per language, the checklist's texts whose translation was made for earlier source words."""
    counts: dict[str, int] = {}
    for entry, parts in [(content, SERVICE_TEXTS)] + [(item, ITEM_TEXTS) for item in content["items"]]:
        for lang in outdated(entry):
            counts[lang] = counts.get(lang, 0) + sum(1 for part in parts if (entry.get(part) or {}).get(lang))
    return counts


def translation_status() -> list[toolkit.ContentStatus]:
    """Count, per enabled language, how many of the checklists' texts are written in it for the source words now.

    A text written before the source language changed counts too: it shows as missing in the source language.
    """
    texts = [text for service in toolkit.session().scalars(select(Service)) for text in content_texts(service.content)]
    texts += [text for question in questions_by_key().values()
              for text in (current(question.texts(), part) for part in QUESTION_TEXTS) if any(text.values())]
    return [toolkit.ContentStatus(plugin="checklists", kind="texts", label=toolkit._l("Checklisten"), lang=lang,
                                  translated=sum(1 for text in texts if text.get(lang)), total=len(texts))
            for lang in toolkit.enabled_languages()]
