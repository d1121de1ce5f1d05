"""Deletes from staff pages: by version, once however often a page is sent, said plainly when someone was first.

A double tap, or back and send again, sends a delete twice; a colleague may have deleted the record meanwhile.
Neither is an error: the record is gone, as the person wanted. A second sending of the page is answered as its
first one was (the list, the same message; ``claim_sending``); a record someone else deleted brings the person to
the list too, told so, and the record named as the colleague's audit entry names it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from .content import mark_source_names
from .db import session
from .i18n import current_language
from .staff.auth import current_staff
from .staff.models import AuditEntry
from .submissions import SendingKeyField, claim_sending, keep_answer
from .versioning import VersionForm, save_if_current


class DeleteForm(VersionForm):
    """The form of a button that deletes a record: the version the person saw, and the key of its page."""

    sending_key = SendingKeyField()


def delete_if_current(model: type, record_id: int, delete: Callable[[Any], str], *, audited_as: str,
                      deleted: Callable[[str], str], listed_at: str,
                      changed: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    """Delete a record as its page's DeleteForm asks, once however often the page is sent; answer with listed_at.

    ``delete(record)`` deletes it, records ``audit("delete", audited_as, id, ..., summary=name)`` and returns the
    name; ``deleted(name)`` is the message of its success. A record someone saved since the page was loaded is
    answered with ``changed()``, and kept.
    """
    form = DeleteForm()
    db = session()
    record = db.get(model, record_id)
    names: list[str] = []
    done = record is not None and save_if_current(record, form.version.data, lambda: names.append(delete(record)))
    # Claimed after the delete, as an edit claims after its save: a second sending of the page finds the record
    # gone (or its delete waited for the first one's and wrote nothing), and its claim tells it apart from a
    # colleague's delete.
    earlier_name = claim_sending(form)
    if earlier_name is not None:
        return _to_list(deleted(earlier_name), "success", listed_at, 303)
    if done:
        keep_answer(form, names[0])
        db.commit()
        return _to_list(deleted(names[0]), "success", listed_at)
    # The claim of a sending that deleted nothing is not kept: sent again, it is answered the same.
    db.rollback()
    if db.get(model, record_id) is not None:
        return changed()
    return deleted_already(audited_as, record_id, deleted=deleted, listed_at=listed_at)


def deleted_already(audited_as: str, record_id: int, *, deleted: Callable[[str], str],
                    listed_at: str) -> ResponseReturnValue:
    """Answer the question page of a record already deleted (Back after the delete, a list out of date): the list.

    The person who deleted it is told it is deleted (``deleted(name)``), anyone else who did. A page asked for a
    record the log never saw deleted (an address typed wrong, an entry purged) is not found.
    """
    entry = _delete_entry(audited_as, record_id)
    if entry is None and request.method == "GET":
        abort(404)
    account = current_staff()
    if entry is not None and account is not None and entry.actor == account.email:
        return _to_list(deleted(entry.summary), "success", listed_at, 303)
    return _to_list(_deleted_by_someone_else(entry), "info", listed_at, 303)


def _delete_entry(audited_as: str, record_id: int) -> AuditEntry | None:
    """Return the audit entry of the record's delete, or None when the log keeps none."""
    return session().scalar(select(AuditEntry).where(
        AuditEntry.target_type == audited_as, AuditEntry.target_id == str(record_id), AuditEntry.action == "delete",
    ).order_by(AuditEntry.at.desc()).limit(1))


def _deleted_by_someone_else(entry: AuditEntry | None):
    """Say that someone else deleted the record, named as their audit entry names it."""
    if entry is None or not entry.summary:
        return _("Den Eintrag, den Sie löschen wollten, hat inzwischen jemand anderes gelöscht.")
    return mark_source_names(_("Den Eintrag „%(name)s“ hat inzwischen jemand anderes gelöscht.", name=entry.summary),
                             current_language(), entry.summary)


def _to_list(message: str, category: str, listed_at: str, status: int = 302):
    flash(message, category)
    return redirect(listed_at, status)
