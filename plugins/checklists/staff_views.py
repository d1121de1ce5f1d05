"""Staff pages: edit checklists and their translations, compare and restore versions, edit questions."""

from __future__ import annotations

import copy

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import FieldList

from portal import toolkit
from portal.toolkit import _

from .checklist import (
    ITEM_TEXTS,
    QUESTION_TEXTS,
    SERVICE_TEXTS,
    STAMPS,
    confirm_translation,
    content_texts,
    find_service,
    latest_version,
    new_item_key,
    outdated,
    outdated_counts,
    questions_by_key,
    save_version,
    stamp,
)
from .diff import compare
from .forms import (
    NEW_ITEM_ROWS,
    ItemForm,
    NewServiceForm,
    QuestionForm,
    ServiceForm,
    TranslationForm,
    name_row,
)
from .models import Question, Service, ServiceVersion

staff = toolkit.staff_blueprint("checklists", __name__, role="editor")
# Addresses under /checklists/ that a page of the plugin holds already: the list in Leichte Sprache.
SLUGS_OF_PAGES = frozenset({"leicht"})

def _service_or_404(slug: str) -> Service:
    return find_service(slug, published_only=False) or abort(404)


def _set_text(texts: dict, lang: str, value: str | None) -> dict:
    """Return texts with one language set, or marked as removed when the value is blank."""
    return toolkit.edited_texts(texts, {lang: value or ""}, [lang])


def _condition_choices(questions: dict[str, Question]) -> list[tuple[str, str]]:
    source = toolkit.source_language()
    return [("", _("alle"))] + [(key, question.label.get(source, key)) for key, question in questions.items()]


def _condition_name(questions: dict[str, Question]):
    choices = dict(_condition_choices(questions))
    return lambda key: choices.get(key or "", key or "")


def _action_label(version: ServiceVersion) -> str:
    if version.action == "translated":
        language = toolkit.language_name(version.detail, toolkit.current_language())
        return _("Übersetzung geändert: %(language)s", language=language)
    if version.action == "restored":
        return _("Version %(number)s wiederhergestellt", number=version.detail)
    return {"created": _("angelegt"), "edited": _("Inhalt geändert"),
            "defaults": _("mitgelieferte Fassung geladen"),
            "shipped_languages": _("mitgelieferte Übersetzungen ergänzt")}.get(version.action, version.action)


def _conflict(service: Service, form) -> dict:
    """Describe the save that came first and let the next save of this form go over it."""
    mine = form.version.data
    form.version.data = service.version
    return {"latest": latest_version(service), "their_version": mine}


@staff.route("/")
def index():
    services = toolkit.session().scalars(select(Service).order_by(Service.position, Service.slug)).all()
    latest = {service.id: latest_version(service) for service in services}
    return render_template("checklists/staff/index.html", services=services, latest=latest,
                           questions=questions_by_key().values(), action_label=_action_label)


@staff.route("/services/new", methods=["GET", "POST"])
def new_service():
    form = NewServiceForm()
    if form.validate_on_submit():
        # Claimed before the short name is looked up: a second sending of this page would find it taken by its first.
        earlier = toolkit.claim_sending(form)
        if earlier is not None:
            return _service_created(earlier, 303)
        slug = form.slug.data.strip()
        if slug not in SLUGS_OF_PAGES and not find_service(slug, published_only=False) and _create_service(form, slug):
            return _service_created(slug)
        form.slug.errors.append(_("Eine Checkliste mit diesem Kurznamen gibt es schon."))
    return render_template("checklists/staff/new.html", form=form), 422 if form.errors else 200


def _create_service(form: NewServiceForm, slug: str) -> bool:
    """Store the new checklist with its first version and commit it; False when the short name was taken meanwhile."""
    summary = form.summary.data.strip()
    source = toolkit.source_language()
    content = {"title": {source: form.title.data.strip()},
               "summary": {source: summary} if summary else {}, "published": False, "items": []}
    session = toolkit.session()
    position = (session.scalar(select(Service.position).order_by(Service.position.desc()).limit(1)) or 0) + 1
    service = Service(slug=slug, position=position, content=content, version=1)
    service.versions.append(ServiceVersion(number=1, content=copy.deepcopy(content), action="created",
                                           created_by=toolkit.current_staff().email))
    session.add(service)
    try:
        session.flush()
    except IntegrityError:
        # A colleague's checklist took the short name after it was looked up: PostgreSQL lets both look at once.
        session.rollback()
        return False
    toolkit.audit("create", "checklists_service", service.id, after={"slug": slug, "version": 1}, summary=slug)
    toolkit.keep_answer(form, slug)
    session.commit()
    return True


def _service_created(slug: str, status: int = 302):
    """Answer a new checklist's form, or its page sent again (303), with the checklist's edit page."""
    flash(_("Die Checkliste ist angelegt. Fügen Sie jetzt die Unterlagen hinzu; sichtbar wird sie, "
            "wenn Sie das Häkchen „sichtbar“ setzen."), "success")
    return redirect(url_for(".edit_service", slug=slug), status)


def _service_form_data(service: Service) -> dict:
    content = service.content
    source = toolkit.source_language()
    items = [{"key": item["key"], "text": item["text"].get(source, ""),
              "hint": (item.get("hint") or {}).get(source, ""), "condition": item.get("condition") or "",
              "example": bool(item.get("example")), "position": index}
             for index, item in enumerate(content["items"], start=1)]
    items += [{"key": "", "text": "", "hint": "", "condition": "", "example": False, "position": None}
              for _row in range(NEW_ITEM_ROWS)]
    return {"version": service.version, "title": content["title"].get(source, ""),
            "summary": (content.get("summary") or {}).get(source, ""),
            "published": bool(content.get("published")), "items": items}


def _name_rows(items: FieldList) -> list[str]:
    """Name each row of items, for its legend and its fields' labels: stored items by place, new rows apart."""
    names = []
    new_rows = 0
    for number, entry in enumerate(items, start=1):
        if entry.form.key.data:
            name = _("Unterlage %(number)s", number=number)
        else:
            new_rows += 1
            name = _("Neue Unterlage %(number)s", number=new_rows)
        name_row(entry.form, name)
        names.append(name)
    return names


def _new_row_filled_in(row: ItemForm) -> bool:
    """Tell whether staff gave a new row anything (a hint, a condition, an example mark, an order)."""
    return bool((row.hint.data or "").strip() or row.condition.data or row.example.data
                or row.position.data is not None)


def _content_from_service_form(form: ServiceForm, service: Service) -> dict | None:
    """Merge the form's source-language texts and structure into the current content; None if a row is wrong."""
    old_items = {item["key"]: item for item in service.content["items"]}
    source = toolkit.source_language()
    still_fit = bool(form.translations_still_fit.data)
    rows = []
    valid = True
    for index, entry in enumerate(form.items):
        row: ItemForm = entry.form
        text, hint = (row.text.data or "").strip(), (row.hint.data or "").strip()
        if row.remove.data:
            continue
        if not text:
            if row.key.data in old_items:
                row.text.errors.append(_("Bitte nennen Sie die Unterlage, oder kreuzen Sie „entfernen“ an."))
                valid = False
            elif _new_row_filled_in(row):
                row.text.errors.append(_("Bitte nennen Sie die Unterlage, zu der diese Angaben gehören. Soll die "
                                         "Zeile nichts hinzufügen, lassen Sie sie ganz leer."))
                valid = False
            continue
        old = old_items.get(row.key.data) or {"key": new_item_key(), "text": {}, "hint": {}}
        item = {"key": old["key"], "text": _set_text(old["text"], source, text),
                # Without a hint in the source language its translations would have nothing to translate.
                "hint": _set_text(old.get("hint") or {}, source, hint) if hint else {},
                "condition": row.condition.data or None, "example": bool(row.example.data)}
        stamp(item, old, ITEM_TEXTS, still_fit)
        rows.append((row.position.data or 1000 + index, index, item))
    if not valid:
        return None
    summary = (form.summary.data or "").strip()
    content = {"title": _set_text(service.content["title"], source, form.title.data),
               "summary": _set_text(service.content.get("summary") or {}, source, summary) if summary else {},
               "published": bool(form.published.data), "items": [item for *_order, item in sorted(rows)]}
    stamp(content, service.content, SERVICE_TEXTS, still_fit)
    return content


# What a version's detail is, under its own key in the audit entry: the language translated, the version restored.
DETAIL_KEYS = {"translated": "language", "restored": "restored_version"}


def _save(service: Service, form, content: dict, action: str, detail: str = "") -> bool:
    """Save a new version with its audit entry, for the caller to commit; False when another save came first."""
    expected = form.version.data
    if not save_version(service, content, expected, action, detail):
        return False
    after = {"version": service.version, DETAIL_KEYS[action]: detail} if detail else {"version": service.version}
    toolkit.audit(action, "checklists_service", service.id, before={"version": expected}, after=after,
                  summary=service.slug)
    return True


def _saved_version(page: str, number: int | str, status: int = 302):
    """Answer a saved form, or its page sent again (303), with its page and the number of the version it saved."""
    flash(_("Gespeichert als Version %(number)s.", number=number), "success")
    return redirect(page, status)


def _save_page(service: Service, form, content: dict, page: str, action: str, detail: str = ""):
    """Save a checklist page's form as a new version and answer it; None when another save came first."""
    unchanged = content == service.content
    saved = not unchanged and _save(service, form, content, action, detail)
    # Claimed after the save, as notices' edit does: a second sending of this page finds the version it was opened
    # with gone, or its changes stored already, and its claim taken. A claim made on the way to a conflict or to
    # "no changes" is not committed.
    earlier = toolkit.claim_sending(form)
    if earlier is not None:
        return _saved_version(page, earlier, 303)
    if unchanged:
        flash(_("Es gab keine Änderungen zu speichern."), "success")
        return redirect(page)
    if not saved:
        return None
    toolkit.keep_answer(form, str(service.version))
    toolkit.session().commit()
    return _saved_version(page, service.version)


@staff.route("/services/<slug>/edit", methods=["GET", "POST"])
def edit_service(slug: str):
    service = _service_or_404(slug)
    questions = questions_by_key()
    form = ServiceForm(data=_service_form_data(service)) if request.method == "GET" else ServiceForm()
    for entry in form.items:
        entry.form.condition.choices = _condition_choices(questions)
    row_names = _name_rows(form.items)
    conflict = None
    if form.is_submitted():
        fields_valid = form.validate()
        # The rows are checked after a field failed too, so that one answer names everything to correct.
        content = _content_from_service_form(form, service)
        if fields_valid and content is not None:
            answer = _save_page(service, form, content, url_for(".edit_service", slug=slug), "edited")
            if answer is not None:
                return answer
            service = _service_or_404(slug)
            conflict = _conflict(service, form)
    texts = content_texts(service.content)
    stale = outdated_counts(service.content)
    completeness = [(code, sum(1 for text in texts if text.get(code)), len(texts), stale.get(code, 0))
                    for code in toolkit.languages_besides_source()]
    status = 409 if conflict else 422 if request.method == "POST" else 200
    translated = any(done or outdated_texts for _code, done, _total, outdated_texts in completeness)
    return render_template("checklists/staff/edit.html", service=service, form=form, conflict=conflict,
                           row_names=row_names, completeness=completeness, translated=translated), status


def _translation_form_data(service: Service, lang: str) -> dict:
    content = service.content
    return {"version": service.version, "title": content["title"].get(lang, ""),
            "summary": (content.get("summary") or {}).get(lang, ""),
            "items": [{"key": item["key"], "text": item["text"].get(lang, ""),
                       "hint": (item.get("hint") or {}).get(lang, "")} for item in content["items"]]}


def _content_from_translation_form(form: TranslationForm, service: Service, lang: str) -> dict | None:
    content = copy.deepcopy(service.content)
    content["title"] = _set_text(content["title"], lang, form.title.data)
    if (content.get("summary") or {}).get(toolkit.source_language()):
        content["summary"] = _set_text(content["summary"], lang, form.summary.data)
    rows = {entry.form.key.data: entry.form for entry in form.items}
    valid = True
    for item in content["items"]:
        row = rows.get(item["key"])
        if row is None:
            continue
        if (row.hint.data or "").strip() and not (row.text.data or "").strip():
            row.text.errors.append(_("Bitte übersetzen Sie auch die Unterlage selbst, nicht nur den Hinweis."))
            valid = False
        item["text"] = _set_text(item["text"], lang, row.text.data)
        if (item.get("hint") or {}).get(toolkit.source_language()):
            item["hint"] = _set_text(item["hint"], lang, row.hint.data)
    if not valid:
        return None
    before = {item["key"]: item for item in service.content["items"]}
    for entry, old, parts in [(content, service.content, SERVICE_TEXTS)] + [
            (item, before[item["key"]], ITEM_TEXTS) for item in content["items"]]:
        stamp(entry, old, parts)
        if form.marked_still_fit.data:
            confirm_translation(entry, lang)
    return content


@staff.route("/services/<slug>/translations/<code>", methods=["GET", "POST"])
def translate_service(slug: str, code: str):
    service = _service_or_404(slug)
    if code == toolkit.source_language() or code not in toolkit.enabled_languages():
        abort(404)
    form = TranslationForm(data=_translation_form_data(service, code)) if request.method == "GET" \
        else TranslationForm()
    row_names = _name_rows(form.items)
    conflict = None
    if form.is_submitted():
        fields_valid = form.validate()
        # As on the edit page: the rows are checked after a field failed too.
        content = _content_from_translation_form(form, service, code)
        if fields_valid and content is not None:
            answer = _save_page(service, form, content, url_for(".translate_service", slug=slug, code=code),
                                "translated", code)
            if answer is not None:
                return answer
            service = _service_or_404(slug)
            conflict = _conflict(service, form)
    sources = {item["key"]: item for item in service.content["items"]}
    # The texts whose translation into this language was made for earlier source words: "" for title and summary.
    stale = {key for key, entry in [("", service.content), *sources.items()] if code in outdated(entry)}
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render_template("checklists/staff/translate.html", service=service, form=form, code=code,
                           row_names=row_names, sources=sources, stale=stale, conflict=conflict), status


@staff.route("/services/<slug>/versions")
def versions(slug: str):
    service = _service_or_404(slug)
    return render_template("checklists/staff/versions.html", service=service, versions=service.versions,
                           action_label=_action_label)


@staff.route("/services/<slug>/compare")
def compare_versions(slug: str):
    service = _service_or_404(slug)
    numbers = sorted({request.args.get("a", type=int), request.args.get("b", type=int)} - {None})
    found = {version.number: version for version in service.versions if version.number in numbers}
    if len(numbers) != 2 or len(found) != 2:
        flash(_("Bitte wählen Sie zwei verschiedene Versionen zum Vergleichen."), "error")
        return redirect(url_for(".versions", slug=slug))
    older, newer = found[numbers[0]], found[numbers[1]]
    comparison = compare(older.content, newer.content, toolkit.enabled_languages(),
                         _condition_name(questions_by_key()))
    return render_template("checklists/staff/compare.html", service=service, older=older, newer=newer,
                           comparison=comparison, action_label=_action_label)


@staff.route("/services/<slug>/versions/<int:number>/restore", methods=["POST"])
def restore_version(slug: str, number: int):
    service = _service_or_404(slug)
    version = next((v for v in service.versions if v.number == number), None) or abort(404)
    form = toolkit.VersionForm()
    if not form.validate_on_submit():
        abort(400)
    if version.content == service.content:
        flash(_("Version %(number)s entspricht schon dem aktuellen Stand.", number=number), "success")
    elif _save(service, form, version.content, "restored", str(number)):
        toolkit.session().commit()
        flash(_("Version %(old)s ist wiederhergestellt, als neue Version %(number)s.", old=number,
                number=service.version), "success")
    else:
        flash(_("Die Checkliste wurde inzwischen geändert. Bitte prüfen Sie die neue Version, bevor Sie "
                "wiederherstellen."), "error")
    return redirect(url_for(".versions", slug=slug))


def _question_form_data(question: Question | None, position: int) -> dict:
    if question is None:
        return {"key": "", "position": position}
    return {"version": question.version, "key": question.key, "position": question.position,
            "text": question.text, "label": question.label}


def _question_texts(form: QuestionForm) -> tuple[dict, dict] | None:
    """Read the question and its heading per language; both are needed in the source language."""
    text, label, source = form.text.data, form.label.data, toolkit.source_language()
    for texts, field in ((text, form.text), (label, form.label)):
        if source not in texts:
            field[source].errors.append(_("Bitte in dieser Sprache ausfüllen: %(language)s.",
                                          language=toolkit.source_language_name()))
    if source not in text or source not in label:
        return None
    return text, label


@staff.route("/questions/new", methods=["GET", "POST"])
@staff.route("/questions/<key>/edit", methods=["GET", "POST"])
def edit_question(key: str | None = None):
    session = toolkit.session()
    question = None
    if key is not None:
        question = session.scalar(select(Question).filter_by(key=key)) or abort(404)
    next_position = (session.scalar(select(Question.position).order_by(Question.position.desc()).limit(1)) or 0) + 1
    form = QuestionForm(data=_question_form_data(question, next_position)) if request.method == "GET" \
        else QuestionForm()
    if question is not None:
        form.key.data = question.key
    conflict = None
    if form.is_submitted():
        fields_valid = form.validate()
        # The texts are checked after a field failed too, so that one answer names everything to correct.
        texts = _question_texts(form)
        valid = fields_valid and texts is not None
        if question is None:
            # Claimed before the key is looked up: a second sending of this page would find it taken by its first.
            if valid and toolkit.claim_sending(form) is not None:
                return _question_saved(303)
            free = session.scalar(select(Question.id).filter_by(key=form.key.data)) is None
            if free and valid and _create_question(form, *texts):
                return _question_saved()
            # A valid form gets here only when the key was taken: before, or by a colleague since it was looked up.
            if not free or valid:
                form.key.errors.append(_("Diesen Schlüssel gibt es schon."))
        elif valid:
            text, label = texts
            before = {"version": question.version, "position": question.position, "text": question.text,
                      "label": question.label}

            def change():
                entry = {"text": toolkit.edited_texts(question.text, text, form.text.codes),
                         "label": toolkit.edited_texts(question.label, label, form.label.codes)}
                stamp(entry, question.texts(), QUESTION_TEXTS, bool(form.translations_still_fit.data))
                question.position = form.position.data
                question.text, question.label = entry["text"], entry["label"]
                question.written_for = entry.get(STAMPS, question.written_for)
                question.updated_by, question.updated_at = toolkit.current_staff().email, toolkit.utcnow()

            saved = toolkit.save_if_current(question, form.version.data, change)
            # Claimed after the save, as notices' edit does: a second sending of this page finds the version it was
            # opened with gone and its claim taken; a claim made on the way to a conflict is not committed.
            if toolkit.claim_sending(form) is not None:
                return _question_saved(303)
            if saved:
                toolkit.audit("update", "checklists_question", question.id, before=before,
                              after={"version": question.version, "position": question.position,
                                     "text": question.text, "label": question.label})
                session.commit()
                return _question_saved()
            conflict = question
            form.version.data = question.version
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render_template("checklists/staff/question.html", form=form, question=question, conflict=conflict,
                           outdated=outdated(question.texts()) if question else set()), status


def _create_question(form: QuestionForm, text: dict, label: dict) -> bool:
    """Store the new question and commit it; False when its key was taken meanwhile."""
    entry = {"text": text, "label": label}
    stamp(entry, {}, QUESTION_TEXTS)
    question = Question(key=form.key.data, position=form.position.data, text=text, label=label,
                        written_for=entry[STAMPS], version=1, updated_by=toolkit.current_staff().email)
    session = toolkit.session()
    session.add(question)
    try:
        session.flush()
    except IntegrityError:
        # A colleague's question took the key after it was looked up: PostgreSQL lets both look at once.
        session.rollback()
        return False
    toolkit.audit("create", "checklists_question", question.id, after={"key": question.key})
    toolkit.keep_answer(form, question.key)
    session.commit()
    return True


def _question_saved(status: int = 302):
    """Answer a question's saved form, or its page sent again (303), with the list of checklists."""
    flash(_("Die Frage ist gespeichert."), "success")
    return redirect(url_for(".index"), status)
