"""Staff inbox: filter emergency requests, read them and mark them in progress or done."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import toolkit
from portal.toolkit import _

from .forms import InboxFilterForm, StateForm
from .labels import category_choices, category_label, delivery_label, readable_address, reply_language, state_label
from .models import STATES, EmergencyRequest

bp = toolkit.staff_blueprint("emergency", __name__, role="caseworker")
PAGE_SIZE = 50
OPEN = "open"


@bp.app_context_processor
def _labels():
    return {"emergency_category_label": category_label, "emergency_state_label": state_label,
            "emergency_delivery_label": delivery_label, "emergency_reply_language": reply_language,
            "emergency_readable_address": readable_address}


@bp.route("/")
def inbox():
    form = InboxFilterForm(request.args)
    form.category.choices = toolkit.as_choices([("", _("Alle"))] + category_choices())
    form.state.choices = toolkit.as_choices([(OPEN, _("Offen (neu oder in Bearbeitung)")), ("", _("Alle"))] +
                                            [(state, state_label(state)) for state in STATES])
    # Without a choice, show what still needs work.
    form.category.data = form.category.data or ""
    form.state.data = OPEN if form.state.data is None else form.state.data
    query = select(EmergencyRequest).options(selectinload(EmergencyRequest.mail))
    if form.validate():
        if form.category.data:
            query = query.where(EmergencyRequest.category == form.category.data)
        if form.state.data == OPEN:
            query = query.where(EmergencyRequest.state != "done")
        elif form.state.data:
            query = query.where(EmergencyRequest.state == form.state.data)
    total = toolkit.session().scalar(select(func.count()).select_from(query.subquery()))
    page = toolkit.paginate(query.order_by(EmergencyRequest.created_at.desc(), EmergencyRequest.id.desc()), PAGE_SIZE,
                            keep={"category": form.category.data, "state": form.state.data})
    return render_template("emergency/staff/inbox.html", form=form, page=page, total=total)


def _state_form(item: EmergencyRequest) -> StateForm:
    """Return the state buttons' form carrying the stored version, never the one just posted."""
    return StateForm(formdata=None, version=item.version)


@bp.route("/requests/<int:request_id>", methods=["GET", "POST"])
def detail(request_id: int):
    db = toolkit.session()
    found = db.get(EmergencyRequest, request_id)
    if found is None:
        abort(404)
    if request.method == "GET":
        return render_template("emergency/staff/detail.html", item=found, form=_state_form(found))
    form = StateForm()
    if not form.validate() or form.state.data not in STATES:
        abort(400)
    before = found.state

    def change():
        found.state = form.state.data
        toolkit.audit("state", "emergency_request", found.id, before={"state": before},
                      after={"state": found.state}, summary=found.confirmation)

    if not toolkit.save_if_current(found, form.version.data, change):
        # The page shows what a colleague stored; the buttons now carry that version.
        return render_template("emergency/staff/detail.html", item=found, form=_state_form(found),
                               conflict=True), 409
    db.commit()
    flash(_("Anfrage %(number)s: %(state)s.", number=found.confirmation, state=state_label(found.state)), "success")
    return redirect(url_for(".detail", request_id=found.id))
