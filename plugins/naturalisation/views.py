"""Public pages: clients look up their handover appointment."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import toolkit

from .forms import LookupForm
from .models import HandoverAppointment, HandoverCase, HandoverPerson
from .planning import current_settings, handover_location

bp = toolkit.public_blueprint("naturalisation", __name__)

SERVICE = "naturalisation-certificate-handover"


def find_case(reference: str, date_of_birth) -> HandoverCase | None:
    """Return the case with this reference that has a person born on that date, else None."""
    return toolkit.session().scalars(
        select(HandoverCase).join(HandoverCase.persons)
        .where(HandoverCase.reference == reference, HandoverPerson.date_of_birth == date_of_birth)
        .options(selectinload(HandoverCase.persons).selectinload(HandoverPerson.appointments)).limit(1)).first()


def case_status(case: HandoverCase) -> dict:
    """Return what a client may see of a case: its upcoming appointments and whether all is handed over."""
    upcoming: dict[int, HandoverAppointment] = {}
    for person in case.persons:
        for appointment in person.appointments:
            if appointment.state == "planned" and appointment.day >= toolkit.office_today():
                upcoming[appointment.id] = appointment
    appointments = sorted(upcoming.values(), key=lambda a: (a.day, a.starts_at))
    return {"appointments": appointments, "all_done": all(p.state == "done" for p in case.persons)}


@bp.route("/", methods=["GET", "POST"])
@toolkit.limiter.limit("10 per minute; 60 per hour", methods=["POST"])
def lookup():
    form = LookupForm()
    status, searched = None, False
    if form.is_submitted():
        if not form.validate():
            return render_template("naturalisation/lookup.html", form=form, status=None, searched=False), 422
        searched = True
        case = find_case(form.reference.data, form.date_of_birth.data)
        status = case_status(case) if case else None
    return render_template("naturalisation/lookup.html", form=form, status=status, searched=searched,
                           service=SERVICE, location=handover_location(current_settings()))
