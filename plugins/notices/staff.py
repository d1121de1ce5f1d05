"""Staff pages: write, preview, schedule, publish, withdraw and delete notices; see which languages exist."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from sqlalchemy import select

from portal import toolkit

from .forms import NoticeForm
from .models import CATEGORIES, PRIORITIES, Notice, NoticeText

bp = toolkit.staff_blueprint("notices", __name__, role="editor")


def _to_utc(local: datetime | None) -> datetime | None:
    """Read a time entered in the office's time zone."""
    return local.replace(tzinfo=toolkit.office_zone()).astimezone(UTC) if local else None


def _to_local(moment: datetime | None) -> datetime | None:
    """Show a stored time as the office's wall-clock time, for the form."""
    return toolkit.office_now(moment).replace(tzinfo=None) if moment else None


def _kept_or_entered(stored: datetime | None, entered: datetime | None) -> datetime | None:
    """Return the entered time, or the stored one when the form showed it unchanged (it shows no seconds)."""
    if stored is not None and entered == _to_local(stored).replace(second=0, microsecond=0):
        return stored
    return _to_utc(entered)


def _source_title(notice: Notice) -> str:
    """Return the notice's title as staff wrote it: in the source language, else in another one it has."""
    title = toolkit.pick_translation({lang: text.title for lang, text in notice.text_by_language().items()},
                                     toolkit.source_language())
    return title.value if title else ""


def snapshot(notice: Notice) -> dict:
    """Describe a notice for the audit log."""
    return {
        "category": notice.category,
        "priority": notice.priority,
        "state": notice.state,
        "starts_at": notice.starts_at.isoformat() if notice.starts_at else None,
        "ends_at": notice.ends_at.isoformat() if notice.ends_at else None,
        "texts": {text.lang: {"title": text.title, "body": text.body} for text in notice.texts},
    }


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only what changed, so the audit log shows the edit rather than the whole notice."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def status_label(notice: Notice, now: datetime) -> str:
    """Say in a word or two where a notice stands for visitors."""
    if notice.state == "draft":
        return toolkit._("Entwurf")
    if notice.starts_at > now:
        return toolkit._("Geplant")
    if notice.ends_at is not None and notice.ends_at <= now:
        return toolkit._("Abgelaufen")
    return toolkit._("Veröffentlicht")


@bp.app_context_processor
def _staff_helpers():
    return {"notices_status": status_label}


def _apply(form: NoticeForm, notice: Notice) -> None:
    """Copy the form's values onto the notice, adding, changing and removing language texts."""
    notice.category = form.category.data
    notice.priority = form.priority.data
    notice.starts_at = _kept_or_entered(notice.starts_at, form.starts_at.data)
    notice.ends_at = _kept_or_entered(notice.ends_at, form.ends_at.data)
    wanted = form.texts()
    existing = notice.text_by_language()
    for lang, text in existing.items():
        if lang not in wanted:
            notice.texts.remove(text)
    source = wanted.get(toolkit.source_language())
    fingerprint = toolkit.source_fingerprint(source["title"], source["body"]) if source else None
    stamps = toolkit.stamp_translations(
        {lang: (text.title, text.body) for lang, text in existing.items()},
        {lang: (values["title"], values["body"]) for lang, values in wanted.items()},
        {lang: text.written_for for lang, text in existing.items()}, fingerprint, form.translations_still_fit.data)
    for lang, values in wanted.items():
        text = existing.get(lang)
        if text is None:
            text = NoticeText(lang=lang, **values)
            notice.texts.append(text)
        else:
            text.title, text.body = values["title"], values["body"]
        text.written_for = stamps[lang]


def _fill(form: NoticeForm, notice: Notice) -> None:
    form.category.data = notice.category
    form.priority.data = notice.priority
    form.starts_at.data = _to_local(notice.starts_at)
    form.ends_at.data = _to_local(notice.ends_at)
    form.version.data = notice.version
    for code, text in notice.text_by_language().items():
        if code in form.languages:
            form.titles[code].data, form.bodies[code].data = text.title, text.body


def _typed_title(form: NoticeForm) -> str | None:
    """Return the title the form was sent with, in the language it requires: what names a notice deleted meanwhile."""
    return form.titles[form.required_language].data


def _previews(form: NoticeForm) -> list[dict]:
    return [{"lang": lang, **values} for lang, values in form.texts().items()]


def _render_form(form: NoticeForm, notice: Notice | None, *, status: int = 200, previews=None, conflict=None):
    return render_template("notices/staff/form.html", form=form, notice=notice, previews=previews,
                           conflict=conflict, categories=CATEGORIES, priorities=PRIORITIES,
                           now=toolkit.utcnow()), status


def _state_after(action: str, current: str) -> str:
    return {"publish": "published", "unpublish": "draft"}.get(action, current)


def _saved_message(notice: Notice, action: str) -> str:
    if action == "unpublish":
        return toolkit._("Die Mitteilung ist zurückgezogen und für Besucher nicht mehr sichtbar.")
    if notice.state == "published" and notice.starts_at > toolkit.utcnow():
        return toolkit._("Die Mitteilung ist geplant und erscheint am %(date)s.",
                         date=format_datetime(notice.starts_at, "short"))
    if action == "publish":
        return toolkit._("Die Mitteilung ist veröffentlicht.")
    return toolkit._("Die Mitteilung ist gespeichert.")


def _saved(notice: Notice, status: int = 302, *, action: str):
    """Answer a notice's saved form, or its page sent again (303), with its edit page and what became of it."""
    flash(_saved_message(notice, action), "success")
    return redirect(url_for("notices_staff.edit", notice_id=notice.id), status)


@bp.route("/")
def index():
    notices = toolkit.session().scalars(select(Notice).order_by(Notice.starts_at.desc(), Notice.id.desc())).all()
    return render_template("notices/staff/list.html", notices=notices, now=toolkit.utcnow(),
                           languages=toolkit.enabled_languages())


@bp.route("/languages")
def coverage():
    notices = toolkit.session().scalars(select(Notice).order_by(Notice.starts_at.desc(), Notice.id.desc())).all()
    return render_template("notices/staff/coverage.html", notices=notices, now=toolkit.utcnow(),
                           languages=toolkit.enabled_languages())


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = NoticeForm()
    if request.method == "GET":
        form.starts_at.data = _to_local(toolkit.utcnow()).replace(second=0, microsecond=0)
        return _render_form(form, None)
    action = request.form.get("action", "save")
    if not form.validate_on_submit():
        return _render_form(form, None, status=422)
    if action == "preview":
        return _render_form(form, None, previews=_previews(form))
    earlier = toolkit.claim_sending(form)
    if earlier is not None:
        return toolkit.answer_with_stored(Notice, int(earlier), partial(_saved, status=303, action=action),
                                          url_for("notices_staff.create"), _typed_title(form))
    notice = Notice(state=_state_after(action, "draft"))
    _apply(form, notice)
    session = toolkit.session()
    session.add(notice)
    session.flush()
    toolkit.audit("create", "notices_notice", notice.id, after=snapshot(notice))
    toolkit.keep_answer(form, str(notice.id))
    session.commit()
    return _saved(notice, action=action)


@bp.route("/<int:notice_id>", methods=["GET", "POST"])
def edit(notice_id: int):
    session = toolkit.session()
    notice = session.get(Notice, notice_id)
    form = NoticeForm()
    if notice is None:
        return toolkit.deleted_meanwhile(url_for("notices_staff.create"), _typed_title(form))
    if request.method == "GET":
        _fill(form, notice)
        return _render_form(form, notice)
    action = request.form.get("action", "save")
    if not form.validate_on_submit():
        return _render_form(form, notice, status=422)
    if action == "preview":
        return _render_form(form, notice, previews=_previews(form))
    before = snapshot(notice)

    def change():
        notice.state = _state_after(action, notice.state)
        _apply(form, notice)

    saved = toolkit.save_if_current(notice, form.version.data, change)
    # Claimed after the save: a second sending of this page finds the version it saved from gone, and its claim
    # tells it apart from a colleague's save; a claim made on the way to a conflict is not committed.
    if toolkit.claim_sending(form) is not None:
        return toolkit.answer_with_stored(Notice, notice_id, partial(_saved, status=303, action=action),
                                          url_for("notices_staff.create"), _typed_title(form))
    if not saved:
        return toolkit.answer_with_stored(Notice, notice_id, partial(_conflict, form), url_for("notices_staff.create"),
                                          _typed_title(form))
    old, new = _changes(before, snapshot(notice))
    if old or new:  # a save that changed nothing leaves no entry
        toolkit.audit(action if action in {"publish", "unpublish"} else "update", "notices_notice", notice.id,
                      before=old, after=new)
    session.commit()
    return _saved(notice, action=action)


def _conflict(form: NoticeForm, notice: Notice):
    """Show the newer saved notice above the editor's own input, which stays in the form."""
    form.version.data = notice.version
    return _render_form(form, notice, status=409, conflict=notice)


@bp.route("/<int:notice_id>/delete", methods=["GET", "POST"])
def delete(notice_id: int):
    def deleted(_title: str) -> str:
        return toolkit._("Die Mitteilung ist gelöscht.")

    listed_at = url_for("notices_staff.index")
    if request.method == "GET":
        notice = toolkit.session().get(Notice, notice_id)
        if notice is None:  # Back after the delete, or a list out of date
            return toolkit.deleted_already("notices_notice", notice_id, deleted=deleted, listed_at=listed_at)
        return render_template("notices/staff/delete.html", notice=notice, form=toolkit.DeleteForm(obj=notice))

    def delete_notice(notice: Notice) -> str:
        title = _source_title(notice)
        toolkit.audit("delete", "notices_notice", notice.id, before=snapshot(notice), summary=title)
        toolkit.session().delete(notice)
        return title

    def changed():
        flash(toolkit._("Die Mitteilung wurde inzwischen geändert. Bitte prüfen Sie sie, bevor Sie sie löschen."),
              "error")
        return redirect(url_for("notices_staff.edit", notice_id=notice_id))

    return toolkit.delete_if_current(Notice, notice_id, delete_notice, audited_as="notices_notice",
                                     deleted=deleted, listed_at=listed_at, changed=changed)
