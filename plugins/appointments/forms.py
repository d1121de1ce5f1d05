"""Forms of the appointments plugin: the public lookup and the staff pages."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal import toolkit
from portal.toolkit import _, _l

from .matching import has_non_latin_letters, is_valid_reference, normalize_reference
from .services import known_services, service_name
from .statuses import STATUSES, STATUSES_NEEDING_DATE

# A month of appointments at most in one export, so one request stays small.
EXPORT_MAX_DAYS = 31


def reference_problem(reference: str) -> str | None:
    """Return a translated reason why a normalized reference cannot be one of ours, or None."""
    if not reference:
        return _("Bitte geben Sie die Vorgangsnummer ein.")
    if has_non_latin_letters(reference):
        # Typed on a keyboard of another script: letters that look Latin are mapped already, the others are not.
        return _("Die Vorgangsnummer wird mit lateinischen Buchstaben (A bis Z) geschrieben, zum Beispiel M-100001. "
                 "Bitte stellen Sie Ihre Tastatur auf lateinische Buchstaben um.")
    if not is_valid_reference(reference):
        return _("Die Vorgangsnummer besteht aus 3 bis 32 Buchstaben, Ziffern und Bindestrichen. "
                 "Bitte prüfen Sie Ihre Eingabe.")
    return None


class LookupForm(toolkit.Form):
    """Reference number and date of birth, the date in three boxes that work on every phone."""

    reference = StringField(_l("Vorgangsnummer"))
    birth_date = toolkit.BirthDateField(_l("Geburtsdatum"))

    def validate(self, extra_validators=None) -> bool:
        """Check both parts; the reference is forgiven spaces, lower case and digits of other scripts."""
        valid = super().validate(extra_validators)
        self.reference.data = normalize_reference(self.reference.data or "")
        problem = reference_problem(self.reference.data)
        if problem:
            self.reference.errors = [*self.reference.errors, problem]
        return valid and not problem

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


def _choices(pairs, empty_label: str | None = None) -> list[SelectChoice]:
    """Return select options, led by an option for "any" when empty_label is given."""
    options = [SelectChoice("", empty_label)] if empty_label else []
    return options + [SelectChoice(value, str(label)) for value, label in pairs]


def _service_choices(empty_label: str | None) -> list[SelectChoice]:
    return _choices(((slug, service_name(slug)) for slug in known_services()), empty_label)


def _status_choices(empty_label: str | None) -> list[SelectChoice]:
    return _choices(((code, status.label) for code, status in STATUSES.items()), empty_label)


class SearchForm(toolkit.Form):
    """Filters of the staff search; sent with GET, so it needs no CSRF token."""

    class Meta:
        csrf = False

    reference = StringField(_l("Vorgangsnummer"), validators=[Optional(), Length(max=32)])
    service = SelectField(_l("Leistung"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    day = toolkit.DayField(_l("Datum"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service.choices = _service_choices(_("Alle Leistungen"))
        self.status.choices = _status_choices(_("Alle Status"))


class AppointmentForm(toolkit.Form):
    """What staff may change on an appointment; `version` detects a colleague's save in between."""

    status = SelectField(_l("Status"))
    day = toolkit.DayField(_l("Datum"), validators=[Optional()])
    clock = TimeField(_l("Uhrzeit"), validators=[Optional()],
                      invalid_value_message=_l("Bitte eine gültige Uhrzeit angeben, zum Beispiel 09:30."))
    building = StringField(_l("Gebäude"), validators=[Length(max=120)])
    room = StringField(_l("Raum"), validators=[Length(max=40)])
    persons_allowed = SelectField(_l("Personen"), coerce=int)
    outside_hours_confirmed = BooleanField(_l("Trotzdem speichern: Das Amt ist zu diesem Termin ausnahmsweise "
                                              "geöffnet."))
    version = toolkit.VersionField()

    def __init__(self, *args, stored_start=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _status_choices(None)
        self.persons_max = toolkit.plugin_settings("appointments")["persons_max"]
        self.persons_allowed.choices = _choices((str(count), str(count)) for count in range(1, self.persons_max + 1))
        # The day and time saved before (office clock), which may stay as they are even when past or closed.
        self.stored_start = stored_start
        self.outside_hours = False

    def validate(self, extra_validators=None) -> bool:
        """Check that date and time come together, that a dated status has them and a date its building."""
        valid = super().validate(extra_validators)
        if (self.day.data is None) != (self.clock.data is None) and not self.day.errors and not self.clock.errors:
            missing = self.clock if self.day.data else self.day
            problem = _("Datum und Uhrzeit gehören zusammen: Bitte beide angeben oder beide leer lassen.")
            missing.errors = [*missing.errors, problem]
            valid = False
        elif self.day.data is None and self.status.data in STATUSES_NEEDING_DATE and not self.day.errors:
            self.day.errors = [*self.day.errors, _("Bei diesem Status braucht der Termin ein Datum und eine Uhrzeit.")]
            valid = False
        if self.day.data is not None and not (self.building.data or "").strip():
            # The client's page and letter say where to come; a date without a place sends them nowhere.
            self.building.errors = [*self.building.errors, _("Bitte geben Sie an, in welchem Gebäude der Termin ist.")]
            valid = False
        return self._check_new_date() and valid

    def _check_new_date(self) -> bool:
        """Refuse a new date on a past day; ask to confirm one when the office is closed then."""
        day, clock = self.day.data, self.clock.data
        status = STATUSES.get(self.status.data)
        if day is None or clock is None or status is None or not status.has_date or (day, clock) == self.stored_start:
            return True
        if day < toolkit.office_today():
            self.day.errors = [*self.day.errors, _("Dieser Tag ist schon vorbei. Bitte wählen Sie einen Tag ab heute.")]
            return False
        if toolkit.office_open_at(day, clock):
            return True
        self.outside_hours = True
        if self.outside_hours_confirmed.data:
            return True
        self.clock.errors = [*self.clock.errors, (
            _("Das Amt ist an diesem Tag zu dieser Uhrzeit nicht geöffnet (geöffnet: %(hours)s).",
              hours=toolkit.opening_times_text(day))
            if toolkit.opening_times(day) else _("Das Amt ist an diesem Wochentag geschlossen.")) + " " + _(
            "Bitte prüfen Sie Datum und Uhrzeit, oder bestätigen Sie unten, dass das Amt ausnahmsweise geöffnet ist.")]
        return False


class ImportForm(toolkit.Form):
    """The CSV export to import."""

    file = FileField(_l("CSV-Datei"), validators=[FileRequired(_l("Bitte wählen Sie eine CSV-Datei aus."))])


class LetterForm(toolkit.Form):
    """The client's language for the second half of the invitation letter; sent with GET."""

    class Meta:
        csrf = False

    # Not asked for yet (the day view's link): the letter is in the source language alone.
    language = SelectField(_l("Sprache des Briefs neben Deutsch"), default=toolkit.source_language)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = _choices((code, toolkit.language_name(code)) for code in toolkit.enabled_languages())


class DayLettersForm(toolkit.DayChoiceForm, LetterForm):
    """The day whose invitation letters to print, and their second language; sent with GET."""


class UnlockForm(toolkit.Form):
    """Let lookups of a reference locked by failed lookups go through again."""

    reference = HiddenField(validators=[Length(min=1, max=64)])


class ExportForm(toolkit.Form):
    """The days of the CSV export for the specialist system's mail merge; sent with GET."""

    class Meta:
        csrf = False

    first_day = toolkit.DayField(_l("Vom"), validators=[InputRequired(_l("Bitte geben Sie den ersten Tag an."))])
    last_day = toolkit.DayField(_l("Bis einschließlich"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """Check the dates; the range ends on its first day unless a later last day is given, at most 31 days."""
        if not super().validate(extra_validators):
            return False
        last = self.last_day.data or self.first_day.data
        if last < self.first_day.data:
            self.last_day.errors.append(_("Der letzte Tag liegt vor dem ersten."))
            return False
        if (last - self.first_day.data).days >= EXPORT_MAX_DAYS:
            self.last_day.errors.append(toolkit.ngettext("Bitte höchstens %(days)d Tag auf einmal.",
                                                           "Bitte höchstens %(days)d Tage auf einmal.",
                                                           EXPORT_MAX_DAYS, days=EXPORT_MAX_DAYS))
            return False
        self.last_day.data = last
        return True
