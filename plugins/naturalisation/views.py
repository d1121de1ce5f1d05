"""Public pages: clients look up their handover appointment."""

from __future__ import annotations

from datetime import date

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import toolkit

from .forms import LookupForm
from .models import BIRTH_KEY_PURPOSE, HandoverAppointment, HandoverCase, HandoverPerson
from .planning import current_settings, handover_location

bp = toolkit.public_blueprint("naturalisation", __name__)

SERVICE = "naturalisation-certificate-handover"


# Failed lookups per case, from any address; read when used, so that the setting applies.
CASE_LIMIT = toolkit.ReferenceLimit(
    "naturalisation", lambda: toolkit.plugin_settings("naturalisation")["failed_lookups_per_case"])


def find_case(reference: str, born: date) -> HandoverCase | None:
    """Return the case with this reference (separators forgiven) when one of its persons was born on that date.

    Any person's date of birth opens the case: they are invited by one letter
    (docs/naturalisation.md says why). Each stored hash is compared in constant time.
    """
    case = toolkit.session().scalars(
        select(HandoverCase).where(toolkit.reference_key_expression(HandoverCase.reference)
                                   == toolkit.reference_key(reference))
        .options(selectinload(HandoverCase.persons).selectinload(HandoverPerson.appointments)).limit(1)).first()
    stored = [person.birth_key for person in case.persons] if case is not None else [None]
    matches = [toolkit.keyed_hash_matches(key, BIRTH_KEY_PURPOSE, toolkit.reference_key(reference), born.isoformat())
               for key in stored]
    return case if any(matches) else None


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
@toolkit.limiter.limit(toolkit.client_limit("10 per minute; 60 per hour"), methods=["POST"])
def lookup():
    form = LookupForm()
    status, searched = None, False
    if form.is_submitted():
        if not form.validate():
            return render_template("naturalisation/lookup.html", form=form, status=None, searched=False), 422
        searched = True
        case = CASE_LIMIT.lookup(form.reference.data, lambda: find_case(form.reference.data, form.birth_date.data))
        status = case_status(case) if case else None
    return render_template("naturalisation/lookup.html", form=form, status=status, searched=searched,
                           service=SERVICE, location=handover_location(current_settings()))
