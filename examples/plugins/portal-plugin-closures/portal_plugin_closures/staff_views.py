"""Staff pages: list the closures, add one, change one; every change is a versioned save and audited."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from portal import toolkit
from portal.toolkit import _

from .forms import ClosureForm
from .models import Closure

staff = toolkit.staff_blueprint("closures", __name__, role="editor")

PER_PAGE = 25


def snapshot(closure: Closure) -> dict:
    """Return a closure's fields as plain values for the audit log."""
    return {"starts_on": closure.starts_on.isoformat(), "ends_on": closure.ends_on.isoformat(),
            "reason": dict(closure.reason)}


@staff.route("/")
def index():
    page = toolkit.paginate(select(Closure).order_by(Closure.starts_on.desc(), Closure.id.desc()), PER_PAGE)
    return render_template("closures/staff/index.html", page=page)


def _checked_values(form: ClosureForm) -> dict | None:
    """Return the closure's new values, or None after adding the errors only the whole form can tell."""
    source = toolkit.source_language()
    valid = True
    if form.ends_on.data < form.starts_on.data:
        form.ends_on.errors.append(_("Der letzte Tag darf nicht vor dem ersten liegen."))
        valid = False
    if source not in form.reason.data:
        form.reason[source].errors.append(_("Bitte geben Sie den Grund in dieser Sprache an."))
        valid = False
    if not valid:
        return None
    return {"starts_on": form.starts_on.data, "ends_on": form.ends_on.data, "reason": form.reason.data}


@staff.route("/new", methods=["GET", "POST"])
@staff.route("/<int:closure_id>/edit", methods=["GET", "POST"])
def edit(closure_id: int | None = None):
    session = toolkit.session()
    closure = None
    if closure_id is not None:
        closure = session.get(Closure, closure_id) or abort(404)
    if request.method == "GET" and closure is not None:
        form = ClosureForm(data={"version": closure.version, "starts_on": closure.starts_on,
                                 "ends_on": closure.ends_on, "reason": closure.reason})
    else:
        form = ClosureForm()
    conflict = None
    values = _checked_values(form) if form.validate_on_submit() else None
    if values is not None:
        account = toolkit.current_staff().email
        if closure is None:
            # A second sending of this page waits here for the first, then answers as it did instead of adding a
            # second closure; the claim is committed with the closure.
            if toolkit.claim_sending(form) is not None:
                return _saved(303)
            closure = Closure(**values, updated_by=account)
            session.add(closure)
            session.flush()
            toolkit.audit("create", "closures_closure", closure.id, after=snapshot(closure))
            session.commit()
            return _saved()
        before = snapshot(closure)

        def change():
            for key, value in values.items():
                setattr(closure, key, value)
            closure.updated_by, closure.updated_at = account, toolkit.utcnow()

        saved = toolkit.save_if_current(closure, form.version.data, change)
        # Claimed after the save: a second sending of this page finds the version it was opened with gone, and its
        # claim tells it apart from a colleague's save (a claim on the way to a conflict is not committed).
        if toolkit.claim_sending(form) is not None:
            return _saved(303)
        if saved:
            toolkit.audit("update", "closures_closure", closure.id, before=before, after=snapshot(closure))
            session.commit()
            return _saved()
        # A colleague saved first: show what is stored now above the form, which keeps this editor's input.
        conflict = session.get(Closure, closure.id)
        form.version.data = conflict.version
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render_template("closures/staff/edit.html", form=form, closure=closure, conflict=conflict), status


def _saved(status: int = 302):
    """Answer a saved form, or its page sent again (303), with the list of closures."""
    flash(_("Der Schließtag ist gespeichert."), "success")
    return redirect(url_for(".index"), status)
