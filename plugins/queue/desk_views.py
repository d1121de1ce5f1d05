"""Staff pages: choose a desk, call and serve clients from its queues; issue Service Point tickets to walk-ins."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal import toolkit
from portal.toolkit import _, _l

from . import service
from .models import ACTIVE_STATES, Ticket
from .views import STALE_SECONDS

staff = toolkit.staff_blueprint("queue", __name__, role="caseworker")
# Seconds between two polls of the desk's waiting list; the script reads it from the page.
POLL_SECONDS = 5
# The desk lists the next numbers only: a day with a thousand waiting made each list 0.6 MB and 145 ms of CPU,
# rendered again for every desk after every call (docs/performance.md, "Waiting room"). Any number is called by typing.
WAITING_ROWS = 30
# What a desk page out of date is told: above the state now (409), or, for a button, on the desk page it comes back to.
STALE_PAGE = _l("Diese Nummer wurde inzwischen geändert, zum Beispiel an einem anderen Platz oder in einem zweiten "
                "Fenster. Unten sehen Sie den Stand jetzt.")
TICKET_ACTIONS = {"recall": service.recall, "missed": service.mark_missed, "start": service.start_service,
                  "finish": service.finish}


class CallForm(toolkit.Form):
    """Call the next client: nothing but the CSRF token (a desk holds one client, so a double click calls once)."""


class CallNumberForm(toolkit.Form):
    number = StringField(_l("Nummer aufrufen"), validators=[
        DataRequired(_l("Bitte geben Sie eine Wartenummer ein, zum Beispiel A 023.")), Length(max=12)])


class TransferForm(toolkit.VersionForm):
    target = SelectField(_l("Weiterleiten an"), validate_choice=True)


class WalkInForm(toolkit.Form):
    queue = SelectField(_l("Service Point"))
    language = SelectField(_l("Sprache der Seite für die Kundin oder den Kunden"))
    interpreter_language = SelectField(_l("Sprachmittlung nötig für"))
    urgent = BooleanField(_l("Dringend"))


def _desk(slug: str) -> service.Desk:
    return service.find_desk(slug) or abort(404)


def _ticket_of(desk: service.Desk, ticket_id: int) -> Ticket:
    ticket = toolkit.session().get(Ticket, ticket_id)
    if ticket is None or ticket.queue not in desk.queues and ticket.desk != desk.slug:
        abort(404)
    return ticket


def _transfer_form(desk: service.Desk, ticket: Ticket | None, formdata=None) -> TransferForm:
    form = TransferForm(formdata=formdata, data={"version": ticket.version if ticket else None})
    form.target.choices = [("", _("Bitte wählen"))] + [
        (value, label) for value, label in service.transfer_targets(desk.location) if value != f"desk:{desk.slug}"]
    return form


@staff.get("/")
def index():
    """List the desks by location, to choose one's own."""
    by_location: dict[str, list[service.Desk]] = {}
    for desk in service.desks():
        by_location.setdefault(desk.location, []).append(desk)
    return render_template("queue/staff/index.html", by_location=by_location,
                           walk_ins=toolkit.plugin_settings("queue")["walk_ins"])


def _render_desk(desk: service.Desk, status: int = 200, *, call_form=None, action_form=None, transfer_form=None,
                 problem: str | None = None, conflict: str | None = None):
    now = toolkit.utcnow()
    current = service.active_ticket(desk)
    queues = {queue.slug: queue for queue in service.queues()}
    response = make_response(render_template(
        "queue/staff/desk.html", desk=desk, current=current, **_waiting(desk), queues=queues, now=now,
        call_form=call_form or CallNumberForm(formdata=None), next_form=CallForm(formdata=None),
        action_form=action_form or toolkit.VersionForm(formdata=None, data={"version": current.version if current
                                                                              else None}),
        transfer_form=transfer_form or _transfer_form(desk, current),
        recall_allowed=current is not None and service.recall_allowed(current), problem=problem, conflict=conflict,
        office_zone=toolkit.office_zone(), poll_seconds=POLL_SECONDS, stale_seconds=STALE_SECONDS), status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@staff.get("/desk/<slug>")
def desk(slug: str):
    """Show the desk: its client now, the buttons for them, and who waits for this desk's queues."""
    return _render_desk(_desk(slug))


@staff.get("/desk/<slug>/waiting")
def desk_waiting(slug: str):
    """Answer the desk page's poll: 304 while nothing changed at the desk's location, else the waiting list."""
    desk = _desk(slug)
    return toolkit.conditional(service.topic(desk.location), lambda: render_template(
        "queue/staff/_desk_waiting.html", desk=desk, now=toolkit.utcnow(), **_waiting(desk)), private=True)


def _waiting(desk: service.Desk) -> dict:
    """Return the next waiting numbers a desk's list shows, and how many wait in all."""
    today = toolkit.office_today()
    return {"waiting": service.waiting(desk, today, limit=WAITING_ROWS),
            "waiting_total": service.waiting_count(desk, today)}


@staff.post("/desk/<slug>/next")
def call_next(slug: str):
    """Call the next waiting client to this desk (the desk's client now, if it has one)."""
    desk = _desk(slug)
    form = CallForm()
    if not form.validate_on_submit():
        return _render_desk(desk, 422, problem=_("Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."))
    ticket = service.call_next(desk, toolkit.utcnow())
    toolkit.session().commit()
    if ticket is None:
        flash(_("Zurzeit wartet niemand für diesen Platz."), "success")
    return redirect(url_for(".desk", slug=slug))


@staff.post("/desk/<slug>/call")
def call_number(slug: str):
    """Call a given waiting number (or a missed one that came back) to this desk."""
    desk = _desk(slug)
    form = CallNumberForm()
    if form.validate_on_submit():
        ticket = service.find_by_number(desk, form.number.data, toolkit.office_today())
        if ticket is None:
            form.number.errors.append(_("Diese Nummer gibt es heute in den Warteschlangen dieses Platzes nicht."))
        else:
            try:
                if not service.change(ticket, ticket.version, "call",
                                      lambda: service.call(ticket, desk, toolkit.utcnow())):
                    return _render_desk(desk, 409, conflict=STALE_PAGE)
            except IntegrityError:
                # A second tab of this desk called a client in the same moment: the desk keeps that one.
                toolkit.session().rollback()
                return _render_desk(desk, 409, conflict=STALE_PAGE)
            except service.QueueError as error:
                form.number.errors.append(str(error))
            else:
                toolkit.session().commit()
                return redirect(url_for(".desk", slug=slug))
    return _render_desk(desk, 422, call_form=form)


@staff.post("/desk/<slug>/ticket/<int:ticket_id>/<action>")
def act(slug: str, ticket_id: int, action: str):
    """Recall, mark missed, start serving, finish, or mark (not) urgent a ticket, at the version it was shown."""
    desk = _desk(slug)
    if action not in (*TICKET_ACTIONS, "urgent", "not_urgent"):
        abort(404)
    ticket = _ticket_of(desk, ticket_id)
    form = toolkit.VersionForm()
    if not form.validate_on_submit():
        return _render_desk(desk, 422, problem=_("Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."))
    now = toolkit.utcnow()
    if action in ("urgent", "not_urgent"):
        def apply():
            service.set_urgent(ticket, action == "urgent")
    else:
        if ticket.state in ACTIVE_STATES and ticket.desk != desk.slug:
            abort(404)  # another desk's client

        def apply():
            TICKET_ACTIONS[action](ticket, now)
    try:
        saved = service.change(ticket, form.version.data, action, apply)
    except service.QueueError as error:
        toolkit.session().rollback()
        # Not a mistake in anything typed: the desk page again, at its own address, says why (a reload of it
        # sends nothing again).
        flash(str(error), "error")
        return redirect(url_for(".desk", slug=slug), 303)
    if not saved:
        # A button on a page out of date: nothing typed to keep, so the desk page at its own address says so.
        flash(str(STALE_PAGE), "error")
        return redirect(url_for(".desk", slug=slug), 303)
    toolkit.session().commit()
    return redirect(url_for(".desk", slug=slug))


@staff.post("/desk/<slug>/ticket/<int:ticket_id>/transfer")
def transfer(slug: str, ticket_id: int):
    """Send this desk's client on to another queue, desk or the Service Point."""
    desk = _desk(slug)
    ticket = _ticket_of(desk, ticket_id)
    if ticket.desk != desk.slug:
        abort(404)
    form = _transfer_form(desk, ticket, formdata=request.form)
    if form.validate_on_submit() and form.target.data:
        successors = []
        try:
            saved = service.change(ticket, form.version.data, "transfer", lambda: successors.append(
                service.transfer(ticket, form.target.data, toolkit.utcnow())))
        except service.QueueError as error:
            toolkit.session().rollback()
            form.target.errors.append(str(error))
        else:
            if not saved:
                return _render_desk(desk, 409, conflict=STALE_PAGE)
            toolkit.session().commit()
            # A client without a phone learns the new number only from the desk.
            flash(_("%(old)s ist jetzt %(new)s. Bitte sagen Sie der Kundin oder dem Kunden die neue Nummer.",
                    old=ticket.label, new=successors[0].label), "success")
            return redirect(url_for(".desk", slug=slug))
    elif not form.target.errors:
        form.target.errors.append(_("Bitte wählen Sie, wohin die Nummer weitergeleitet wird."))
    return _render_desk(desk, 422, transfer_form=form)


def _walk_in_form(formdata=None) -> WalkInForm:
    form = WalkInForm(formdata=formdata, data={"language": toolkit.source_language()})
    form.queue.choices = [(queue.slug, f"{queue.title} ({queue.location})" if queue.location else queue.title)
                          for queue in service.queues() if queue.kind == "service_point"]
    form.language.choices = [(code, toolkit.language_name(code)) for code in toolkit.enabled_languages()]
    form.interpreter_language.choices = [("", _("keine"))] + [
        (code, toolkit.language_name(code)) for code in toolkit.languages_besides_source()]
    return form


@staff.route("/service-point", methods=["GET", "POST"])
def walk_in():
    """Issue a Service Point ticket to a client who came without an appointment (when walk-ins are accepted)."""
    accepted = toolkit.plugin_settings("queue")["walk_ins"]
    form = _walk_in_form(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not accepted:
            abort(403)
        if form.validate_on_submit():
            queue = service.find_queue(form.queue.data)
            ticket = service.issue(queue, origin="walk_in", now=toolkit.utcnow(),
                                   interpreter_language=form.interpreter_language.data, urgent=form.urgent.data)
            toolkit.session().commit()
            return redirect(url_for(".walk_in_ticket", ticket_id=ticket.id, page_language=form.language.data))
    status = 422 if form.errors else 200
    return render_template("queue/staff/walk_in.html", form=form, accepted=accepted), status


@staff.get("/service-point/<int:ticket_id>")
def walk_in_ticket(ticket_id: int):
    """Show a just issued ticket's number and the QR code of its page, to show or print for the client."""
    ticket = toolkit.session().get(Ticket, ticket_id)
    if ticket is None or ticket.origin != "walk_in" or ticket.day != toolkit.office_today():
        abort(404)
    language = request.args.get("page_language", "")
    if language not in toolkit.enabled_languages():
        language = toolkit.source_language()
    address = toolkit.public_url_for("queue.ticket_page", lang=language, token=ticket.token)
    # The slip goes to the client: its one instruction is in the language chosen for them, not the staff's.
    with force_locale(language):
        for_client = [_("Scannen Sie den Code mit Ihrem Telefon. Dort sehen Sie, wann Sie an der Reihe sind."),
                      # Not every client has a smartphone: the call display in the waiting area calls them too.
                      _("Ohne Smartphone: Achten Sie auf die Aufrufanzeige im Wartebereich. Dort erscheint Ihre "
                        "Nummer mit dem Raum, in den Sie gehen."),
                      format_date(ticket.day, "full")]
    response = make_response(render_template(
        "queue/staff/walk_in_ticket.html", ticket=ticket, address=address, client_language=language,
        for_client=for_client,
        qr=toolkit.qr_svg(address, _("Adresse der Wartenummer %(number)s", number=ticket.label), "queue-qr")))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
