"""Staff pages: record and import cases, plan, move and close appointments, print letters and day plans."""

from __future__ import annotations

from datetime import date, time
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import toolkit
from portal.toolkit import _

from .forms import CaseForm, ImportForm, MoveForm, PlanForm
from .importer import COLUMNS, import_cases
from .models import WAITING, HandoverAppointment, HandoverCase, HandoverPerson, birth_key, persons_born
from .planning import (
    PlanningConflict,
    current_settings,
    handover_location,
    record_outcome,
    run_planning,
    slot_problem,
)

bp = toolkit.staff_blueprint("naturalisation", __name__, role="caseworker")

OUTCOMES = ("done", "missed", "cancelled")


def state_label(state: str) -> str:
    """Return an appointment state's translated name."""
    return {"planned": _("geplant"), "done": _("übergeben"), "missed": _("nicht erschienen"),
            "cancelled": _("abgesagt")}[state]


bp.add_app_template_global(state_label, "naturalisation_state_label")


def source_only() -> str:
    """Name the letter language that means no translation: the source language alone."""
    return _("Nur %(source)s", source=toolkit.source_language_name())


bp.add_app_template_global(source_only, "naturalisation_source_only")


def _language_choices() -> list:
    return toolkit.as_choices([("", source_only())] + [(code, toolkit.language_name(code))
                                                       for code in toolkit.languages_besides_source()])


def _appointment_or_404(appointment_id: int) -> HandoverAppointment:
    appointment = toolkit.session().get(HandoverAppointment, appointment_id)
    if appointment is None:
        abort(404)
    return appointment


def _case_or_404(case_id: int) -> HandoverCase:
    case = toolkit.session().get(HandoverCase, case_id)
    if case is None:
        abort(404)
    return case


@bp.route("/")
def overview():
    session = toolkit.session()
    waiting = session.scalars(
        select(HandoverPerson).where(HandoverPerson.state == WAITING).options(selectinload(HandoverPerson.case))
        .order_by(HandoverPerson.case_id, HandoverPerson.position)).all()
    families: dict[str, dict] = {}
    for person in waiting:
        entry = families.setdefault(person.case.family_key,
                                    {"cases": {}, "persons": 0, "ready_on": person.case.ready_on})
        entry["cases"][person.case.id] = person.case
        entry["persons"] += 1
        entry["ready_on"] = max(entry["ready_on"], person.case.ready_on)
    today = toolkit.office_today()
    days = session.execute(select(HandoverAppointment.day, func.count()).where(HandoverAppointment.state == "planned",
                                                                         HandoverAppointment.day >= today)
                           .group_by(HandoverAppointment.day).order_by(HandoverAppointment.day)).all()
    return render_template("naturalisation/staff/overview.html", families=sorted(families.values(),
                           key=lambda f: f["ready_on"]), waiting_count=len(waiting), days=days, plan_form=PlanForm(),
                           today=today)


@bp.route("/plan", methods=["POST"])
def plan():
    form = PlanForm()
    if not form.validate():
        abort(400)
    session = toolkit.session()
    today = toolkit.office_today()
    try:
        created, still_waiting = run_planning(session, today, current_settings())
    except PlanningConflict:
        flash(_("Jemand anderes hat gerade gleichzeitig geplant. Bitte starten Sie die Planung noch einmal."), "error")
        return redirect(url_for(".overview"))
    # A run plans many appointments: the entry names the office day it ran on, the new appointments are listed by
    # time and room only, since no purge of a case reaches an entry that is no single record's.
    toolkit.audit("plan", "naturalisation_appointment", today.isoformat(),
                  after={"created": [_slot(appointment) for appointment in created], "still_waiting": still_waiting})
    session.commit()
    flash(toolkit.ngettext("%(num)d Termin geplant.", "%(num)d Termine geplant.", len(created)), "success")
    if still_waiting:
        flash(toolkit.ngettext(
            "%(num)d Person konnte nicht eingeplant werden: Im Planungszeitraum ist kein Platz frei.",
            "%(num)d Personen konnten nicht eingeplant werden: Im Planungszeitraum ist kein Platz frei.",
            still_waiting), "error")
    return redirect(url_for(".overview"))


def _render_case_form(form: CaseForm, case: HandoverCase | None, status: int = 200):
    return render_template("naturalisation/staff/case_form.html", form=form, case=case, conflict=status == 409), status


def _reference_recorded(form: CaseForm):
    """Refuse the new case's reference as one already recorded."""
    form.reference.errors.append(_("Dieses Aktenzeichen ist schon erfasst."))
    return _render_case_form(form, None, 422)


def _case_conflict(form: CaseForm, case: HandoverCase):
    """Show the stored case above the caseworker's input; saving again knowingly replaces the colleague's change."""
    form.version.data = case.version
    return _render_case_form(form, case, 409)


def _case_recorded(case: HandoverCase, status: int = 302):
    """Say on the overview that the new case is recorded."""
    flash(_("Fall %(reference)s erfasst.", reference=case.reference), "success")
    return redirect(url_for(".overview"), status)


def _case_saved(case: HandoverCase, status: int = 302):
    """Say on the case's page that its changes are saved."""
    flash(_("Fall %(reference)s gespeichert.", reference=case.reference), "success")
    return redirect(url_for(".edit_case", case_id=case.id), status)


@bp.route("/cases/new", methods=["GET", "POST"])
def new_case():
    form = CaseForm()
    form.letter_language.choices = _language_choices()
    if not form.validate_on_submit():
        return _render_case_form(form, None, 422 if form.is_submitted() else 200)
    # Claimed before the reference is checked: a second sending of this page would find it taken by its own case.
    earlier = toolkit.claim_sending(form)
    if earlier is not None:
        return toolkit.answer_with_stored(HandoverCase, int(earlier), partial(_case_recorded, status=303),
                                          url_for(".new_case"), form.reference.data)
    session = toolkit.session()
    # Lookups forgive separators, so 54/12-2026 and 54 12 2026 are one reference.
    if session.scalar(select(HandoverCase.id).where(toolkit.reference_key_expression(HandoverCase.reference)
                                                    == toolkit.reference_key(form.reference.data))):
        return _reference_recorded(form)
    case = HandoverCase(reference=form.reference.data, ready_on=form.ready_on.data, family_group=form.family_group.data,
                letter_language=form.letter_language.data, persons=persons_born(form.reference.data, form.birth_dates))
    session.add(case)
    try:
        session.flush()
    except IntegrityError:
        # A colleague recorded the reference between the check above and this write. Only on PostgreSQL: on SQLite
        # the claim took the write lock before the check, which then found their case.
        session.rollback()
        return _reference_recorded(form)
    toolkit.audit("create", "naturalisation_case", case.id, after=_case_snapshot(case))
    toolkit.keep_answer(form, str(case.id))
    session.commit()
    return _case_recorded(case)


def _slot(appointment: HandoverAppointment) -> str:
    """Name a handover appointment's day, time and room."""
    return f"{appointment.day.isoformat()} {appointment.starts_at:%H:%M} {appointment.office}"


def _named(appointment: HandoverAppointment) -> str:
    """Name a handover appointment in the audit log as staff know it: day, time, room and its cases' references."""
    return f"{_slot(appointment)}: {', '.join(case.reference for case in appointment.cases)}"


def _case_snapshot(case: HandoverCase) -> dict:
    return {"reference": case.reference, "ready_on": case.ready_on.isoformat(), "family_group": case.family_group,
            "letter_language": case.letter_language, "persons": len(case.persons)}


@bp.route("/cases/<int:case_id>", methods=["GET", "POST"])
def edit_case(case_id: int):
    session = toolkit.session()
    case = session.get(HandoverCase, case_id)
    if case is None:
        # The form of a case sends its reference along, though not to be changed there.
        return toolkit.deleted_meanwhile(url_for(".new_case"), CaseForm().reference.data)
    form = CaseForm(obj=case) if request.method == "GET" else CaseForm()
    form.letter_language.choices = _language_choices()
    form.births_required = False
    if request.method == "GET":
        form.version.data = case.version
        return _render_case_form(form, case)
    form.reference.data = case.reference
    if not form.validate():
        return _render_case_form(form, case, 422)
    new_keys = sorted(birth_key(case.reference, born) for born in form.birth_dates)
    births_changed = bool(new_keys) and new_keys != sorted(p.birth_key for p in case.persons)
    if births_changed and any(p.appointments for p in case.persons):
        form.births.errors.append(_("Die Personen haben schon Termine und können hier nicht mehr geändert werden. "
                                    "Stimmen sie nicht, löschen Sie den Fall (seine geplanten Termine werden "
                                    "abgesagt) und erfassen Sie ihn neu."))
        return _render_case_form(form, case, 422)
    before = _case_snapshot(case)

    def change():
        case.ready_on, case.family_group = form.ready_on.data, form.family_group.data
        case.letter_language = form.letter_language.data
        if births_changed:
            case.persons = persons_born(case.reference, form.birth_dates)

    saved = toolkit.save_if_current(case, form.version.data, change)
    # Claimed after the save: a second sending of this page finds the version it saved from gone, and its claim
    # tells it apart from a colleague's save; a claim made on the way to a conflict is not committed.
    if toolkit.claim_sending(form) is not None:
        return toolkit.answer_with_stored(HandoverCase, case_id, partial(_case_saved, status=303),
                                          url_for(".new_case"), form.reference.data)
    if not saved:
        return toolkit.answer_with_stored(HandoverCase, case_id, partial(_case_conflict, form), url_for(".new_case"),
                                          form.reference.data)
    toolkit.audit("update", "naturalisation_case", case.id, before=before, after=_case_snapshot(case))
    session.commit()
    return _case_saved(case)


def _planned(case: HandoverCase) -> list[HandoverAppointment]:
    """Return the case's appointments that go with it: one shared with a relative's case stays theirs."""
    return [appointment for appointment in _case_appointments(case)
            if all(person.case_id == case.id for person in appointment.persons)]


@bp.route("/cases/<int:case_id>/delete", methods=["GET", "POST"])
def delete_case(case_id: int):
    def deleted(reference: str) -> str:
        return _("Fall %(reference)s gelöscht.", reference=reference)

    listed_at = url_for(".overview")
    if request.method == "GET":
        case = toolkit.session().get(HandoverCase, case_id)
        if case is None:  # Back after the delete, or a list out of date
            return toolkit.deleted_already("naturalisation_case", case_id, deleted=deleted, listed_at=listed_at)
        # A case goes with its persons and its planned appointments: asked once more on a page of its own.
        return render_template("naturalisation/staff/delete_case.html", case=case, planned=len(_planned(case)),
                               form=toolkit.DeleteForm(obj=case))

    def delete(case: HandoverCase) -> str:
        planned = _planned(case)
        toolkit.audit("delete", "naturalisation_case", case.id, before=_case_snapshot(case),
                      after={"cancelled_appointments": sorted(_named(appointment) for appointment in planned)},
                      summary=case.reference)
        for appointment in planned:
            record_outcome(appointment, "cancelled")
        toolkit.session().delete(case)
        return case.reference

    def changed():
        flash(_("Jemand anderes hat diesen Fall inzwischen geändert. Bitte prüfen Sie ihn noch einmal."), "error")
        return redirect(url_for(".edit_case", case_id=case_id))

    return toolkit.delete_if_current(HandoverCase, case_id, delete, audited_as="naturalisation_case",
                                     deleted=deleted, listed_at=listed_at, changed=changed)


@bp.route("/import", methods=["GET", "POST"])
@toolkit.accepts_uploads
def import_file():
    form = ImportForm()
    report, problem = None, None
    if form.validate_on_submit():
        try:
            report = import_cases(form.file.data.stream, source=form.file.data.filename or "-")
        except toolkit.CsvFormatError as exc:
            problem = str(exc)
        if report is not None and report.ok:
            flash(_("Import fertig: %(created)d neu, %(updated)d geändert, %(unchanged)d unverändert.",
                    created=report.created, updated=report.updated, unchanged=report.unchanged), "success")
            return redirect(url_for(".overview"))
    status = 422 if form.is_submitted() else 200
    return render_template("naturalisation/staff/import.html", form=form, report=report, problem=problem,
                           columns=COLUMNS), status


def _day_appointments(day: date) -> list[HandoverAppointment]:
    return toolkit.session().scalars(
        select(HandoverAppointment).where(HandoverAppointment.day == day)
        .options(selectinload(HandoverAppointment.persons).selectinload(HandoverPerson.case))
        .order_by(HandoverAppointment.starts_at, HandoverAppointment.office)).all()


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


@bp.route("/days/<day>")
def day_plan(day: str):
    chosen = _parse_day(day)
    return render_template("naturalisation/staff/day_plan.html", day=chosen, appointments=_day_appointments(chosen),
                           action_form=toolkit.VersionForm(), location=handover_location(current_settings()),
                           ahead=chosen > toolkit.office_today())


@bp.route("/days")
def choose_day():
    form = toolkit.DayChoiceForm(request.args)
    form.validate()
    if form.day.errors or form.day.data is None:
        flash(form.day.errors[0] if form.day.errors else _("Bitte einen Tag wählen."), "error")
        return redirect(url_for(".overview"))
    return redirect(url_for(".day_plan", day=form.day.data.isoformat()))


@bp.route("/appointments/<int:appointment_id>/outcome", methods=["POST"])
def outcome(appointment_id: int):
    session = toolkit.session()
    appointment = _appointment_or_404(appointment_id)
    form = toolkit.VersionForm()
    chosen = request.form.get("outcome", "")
    # Back to the plan the button was on, even when a colleague has moved the appointment to another day since:
    # the next button pressed there must not act on another day's plan.
    try:
        plan_day = date.fromisoformat(request.form.get("plan_day", ""))
    except ValueError:
        plan_day = appointment.day
    back = redirect(url_for(".day_plan", day=plan_day.isoformat()))
    if not form.validate() or chosen not in OUTCOMES:
        abort(400)
    if chosen != "cancelled" and appointment.day > toolkit.office_today():
        # Handed over or missed can only be said on the day or after; a click on a later plan would be a slip.
        flash(_("Ein Termin in der Zukunft kann noch nicht übergeben oder verpasst sein."), "error")
        return back
    said = _("Termin um %(time)s: %(state)s.", time=appointment.starts_at.strftime("%H:%M"), state=state_label(chosen))
    if appointment.state == chosen:
        # The same button pressed twice (a double tap without script), or a colleague said the same: it holds.
        flash(said, "success")
        return back
    if appointment.state != "planned" or not toolkit.save_if_current(
            appointment, form.version.data, lambda: record_outcome(appointment, chosen)):
        flash(_("Dieser Termin wurde inzwischen geändert. Bitte prüfen Sie ihn noch einmal."), "error")
        return back
    toolkit.audit(chosen, "naturalisation_appointment", appointment.id, before={"state": "planned"},
                  after={"state": chosen}, summary=_named(appointment))
    session.commit()
    flash(said, "success")
    return back


@bp.route("/appointments/<int:appointment_id>/move", methods=["GET", "POST"])
def move(appointment_id: int):
    session = toolkit.session()
    appointment = _appointment_or_404(appointment_id)
    settings = current_settings()
    form = MoveForm(data={"day": appointment.day, "starts_at": appointment.starts_at.strftime("%H:%M"),
                          "office": appointment.office, "version": appointment.version}) \
        if request.method == "GET" else MoveForm()
    form.starts_at.choices = toolkit.as_choices((t.strftime("%H:%M"), t.strftime("%H:%M")) for t in settings.times)
    form.office.choices = toolkit.as_choices((office, office) for office in settings.offices)
    if appointment.state != "planned":
        flash(_("Nur geplante Termine können verschoben werden."), "error")
        return redirect(url_for(".day_plan", day=appointment.day.isoformat()))

    def show(status: int = 200):
        return render_template("naturalisation/staff/move.html", form=form, appointment=appointment,
                               conflict=status == 409), status

    if not form.validate_on_submit():
        return show(422 if form.is_submitted() else 200)
    new_time = time.fromisoformat(form.starts_at.data)
    if (form.day.data, new_time, form.office.data) == (appointment.day, appointment.starts_at, appointment.office):
        # Nothing moved: no new letter is needed, and nothing is logged.
        flash(_("Der Termin ist unverändert."), "success")
        return redirect(url_for(".day_plan", day=appointment.day.isoformat()))
    problem = slot_problem(session, appointment, form.day.data, new_time, form.office.data, settings,
                           toolkit.office_today())
    if problem:
        field_name, message = problem
        form[field_name].errors.append(message)
        return show(422)
    before = {"day": appointment.day.isoformat(), "starts_at": appointment.starts_at.strftime("%H:%M"),
              "office": appointment.office}
    name = _named(appointment)

    def change():
        appointment.day, appointment.starts_at, appointment.office = form.day.data, new_time, form.office.data

    try:
        saved = toolkit.save_if_current(appointment, form.version.data, change)
    except IntegrityError:
        # A colleague booked the slot between the check above and this write: answer as the check would now.
        session.rollback()
        field_name, message = slot_problem(session, appointment, form.day.data, new_time, form.office.data,
                                           settings, toolkit.office_today()) \
            or ("starts_at", _("Zu dieser Zeit ist der Raum schon belegt."))
        form[field_name].errors.append(message)
        return show(422)
    if not saved:
        form.version.data = appointment.version
        return show(409)
    toolkit.audit("move", "naturalisation_appointment", appointment.id, before=before,
                  after={"day": form.day.data.isoformat(), "starts_at": form.starts_at.data,
                         "office": form.office.data}, summary=name)
    session.commit()
    flash(_("Termin verschoben. Bitte schicken Sie ein neues Einladungsschreiben."), "success")
    return redirect(url_for(".day_plan", day=appointment.day.isoformat()))


def _letter(case: HandoverCase, appointments: list[HandoverAppointment], location: str) -> list[Markup]:
    """Render a case's invitation in the source language and, on its own page, in the client's language."""
    return [part.html for part in toolkit.render_letter(
        "naturalisation/staff/_letter.html", case.letter_language, case=case, appointments=appointments,
        location=location, letter_date=toolkit.office_today(), lookup_address=_lookup_address)]


def _lookup_address(lang: str) -> str:
    """Return the public lookup's address in a language, as clients reach it (public_url), not as staff do."""
    return toolkit.public_url_for("naturalisation.lookup", lang=lang)


def _case_appointments(case: HandoverCase, day: date | None = None) -> list[HandoverAppointment]:
    found = {a.id: a for p in case.persons for a in p.appointments
             if a.state == "planned" and (day is None or a.day == day)}
    return sorted(found.values(), key=lambda a: (a.day, a.starts_at))


@bp.route("/cases/<int:case_id>/letter")
def case_letter(case_id: int):
    case = _case_or_404(case_id)
    appointments = _case_appointments(case)
    if not appointments:
        flash(_("Für diesen Fall ist kein Termin geplant."), "error")
        return redirect(url_for(".edit_case", case_id=case.id))
    location = handover_location(current_settings())
    return render_template("naturalisation/staff/letters.html", letters=[_letter(case, appointments, location)],
                           title=_("Einladung zu Fall %(reference)s", reference=case.reference))


@bp.route("/days/<day>/letters")
def day_letters(day: str):
    chosen = _parse_day(day)
    cases: dict[int, HandoverCase] = {}
    for appointment in _day_appointments(chosen):
        if appointment.state == "planned":
            for case in appointment.cases:
                cases.setdefault(case.id, case)
    location = handover_location(current_settings())
    letters = [_letter(case, _case_appointments(case, chosen), location)
               for case in sorted(cases.values(), key=lambda c: c.reference)]
    return render_template("naturalisation/staff/letters.html", letters=letters,
                           title=_("Einladungen für %(day)s", day=format_date(chosen, "long")))
