"""Public pages: clients look up their handover appointment."""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import toolkit
from portal.toolkit import _

from .forms import LookupForm
from .models import BIRTH_KEY_PURPOSE, HandoverAppointment, HandoverCase, HandoverPerson
from .planning import current_settings, handover_location

bp = toolkit.public_blueprint("naturalisation", __name__)

SERVICE = "naturalisation-certificate-handover"
# The answer's own address carries the case's number, signed, never the reference or a date of birth.
RESULT_TOKENS = toolkit.SignedTokens("naturalisation-result")
# A case with everything the result shows, in one query per level.
_PERSONS_AND_APPOINTMENTS = selectinload(HandoverCase.persons).selectinload(HandoverPerson.appointments)

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
        .options(_PERSONS_AND_APPOINTMENTS).limit(1)).first()
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
    if not form.is_submitted():
        return render_template("naturalisation/lookup.html", form=form, not_found=False)
    if not form.validate():
        return render_template("naturalisation/lookup.html", form=form, not_found=False), 422
    case = CASE_LIMIT.lookup(form.reference.data, lambda: find_case(form.reference.data, form.birth_date.data))
    if case is None:
        return render_template("naturalisation/lookup.html", form=form, not_found=True)
    # The answer has an address of its own: Back, reloading and the language switch keep it.
    return redirect(url_for(".result", token=RESULT_TOKENS.dumps(case.id)), 303)


@bp.route("/result/<token>")
def result(token: str):
    case_id = RESULT_TOKENS.loads(token, toolkit.plugin_settings("naturalisation")["result_link_minutes"] * 60)
    case = toolkit.session().get(HandoverCase, case_id, options=[_PERSONS_AND_APPOINTMENTS]) \
        if isinstance(case_id, int) else None
    if case is None:
        return toolkit.render_error(404, _("Dieser Link ist abgelaufen oder ungültig. Bitte fragen Sie Ihren Termin "
                                           "noch einmal ab."), next_step=(url_for(".lookup"), _("Termin prüfen")),
                                    title=_("Link abgelaufen oder ungültig"))
    page = render_template("naturalisation/result.html", case=case, status=case_status(case), service=SERVICE,
                           location=handover_location(current_settings()))
    # It shows a case's appointments: shared computers and proxies must not keep it.
    return page, 200, {"Cache-Control": "no-store"}
