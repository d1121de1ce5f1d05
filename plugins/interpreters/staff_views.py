"""Staff pages: keep the glossary and the help times current (role editor)."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from portal import toolkit
from portal.toolkit import _

from .forms import GlossaryTermForm, help_time_form
from .glossary import (
    audit_shipped,
    load_shipped_glossary,
    refresh_search_text,
    same_term,
    search_terms,
    set_translation,
    shipped_gaps,
    unique_slug,
)
from .languages import language_list, name_in_page_language
from .models import GlossaryTerm, HelpTime
from .schedule import upcoming_help_times
from .views import search_query

bp = toolkit.staff_blueprint("interpreters", __name__, role="editor")


@bp.context_processor
def _page_helpers():
    return {"language_in_page": name_in_page_language, "language_list": language_list}


# --- Glossary -------------------------------------------------------------------------------------

def term_snapshot(term: GlossaryTerm) -> dict:
    """Return a term's texts for the audit log."""
    return {"lang": term.lang, "term": term.term, "explanation": term.explanation,
            "translations": {t.lang: [t.term, t.explanation] for t in term.translations}}


def _term_values(term: GlossaryTerm) -> dict:
    """Return the form's values: the term in the source language, the other languages as its translations."""
    versions = term.stored_versions()
    term_text, explanation = versions.pop(toolkit.source_language(), ("", ""))
    return {"term": term_text, "explanation": explanation, "version": term.version,
            "terms": {code: version[0] for code, version in versions.items()},
            "explanations": {code: version[1] for code, version in versions.items()}}


def _apply_term(form, term: GlossaryTerm) -> None:
    source = toolkit.source_language()
    if term.lang and term.lang != source:
        # Saved before the office changed its source language: the term's own words become a translation, and
        # the source language's translation, if any, the term's own.
        set_translation(term, term.lang, term.term, term.explanation)
        term.translations[:] = [translation for translation in term.translations if translation.lang != source]
    term.lang, term.term, term.explanation = source, form.term.data, form.explanation.data
    for code in form.terms.codes:
        set_translation(term, code, form.terms.data.get(code, ""), form.explanations.data.get(code, ""))
    refresh_search_text(term)


def _already_there(form, term: GlossaryTerm | None) -> bool:
    """Mark the term's field when another term has the same words: one entry per term, its translations together."""
    other = same_term(toolkit.session(), form.term.data, term.id if term else None)
    if other is not None:
        form.term.errors.append(_("Den Begriff „%(term)s“ gibt es schon. Bitte ergänzen Sie ihn dort.",
                                  term=other.term))
    return other is not None


def _term_saved(term: GlossaryTerm, status: int = 302):
    """Say on the glossary's page that the term is saved."""
    flash(_("Der Begriff „%(term)s“ ist gespeichert.", term=term.term), "success")
    return redirect(url_for(".glossary"), status)


def _render_term_form(form, term: GlossaryTerm | None, status: int, stored: list | None = None):
    return render_template("interpreters/staff/term_form.html", form=form, term=term, conflict=stored is not None,
                           stored=stored), status


def _term_conflict(form, term: GlossaryTerm):
    """Show the stored term above the editor's input; saving again knowingly replaces it."""
    form.version.data = term.version
    versions = term.versions()
    fields = [(toolkit.source_language(), form.term, form.explanation),
              *((code, form.terms[code], form.explanations[code]) for code in form.terms.codes)]
    stored = []
    for code, term_field, explanation_field in fields:
        if code in versions:
            text, explanation = versions[code]
            stored += [(term_field.label.text, text, code), (explanation_field.label.text, explanation, code)]
    return _render_term_form(form, term, 409, stored)


@bp.route("/glossary")
def glossary():
    query = search_query()
    session = toolkit.session()
    languages = toolkit.languages_besides_source()
    return render_template("interpreters/staff/glossary.html", terms=search_terms(session, query), query=query,
                           languages=languages, gaps=shipped_gaps(session))


@bp.route("/glossary/new", methods=["GET", "POST"])
def new_term():
    form = GlossaryTermForm()
    if not form.validate_on_submit():
        return _render_term_form(form, None, 422 if form.errors else 200)
    session = toolkit.session()
    # A colleague may save between this page's checks and its write (only on PostgreSQL: on SQLite the claim takes
    # the write lock before the checks): the same term, or other words with the same address (Ämter, Aemter). The
    # second try reads what they saved, and refuses the same term or takes the next free address.
    for last_try in (False, True):
        # Claimed before the check for the same term: a second sending of this page would find its own term there.
        earlier = toolkit.claim_sending(form)
        if earlier is not None:
            return toolkit.answer_with_stored(GlossaryTerm, int(earlier), partial(_term_saved, status=303),
                                              url_for(".new_term"), form.term.data)
        if _already_there(form, None):
            return _render_term_form(form, None, 422)
        term = GlossaryTerm(slug=unique_slug(session, form.term.data))
        _apply_term(form, term)
        session.add(term)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            if last_try:
                raise
            continue
        toolkit.audit("create", "interpreters_glossary_term", term.id, after=term_snapshot(term))
        toolkit.keep_answer(form, str(term.id))
        session.commit()
        return _term_saved(term)


@bp.route("/glossary/<int:term_id>", methods=["GET", "POST"])
def edit_term(term_id: int):
    session = toolkit.session()
    term = session.get(GlossaryTerm, term_id)
    if term is None:
        return toolkit.deleted_meanwhile(url_for(".new_term"), GlossaryTermForm().term.data)
    form = GlossaryTermForm(data=_term_values(term)) if request.method == "GET" else GlossaryTermForm()
    if not form.validate_on_submit() or _already_there(form, term):
        return _render_term_form(form, term, 422 if form.errors else 200)
    before = term_snapshot(term)
    saved = toolkit.save_if_current(term, form.version.data, lambda: _apply_term(form, term))
    # Claimed after the save: a second sending of this page finds the version it saved from gone, and its claim
    # tells it apart from a colleague's save; a claim made on the way to a conflict is not committed.
    if toolkit.claim_sending(form) is not None:
        return toolkit.answer_with_stored(GlossaryTerm, term_id, partial(_term_saved, status=303), url_for(".new_term"),
                                          form.term.data)
    if not saved:
        return toolkit.answer_with_stored(GlossaryTerm, term_id, partial(_term_conflict, form), url_for(".new_term"),
                                          form.term.data)
    toolkit.audit("update", "interpreters_glossary_term", term.id, before=before, after=term_snapshot(term))
    session.commit()
    return _term_saved(term)


@bp.route("/glossary/<int:term_id>/delete", methods=["GET", "POST"])
def delete_term(term_id: int):
    def deleted(term: str) -> str:
        return _("Der Begriff „%(term)s“ ist gelöscht.", term=term)

    listed_at = url_for(".glossary")
    if request.method == "GET":
        term = toolkit.session().get(GlossaryTerm, term_id)
        if term is None:  # Back after the delete, or a list out of date
            return toolkit.deleted_already("interpreters_glossary_term", term_id, deleted=deleted,
                                           listed_at=listed_at)
        # A term goes with all its translations: asked once more on a page of its own.
        return render_template("interpreters/staff/delete_term.html", term=term, form=toolkit.DeleteForm(obj=term))

    def delete(term: GlossaryTerm) -> str:
        toolkit.audit("delete", "interpreters_glossary_term", term.id, before=term_snapshot(term), summary=term.term)
        toolkit.session().delete(term)
        return term.term

    def changed():
        flash(_("Der Begriff wurde inzwischen geändert. Bitte prüfen Sie ihn, bevor Sie ihn löschen."), "error")
        return redirect(url_for(".edit_term", term_id=term_id))

    return toolkit.delete_if_current(GlossaryTerm, term_id, delete, audited_as="interpreters_glossary_term",
                                     deleted=deleted, listed_at=listed_at, changed=changed)


@bp.route("/glossary/shipped", methods=["POST"])
def load_shipped():
    session = toolkit.session()
    added = load_shipped_glossary(session)
    audit_shipped(added)
    session.commit()
    if added.terms or not added.versions:
        flash(toolkit.ngettext("%(num)d mitgelieferter Begriff wurde ergänzt.",
                               "%(num)d mitgelieferte Begriffe wurden ergänzt.", len(added.terms)), "success")
    if added.versions:
        flash(toolkit.ngettext("%(num)d mitgelieferte Übersetzung wurde ergänzt.",
                               "%(num)d mitgelieferte Übersetzungen wurden ergänzt.", added.version_count), "success")
    return redirect(url_for(".glossary"))


# --- Help times -----------------------------------------------------------------------------------

def help_time_snapshot(entry: HelpTime) -> dict:
    """Return a help time's values for the audit log."""
    return {"day": entry.day.isoformat(), "starts_at": entry.starts_at.strftime("%H:%M"),
            "ends_at": entry.ends_at.strftime("%H:%M"), "languages": entry.languages,
            "other_languages": entry.other_languages, "by_phone": entry.by_phone, "place": entry.place}


def _help_time_name(day, starts_at, ends_at) -> str:
    """Name a help time by its day and hours, in digits that read alike in every language."""
    return f"{day.isoformat()} {starts_at:%H:%M}–{ends_at:%H:%M}"


def _typed_help_time(form) -> str | None:
    """Name the help time a sent form is about by the day and hours typed: what names one deleted meanwhile."""
    times = (form.day.data, form.starts_at.data, form.ends_at.data)
    return _help_time_name(*times) if all(times) else None


def _help_time_values(entry: HelpTime) -> dict:
    return {"day": entry.day, "starts_at": entry.starts_at, "ends_at": entry.ends_at,
            "languages": entry.language_codes, "other_languages": entry.other_languages, "by_phone": entry.by_phone,
            "place": entry.place, "version": entry.version}


def _apply_help_time(form, entry: HelpTime) -> None:
    entry.day, entry.starts_at, entry.ends_at = form.day.data, form.starts_at.data, form.ends_at.data
    entry.languages = " ".join(form.languages.data)
    entry.other_languages = form.other_languages.data or ""
    entry.by_phone = form.by_phone.data
    entry.place = form.place.data


def _help_time_saved(_entry: HelpTime, status: int = 302):
    """Say on the list of help times that the help time is saved."""
    flash(_("Die Zeit der Sprachhilfe ist gespeichert."), "success")
    return redirect(url_for(".help_times"), status)


def _render_help_time_form(form, entry: HelpTime | None, status: int, conflict: bool = False):
    settings = toolkit.plugin_settings("interpreters")
    # Not from the edit form sent (a conflict's page): the delete button carries the version stored now.
    return render_template("interpreters/staff/help_time_form.html", form=form, entry=entry, conflict=conflict,
                           delete_form=toolkit.DeleteForm(formdata=None, obj=entry) if entry else None,
                           phone_help_from=f"{settings['phone_help_from']:%H:%M}",
                           phone_help_until=f"{settings['phone_help_until']:%H:%M}"), status


def _help_time_conflict(form, entry: HelpTime):
    """Show the stored help time above the editor's input; saving again knowingly replaces it."""
    form.version.data = entry.version
    return _render_help_time_form(form, entry, 409, conflict=True)


@bp.route("/help-times")
def help_times():
    entries = upcoming_help_times(toolkit.session(), toolkit.utcnow())
    return render_template("interpreters/staff/help_times.html", entries=entries)


@bp.route("/help-times/new", methods=["GET", "POST"])
def new_help_time():
    form = help_time_form()
    if not form.validate_on_submit():
        return _render_help_time_form(form, None, 422 if form.errors else 200)
    earlier = toolkit.claim_sending(form)
    if earlier is not None:
        return toolkit.answer_with_stored(HelpTime, int(earlier), partial(_help_time_saved, status=303),
                                          url_for(".new_help_time"), _typed_help_time(form))
    session = toolkit.session()
    entry = HelpTime()
    _apply_help_time(form, entry)
    session.add(entry)
    session.flush()
    toolkit.audit("create", "interpreters_help_time", entry.id, after=help_time_snapshot(entry))
    toolkit.keep_answer(form, str(entry.id))
    session.commit()
    return _help_time_saved(entry)


@bp.route("/help-times/<int:entry_id>", methods=["GET", "POST"])
def edit_help_time(entry_id: int):
    session = toolkit.session()
    entry = session.get(HelpTime, entry_id)
    if entry is None:
        return toolkit.deleted_meanwhile(url_for(".new_help_time"), _typed_help_time(help_time_form()))
    form = help_time_form(data=_help_time_values(entry)) if request.method == "GET" else help_time_form()
    if not form.validate_on_submit():
        return _render_help_time_form(form, entry, 422 if form.errors else 200)
    before = help_time_snapshot(entry)
    saved = toolkit.save_if_current(entry, form.version.data, lambda: _apply_help_time(form, entry))
    # Claimed after the save, as a term's edit is.
    if toolkit.claim_sending(form) is not None:
        return toolkit.answer_with_stored(HelpTime, entry_id, partial(_help_time_saved, status=303),
                                          url_for(".new_help_time"), _typed_help_time(form))
    if not saved:
        return toolkit.answer_with_stored(HelpTime, entry_id, partial(_help_time_conflict, form),
                                          url_for(".new_help_time"), _typed_help_time(form))
    toolkit.audit("update", "interpreters_help_time", entry.id, before=before, after=help_time_snapshot(entry))
    session.commit()
    return _help_time_saved(entry)


@bp.route("/help-times/<int:entry_id>/delete", methods=["POST"])
def delete_help_time(entry_id: int):
    def delete(entry: HelpTime) -> str:
        name = _help_time_name(entry.day, entry.starts_at, entry.ends_at)
        toolkit.audit("delete", "interpreters_help_time", entry.id, before=help_time_snapshot(entry), summary=name)
        toolkit.session().delete(entry)
        return name

    def changed():
        flash(_("Die Zeit wurde inzwischen geändert. Bitte prüfen Sie sie, bevor Sie sie löschen."), "error")
        return redirect(url_for(".edit_help_time", entry_id=entry_id))

    return toolkit.delete_if_current(HelpTime, entry_id, delete, audited_as="interpreters_help_time",
                                     deleted=lambda _name: _("Die Zeit der Sprachhilfe ist gelöscht."),
                                     listed_at=url_for(".help_times"), changed=changed)
