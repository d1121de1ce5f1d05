"""Clients' self-service pages: confirm, cancel, ask for another date, reminders, the short-notice list, offers.

Reached only from a result page (a lookup that succeeded) or a link in a mail:
forms carry a signed, expiring token of the appointment, never the reference.
A token that is forged or altered gets the plugin's "link expired" page,
whatever the appointment, as does an expired one opened again; a form sent
with an expired one comes back with what was typed and asks for the date of
birth. Bad input changes nothing: 422 with the summary.
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from wtforms import EmailField, HiddenField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal import toolkit
from portal.toolkit import _, _l

from .display import describe
from .matching import result_token
from .models import Appointment
from .offers import accept
from .publishing import publish_changed
from .selfservice import (
    DAY_TIMES,
    REASONS,
    WEEKDAYS,
    action_token,
    answerable,
    appointment_for_action,
    appointment_for_mail_link,
    confirmed,
    given_back,
    had_date,
    has_date,
    may_be_reminded,
    may_wait_for_earlier,
    offer_for_token,
    record_request,
    reminders_on_schedule,
    slot_text,
    withdraw_offers,
)
from .selfservice_models import FreedSlot, Reminder, ShortNoticeEntry
from .views import RATE_LIMITED_FORMS, bp, lookup_by_birth_date, lookup_limits, mark_lookup_failed

ACTIONS = ("confirm", "cancel", "new-date", "remind", "stop-reminders", "short-notice", "leave-list")
EMAIL_MESSAGE = _l("Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de.")
ASK_AGAIN_MESSAGE = _l("Diese Seite war lange geöffnet. Zum Schutz Ihrer Daten geben Sie bitte Ihr Geburtsdatum noch "
                       "einmal ein. Was Sie eingetragen haben, bleibt erhalten.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _options(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in labels.items()]


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes, which every phone shows plainly."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BirthDateAgainField(toolkit.BirthDateField):
    """The date of birth on a self-service form, whose boxes keep clear of the permit date's boxes beside them."""

    BOXES = tuple((f"birth_{name}", *rest) for name, *rest in toolkit.BirthDateField.BOXES)


class AskAgain:
    """The date of birth, asked when a form is sent after its token expired; made first, so it leads the page."""

    birth_date = BirthDateAgainField(_l("Geburtsdatum"))


class ActionForm(toolkit.Form):
    """The signed token of the appointment an action is about."""

    token = HiddenField()


class CancelForm(ActionForm):
    wants_new_date = RadioField(_l("Brauchen Sie einen neuen Termin?"),
                                validators=[InputRequired(_l("Bitte wählen Sie Ja oder Nein."))],
                                invalid_choice_message=_l("Bitte wählen Sie Ja oder Nein."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.wants_new_date.choices = [SelectChoice("yes", _("Ja, bitte schicken Sie mir einen neuen Termin.")),
                                       SelectChoice("no", _("Nein, ich brauche keinen Termin mehr."))]


class NewDateForm(ActionForm):
    reason = RadioField(_l("Warum passt der Termin nicht?"),
                        validators=[InputRequired(_l("Bitte wählen Sie einen Grund."))],
                        invalid_choice_message=_l("Bitte wählen Sie einen Grund."))
    weekdays = CheckboxesField(_l("An welchen Tagen können Sie?"))
    day_times = CheckboxesField(_l("Zu welcher Tageszeit?"))
    note = StringField(_l("Kurze Notiz (freiwillig)"), filters=[_strip], render_kw={"dir": "auto"},
                       validators=[Optional(), Length(max=200, message=_l("Bitte höchstens 200 Zeichen."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = _options(REASONS)
        # Only the days and times the office opens (all, if its hours name none of them): a wish for a closed
        # Wednesday could never be met.
        self.open_times = _open_day_times()
        self.weekdays.choices = _options({code: label for code, label in WEEKDAYS.items()
                                          if code in self.open_times} or WEEKDAYS)
        offered = set().union(*self.open_times.values())
        self.day_times.choices = _options({code: label for code, label in DAY_TIMES.items()
                                           if code in offered} or DAY_TIMES)

    def day_times_hint(self) -> str:
        """Say on which days a time of day the office does not open on every open day is possible."""
        days = [code for code in WEEKDAYS if code in self.open_times]
        return " ".join(_("%(time)s nur an diesen Tagen: %(days)s.", time=DAY_TIMES[time],
                          days=", ".join(str(WEEKDAYS[code]) for code in days if time in self.open_times[code]))
                        for time in DAY_TIMES if 0 < sum(time in self.open_times[code] for code in days) < len(days))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        days = self.weekdays.data or [code for code in WEEKDAYS if code in self.open_times]
        if self.open_times and self.day_times.data and not any(
                time in self.open_times.get(day, ()) for day in days for time in self.day_times.data):
            self.day_times.errors.append(_("An den gewählten Tagen ist das Amt zu dieser Tageszeit nicht geöffnet. "
                                           "Bitte wählen Sie eine andere Tageszeit oder weitere Tage."))
            valid = False
        return valid


def _open_day_times() -> dict[str, set[str]]:
    """Return for each weekday the office opens (its code) the times of day it is open then."""
    found: dict[str, set[str]] = {}
    codes = list(WEEKDAYS)
    for entry in toolkit.portal_settings()["office"]["opening_hours"]:
        for weekday in entry["weekdays"]:
            if weekday < len(codes):
                times = found.setdefault(codes[weekday], set())
                times.update({"morning"} if entry["opens"] < "12:00" else set())
                times.update({"afternoon"} if entry["closes"] > "12:00" else set())
    return found


class RemindForm(ActionForm):
    email = EmailField(_l("E-Mail-Adresse"), filters=[_strip], validators=[
        InputRequired(EMAIL_MESSAGE), Length(max=254, message=EMAIL_MESSAGE), toolkit.MailAddress(EMAIL_MESSAGE)])
    # A checkbox, not a lone radio button: a consent ticked by mistake can be unticked before sending.
    consent = CheckboxesField(_l("Einwilligung"), choices=[SelectChoice("yes", _l("Ja, ich bin einverstanden."))],
                              validators=[InputRequired(_l("Ohne Ihre Einwilligung können wir Sie nicht erinnern."))],
                              invalid_choice_message=_l("Ohne Ihre Einwilligung können wir Sie nicht erinnern."))


class PermitExpiryField(toolkit.DateBoxesField):
    """The day a client's residence permit ends: today or later, since the list puts the earliest first."""

    def problem(self, typed: date) -> str | None:
        if typed >= toolkit.office_today():
            return None
        # Mostly a mistyped year, which would put the client first for every freed date; an expired permit is a
        # matter for the emergency address, not for the list.
        return _("Dieses Datum ist schon vorbei. Bitte prüfen Sie das Jahr. Ist Ihr Aufenthaltstitel schon "
                 "abgelaufen? Dann schreiben Sie bitte an %(email)s.",
                 email=toolkit.portal_settings()["office"]["emergency_email"])


class ShortNoticeForm(ActionForm):
    email = EmailField(_l("E-Mail-Adresse (freiwillig)"), filters=[_strip], validators=[
        Optional(), Length(max=254, message=EMAIL_MESSAGE), toolkit.MailAddress(EMAIL_MESSAGE)])
    permit_expires = PermitExpiryField(_l("Ihr Aufenthaltstitel gilt bis (freiwillig)"), required=False)


FORMS = {"confirm": ActionForm, "cancel": CancelForm, "new-date": NewDateForm, "remind": RemindForm,
         "stop-reminders": ActionForm, "short-notice": ShortNoticeForm, "leave-list": ActionForm}
ASK_AGAIN_FORMS = {action: type(f"{form.__name__}AskingAgain", (AskAgain, form), {}) for action, form in FORMS.items()}


def _allowed(action: str, appointment: Appointment) -> bool:
    if action == "short-notice":
        return may_wait_for_earlier(appointment) and not given_back(appointment)
    if action in ("stop-reminders", "leave-list"):
        return True
    if action == "remind":
        return answerable(appointment) and may_be_reminded(appointment)
    return answerable(appointment)


def _selfservice_limit() -> str:
    return toolkit.plugin_settings("appointments")["rate_limit_selfservice"]


# Refused input acts on nothing: only forms acted on count against the configured limit, so a family or a mediator
# correcting a date is not held back; every sending counts against this wider one.
EVERY_SENDING_LIMIT = "100 per hour"


def _acted_on(response) -> bool:
    return response.status_code != 422


def _selfservice_limits(view):
    """Limit a self-service form's sendings per client: those acted on, and all of them."""
    view = toolkit.limiter.limit(toolkit.client_limit(_selfservice_limit), methods=["POST"],
                                 deduct_when=_acted_on)(view)
    return toolkit.limiter.limit(toolkit.client_limit(EVERY_SENDING_LIMIT), methods=["POST"])(view)


def _render_action(action: str, appointment: Appointment, form: toolkit.Form, status: int = 200):
    form.token.data = action_token(appointment)
    return render_template("appointments/selfservice/action.html", action=action, form=form,
                           facts=describe(appointment, given_back(appointment)),
                           reminders_on_schedule=action == "remind" and reminders_on_schedule(appointment),
                           dated=has_date(appointment),
                           result_url=url_for("appointments.result", token=result_token(appointment))), status


def _done(appointment: Appointment, message: str, category: str = "success"):
    """Answer with the appointment's own page, the sentence above it: Back and reloading send nothing again."""
    flash(message, category)
    return redirect(url_for("appointments.result", token=result_token(appointment)), 303)


def _not_possible(appointment: Appointment):
    """Answer with the appointment's page, saying that what was asked does not fit its state."""
    return _done(appointment, _("Für diesen Termin ist das nicht möglich. Den Stand sehen Sie unten."), "error")


def _act(action: str, appointment: Appointment, form: toolkit.Form):
    """Do what the client asked for, and answer with the appointment's page that says so."""
    # A second tap or tab waits for the first and then finds what it did: one date given back, one request.
    toolkit.hold(appointment)
    if not _allowed(action, appointment):
        return _not_possible(appointment)
    message = _perform(action, appointment, form)
    toolkit.session().commit()
    return _done(appointment, message)


def _ask_again(action: str, form: toolkit.Form, status: int = 422):
    """Show an action's form sent after its token expired: what was typed, and the date of birth to give again."""
    return render_template("appointments/selfservice/action.html", action=action, form=form, asking_again=True,
                           dated=False, reminders_on_schedule=False), status


def _ask_again_because(action: str, problem: str, status: int = 422):
    """Show the form as it was sent, the reason to give the date of birth (again) beside its boxes."""
    form = ASK_AGAIN_FORMS[action]()
    form.validate()  # what else needs correcting shows at once; the date of birth's own message is the reason
    form.birth_date.errors = [problem]
    return _ask_again(action, form, status)


ACTION_ROUTE = "/self-service/<any(" + ", ".join(f"'{name}'" for name in ACTIONS) + "):action>"


@bp.route(ACTION_ROUTE, methods=["GET", "POST"])
@_selfservice_limits
def selfservice_action(action: str):
    form = FORMS[action]()
    token = form.token.data if request.method == "POST" else request.args.get("t", "")
    appointment = appointment_for_action(token)
    if appointment is None and request.method == "POST" and appointment_for_action(token, any_age=True):
        # A page left open past the token's lifetime (on a shared computer, say) acts only once the date of birth
        # proves it is the client's; what was typed stays.
        return _ask_again_because(action, str(ASK_AGAIN_MESSAGE))
    if appointment is None:
        raise NotFound()
    if not _allowed(action, appointment):
        return _not_possible(appointment)
    if request.method == "GET" or not form.validate():
        return _render_action(action, appointment, form, 422 if request.method == "POST" else 200)
    return _act(action, appointment, form)


@bp.route(ACTION_ROUTE + "/again", methods=["POST"])
@_selfservice_limits
@lookup_limits
def selfservice_again(action: str):
    """Act on a form sent after its token expired, once the date of birth matches the appointment's."""
    form = ASK_AGAIN_FORMS[action]()
    appointment = appointment_for_action(form.token.data, any_age=True)
    if appointment is None:
        raise NotFound()
    if not form.validate():
        return _ask_again(action, form)
    found = lookup_by_birth_date(appointment.reference, form.birth_date.data)
    if found is None or found.id != appointment.id:
        mark_lookup_failed()
        form.birth_date.errors.append(_("Dieses Geburtsdatum passt nicht zu dem Termin. Bitte prüfen Sie Tag, Monat "
                                        "und Jahr."))
        return _ask_again(action, form)
    if not _allowed(action, appointment):
        return _not_possible(appointment)
    return _act(action, appointment, form)


RATE_LIMITED_FORMS["appointments.selfservice_again"] = lambda message: _ask_again_because(
    request.view_args["action"], message, 429)


def _perform(action: str, appointment: Appointment, form: toolkit.Form) -> str:
    """Store what the client asked for and return the sentence that tells them."""
    session = toolkit.session()
    language = toolkit.current_language()
    if action == "confirm":
        record_request(appointment, "confirm")
        return _("Danke! Wir haben notiert, dass Sie kommen.")
    if action == "cancel":
        wants = form.wants_new_date.data == "yes"
        record_request(appointment, "cancel", wants_new_date=wants)
        # Other plugins learn that the date can no longer be attended: its arrival pass admits no one now.
        publish_changed(appointment)
        if wants:
            return _("Danke! Ihr Termin geht an jemanden, der wartet. Sie bekommen einen neuen Termin per Brief.")
        return _("Danke! Ihr Termin geht an jemanden, der wartet.")
    if action == "new-date":
        record_request(appointment, "new_date", reason=form.reason.data, weekdays=",".join(form.weekdays.data or []),
                       day_times=",".join(form.day_times.data or []), note=form.note.data or "", wants_new_date=True)
        return _("Danke! Wir suchen einen neuen Termin und schicken Ihnen einen Brief. Bis dahin gilt der alte "
                 "Termin.")
    if action == "remind":
        reminder = session.scalars(select(Reminder).where(Reminder.appointment_id == appointment.id)).first()
        if reminder is None:
            reminder = Reminder(appointment_id=appointment.id)
            session.add(reminder)
        reminder.email, reminder.language = form.email.data, language
        if reminders_on_schedule(appointment):
            return _("Danke! Wir erinnern Sie 3 Tage und 1 Tag vor dem Termin per E-Mail.")
        return _("Danke! Wir erinnern Sie vor dem Termin per E-Mail.")
    if action == "stop-reminders":
        session.execute(Reminder.__table__.delete().where(Reminder.appointment_id == appointment.id))
        return _("Sie bekommen keine Erinnerungen mehr. Ihre E-Mail-Adresse ist gelöscht.")
    if action == "leave-list":
        session.execute(ShortNoticeEntry.__table__.delete().where(ShortNoticeEntry.appointment_id == appointment.id))
        # Off the list means no earlier date: an offer still open would move the appointment all the same.
        withdraw_offers(appointment, toolkit.utcnow())
        if not has_date(appointment):
            return _("Sie stehen nicht mehr auf der Liste. Ihre E-Mail-Adresse ist gelöscht.")
        return _("Sie stehen nicht mehr auf der Liste. Ihre E-Mail-Adresse ist gelöscht; Ihr bisheriger Termin "
                 "bleibt.")
    entry = session.scalars(select(ShortNoticeEntry).where(ShortNoticeEntry.appointment_id == appointment.id)).first()
    if entry is None:
        entry = ShortNoticeEntry(appointment_id=appointment.id, created_at=toolkit.utcnow())
        session.add(entry)
    entry.email, entry.language, entry.permit_expires = form.email.data or "", language, form.permit_expires.data
    return _("Danke! Sie stehen auf der Liste. Wird ein Termin frei, bieten wir ihn Ihnen an.")


@bp.route("/self-service/mail/<token>")
def mail_link(token: str):
    """Open the page of a reminder's link; changing anything takes a button, so mail scanners change nothing."""
    appointment, action = appointment_for_mail_link(token)
    if appointment is None:
        raise NotFound()
    if not _allowed(action, appointment):
        return _not_possible(appointment)
    if action == "confirm" and confirmed(appointment):
        # Opened again after confirming: the page says so instead of offering the button once more.
        return _done(appointment, _("Danke! Wir haben notiert, dass Sie kommen."))
    return _render_action(action, appointment, FORMS[action](formdata=None))


@bp.route("/offer/<token>", methods=["GET", "POST"])
@_selfservice_limits
def offer(token: str):
    offer = offer_for_token(token)
    if offer is None:
        raise NotFound()
    form = ActionForm()
    appointment = toolkit.session().get(Appointment, offer.appointment_id)
    slot = toolkit.session().get(FreedSlot, offer.slot_id)
    # A postponed client has no date of their own, nor has one who gave theirs back: nothing of theirs is freed or
    # stays.
    dated = had_date(appointment) and not given_back(appointment)
    if request.method == "POST" and form.validate():
        # A second tap waits for the first and finds the offer accepted, instead of the slot taken by someone.
        toolkit.hold(appointment)
        taken = accept(offer)
        toolkit.session().commit()
        if taken:
            return _done(appointment, _("Der Termin gehört Ihnen: %(slot)s. Ihr bisheriger Termin gilt nicht mehr.",
                                        slot=slot_text(slot)) if dated else
                         _("Der Termin gehört Ihnen: %(slot)s.", slot=slot_text(slot)))
        if slot.taken_by_offer_id is None:
            # Expired, or ended when the client gave their date back or left the list: nobody took it.
            return _done(appointment, _("Dieses Angebot gilt nicht mehr. Ihr bisheriger Termin bleibt.") if dated
                         else _("Dieses Angebot gilt nicht mehr."), "error")
        return _done(appointment, _("Dieser Termin ist leider schon vergeben. Ihr bisheriger Termin bleibt.")
                     if dated else _("Dieser Termin ist leider schon vergeben."), "error")
    open_now = offer.state == "open" and offer.expires_at > toolkit.utcnow() and slot.taken_by_offer_id is None
    return render_template("appointments/selfservice/offer.html", form=form, open_now=open_now, token=token,
                           accepted=offer.state == "accepted", dated=dated,
                           slot_description=slot_text(slot), facts=describe(appointment, given_back(appointment)),
                           result_url=url_for("appointments.result", token=result_token(appointment))), \
        422 if form.errors else 200
