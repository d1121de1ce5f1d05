"""Staff pages: search, edit, invitation letters (one or a day's), day view, CSV import and export."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from sqlalchemy import false, select

from portal import toolkit
from portal.toolkit import _

from .display import day_bounds, describe, format_day, local_start, place, to_utc
from .export import export_csv
from .forms import AppointmentForm, DayLettersForm, ExportForm, ImportForm, LetterForm, SearchForm, UnlockForm
from .importer import import_appointments
from .matching import REFERENCE_LIMIT, normalize_reference
from .models import Appointment
from .publishing import publish_changed
from .qr import lookup_url
from .selfservice import given_back, given_back_ids
from .services import service_name
from .statuses import STATUSES

bp = toolkit.staff_blueprint("appointments", __name__, role="caseworker")
PAGE_SIZE = 50


@bp.context_processor
def _helpers():
    return {"service_name": service_name, "statuses": STATUSES, "local_start": local_start, "place": place,
            "format_day": format_day}


@bp.route("/")
def search():
    form = SearchForm(request.args)
    query = select(Appointment)
    valid = form.validate()
    if not valid:
        # A search with an unreadable part finds nothing rather than everything its other parts would have narrowed.
        query = query.where(false())
    else:
        if form.reference.data:
            # Compared without separators and in Latin letters, like the public lookup: M100 finds M-100001.
            query = query.where(toolkit.reference_key_expression(Appointment.reference).startswith(
                toolkit.reference_key(normalize_reference(form.reference.data)), autoescape=True))
        if form.service.data:
            query = query.where(Appointment.service == form.service.data)
        if form.status.data:
            query = query.where(Appointment.status == form.status.data)
        if form.day.data:
            start, end = day_bounds(form.day.data)
            query = query.where(Appointment.starts_at >= start, Appointment.starts_at < end)
    # NULLS LAST matches PostgreSQL's index order, so the first page needs no sort of every row.
    query = query.order_by(Appointment.starts_at.asc().nulls_last(), Appointment.id)
    page = toolkit.paginate(query, PAGE_SIZE, keep={name: request.args.get(name) for name in form.data})
    return render_template("appointments/staff/search.html", form=form, page=page,
                           given_back=given_back_ids(page.items)), 200 if valid else 422


def _fill_form(form: AppointmentForm, appointment: Appointment) -> None:
    start = local_start(appointment)
    form.status.data = appointment.status
    form.day.data = start.date() if start else None
    form.clock.data = start.time().replace(tzinfo=None) if start else None
    form.building.data = appointment.building
    form.room.data = appointment.room
    form.persons_allowed.data = appointment.persons_allowed
    form.version.data = appointment.version


@bp.route("/<int:appointment_id>", methods=["GET", "POST"])
def edit(appointment_id: int):
    session = toolkit.session()
    appointment = session.get(Appointment, appointment_id) or abort(404)
    start = local_start(appointment)
    form = AppointmentForm(stored_start=(start.date(), start.time().replace(tzinfo=None)) if start else None)
    if request.method == "GET":
        _fill_form(form, appointment)
    elif form.validate_on_submit():
        before = appointment.snapshot()
        now = toolkit.utcnow()
        values = {
            "status": form.status.data,
            "starts_at": to_utc(form.day.data, form.clock.data) if form.day.data else None,
            "building": form.building.data.strip(),
            "room": form.room.data.strip(),
            "persons_allowed": form.persons_allowed.data,
            "updated_at": now,
        }
        if all(getattr(appointment, key) == value for key, value in values.items() if key != "updated_at"):
            # Nothing to save: no new version, no event, no empty entry in the audit log.
            flash(_("Der Termin ist unverändert."), "success")
            return redirect(url_for("appointments_staff.edit", appointment_id=appointment.id))
        if values["status"] != appointment.status:
            values["status_changed_at"] = now

        def change():
            for key, value in values.items():
                setattr(appointment, key, value)

        if toolkit.save_if_current(appointment, form.version.data, change):
            publish_changed(appointment)
            toolkit.audit("update", "appointments_appointment", appointment.id, before=before,
                          after=appointment.snapshot(), summary=appointment.reference)
            session.commit()
            flash(_("Der Termin %(reference)s ist gespeichert.", reference=appointment.reference), "success")
            return redirect(url_for("appointments_staff.edit", appointment_id=appointment.id))
        # Saving again now overwrites the colleague's change on purpose, with the input kept below.
        form.version.data = appointment.version
        return render_template("appointments/staff/edit.html", form=form, appointment=appointment,
                               conflict=True, letter_form=LetterForm(), given_back=given_back(appointment)), 409
    status = 422 if form.errors else 200
    return render_template("appointments/staff/edit.html", form=form, appointment=appointment, conflict=False,
                           letter_form=LetterForm(), given_back=given_back(appointment)), status


def _letter(appointment: Appointment, language: str) -> dict:
    """Return what the letter template needs for one appointment: its parts and the lookup's QR code."""
    url = lookup_url(appointment.reference, language)
    # Described in each part's language: the service, the date and the status explanation are words too.
    parts = toolkit.render_letter("appointments/staff/_letter_part.html", language, describe=describe,
                                  appointment=appointment, lookup_url=url)
    with force_locale(language):
        qr_title = _("QR-Code: Termin online prüfen")
    return {"appointment": appointment, "parts": parts, "lookup_url": url,
            "qr": toolkit.qr_svg(url, qr_title, "appointments-letter__qr")}


def _letter_language(form: LetterForm) -> str:
    """Return a validated form's second language when a valid one was asked for, else the source language."""
    # The day letters' form has a day too, whose errors leave the language as asked.
    return toolkit.source_language() if form.language.errors else form.language.data


@bp.route("/<int:appointment_id>/letter")
def letter(appointment_id: int):
    appointment = toolkit.session().get(Appointment, appointment_id) or abort(404)
    form = LetterForm(request.args)
    form.validate()
    return render_template("appointments/staff/letter.html", form=form, letter=_letter(appointment,
                           _letter_language(form)), appointment=appointment, printed_on=toolkit.office_today())


def _appointments_on(day: date, order) -> list[Appointment]:
    start, end = day_bounds(day)
    return list(toolkit.session().scalars(
        select(Appointment).where(Appointment.starts_at >= start, Appointment.starts_at < end).order_by(*order)))


@bp.route("/day")
def day_view():
    form = toolkit.DayChoiceForm(request.args)
    day = form.chosen_day()
    appointments = _appointments_on(day, (Appointment.building, Appointment.room, Appointment.starts_at))
    rooms = [(key, list(group)) for key, group in groupby(appointments, key=place)]
    return render_template("appointments/staff/day.html", form=form, day=day, rooms=rooms,
                           given_back=given_back_ids(appointments),
                           previous_day=day - timedelta(days=1),
                           next_day=day + timedelta(days=1)), 422 if form.errors else 200


@bp.route("/day/letters")
def day_letters():
    """Print the invitation letters of a day's appointments on one page, one letter per sheet."""
    form = DayLettersForm(request.args)
    day = form.chosen_day()  # validates the whole form
    language = _letter_language(form)
    appointments = _appointments_on(day, (Appointment.starts_at, Appointment.reference))
    # A date its client gave back goes to someone else: no letter invites them to it.
    returned = given_back_ids(appointments)
    letters = [_letter(appointment, language) for appointment in appointments if appointment.id not in returned]
    return render_template("appointments/staff/letters.html", day=day, form=form, letters=letters,
                           printed_on=toolkit.office_today()), 422 if form.day.errors else 200


@bp.route("/export")
def export():
    """Offer the CSV export for the mail merge; with valid days, download it."""
    form = ExportForm(request.args)
    if request.args and form.validate():
        first, last = form.first_day.data, form.last_day.data
        toolkit.audit("export", "appointments_export", f"{first.isoformat()}/{last.isoformat()}",
                      after={"first_day": first.isoformat(), "last_day": last.isoformat()})
        toolkit.session().commit()
        name = f"appointments-{first.isoformat()}" + (f"-{last.isoformat()}" if last != first else "") + ".csv"
        return Response(export_csv(first, last), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "private, no-store"})
    if not request.args:
        form.first_day.data = toolkit.office_today()
    return render_template("appointments/staff/export.html", form=form), 422 if form.errors else 200


@bp.route("/import", methods=["GET", "POST"])
@toolkit.accepts_uploads
def import_page():
    form = ImportForm()
    report, file_problem = None, None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = import_appointments(upload.stream, source=upload.filename or "-")
        except toolkit.CsvFormatError as exc:
            file_problem = str(exc)
    body = toolkit.render_page("appointments/staff/import.html", block="import_region", form=form, report=report,
                               file_problem=file_problem, htmx=toolkit.is_htmx())
    failed = bool(form.errors or file_problem or (report is not None and not report.ok))
    # htmx swaps only successful answers; without JavaScript the page says 422 for a rejected file.
    return body, 422 if failed and not toolkit.is_htmx() else 200


@bp.route("/locked", methods=["GET", "POST"])
def locked_references():
    """List the references locked by failed lookups with a date of birth, and unlock one (audited)."""
    form = UnlockForm()
    if form.validate_on_submit():
        key = form.reference.data
        if REFERENCE_LIMIT.unlock(key):
            # The lock is kept under the reference without separators; staff know it as the letter writes it.
            reference = toolkit.session().scalar(select(Appointment.reference).where(
                toolkit.reference_key_expression(Appointment.reference) == toolkit.reference_key(key))) or key
            toolkit.audit("unlock", "appointments_lookup", reference)
            toolkit.session().commit()
            flash(_("Die Vorgangsnummer %(reference)s kann wieder abgefragt werden.", reference=reference),
                  "success")
        return redirect(url_for(".locked_references"))
    locked = REFERENCE_LIMIT.locked()
    keys = [entry.reference for entry in locked]
    known = {toolkit.reference_key(appointment.reference): appointment for appointment in toolkit.session().scalars(
        select(Appointment).where(toolkit.reference_key_expression(Appointment.reference).in_(keys)))} if keys else {}
    return render_template("appointments/staff/locked.html", locked=locked, known=known, form=form)
