"""Forms of the appointments plugin: the public lookup and the staff pages."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal import toolkit
from portal.toolkit import _, _l

from .matching import is_valid_reference, normalize_reference
from .services import known_services, service_name
from .statuses import STATUSES, STATUSES_NEEDING_DATE


def reference_problem(reference: str) -> str | None:
    """Return a translated reason why a normalized reference cannot be one of ours, or None."""
    if not reference:
        return _("Bitte geben Sie die Vorgangsnummer ein.")
    if not is_valid_reference(reference):
        return _("Die Vorgangsnummer besteht aus 3 bis 32 Buchstaben, Ziffern und Bindestrichen. "
                 "Bitte prüfen Sie Ihre Eingabe.")
    return None


def birth_date_problem(birth_date: date) -> str | None:
    """Return a translated reason why a date cannot be a client's date of birth, or None."""
    if birth_date > toolkit.office_today() or birth_date.year < 1900:
        return _("Bitte prüfen Sie das Geburtsdatum.")
    return None


class LookupForm(FlaskForm):
    """Reference number and date of birth, the date in three boxes that work on every phone."""

    reference = StringField(_l("Vorgangsnummer"))
    day = StringField(_l("Tag"))
    month = StringField(_l("Monat"))
    year = StringField(_l("Jahr"))

    def validate(self, extra_validators=None) -> bool:
        """Check both parts; the date's problems are kept apart, since they concern three boxes at once."""
        self.birth_date: date | None = None
        self.birth_date_errors: list[str] = []
        valid = super().validate(extra_validators)
        self.reference.data = normalize_reference(self.reference.data or "")
        problem = reference_problem(self.reference.data)
        if problem:
            self.reference.errors = [*self.reference.errors, problem]
        parts = [(getattr(self, name).data or "").strip() for name in ("day", "month", "year")]
        if not all(parts):
            self.birth_date_errors.append(_("Bitte geben Sie Tag, Monat und Jahr Ihrer Geburt ein."))
        else:
            try:
                day, month, year = (int(part) for part in parts)
                self.birth_date = date(year, month, day)
            except ValueError:
                self.birth_date_errors.append(_("Dieses Datum gibt es nicht. Bitte prüfen Sie Tag, Monat und Jahr."))
            else:
                problem = birth_date_problem(self.birth_date)
                if problem:
                    self.birth_date_errors.append(problem)
        return valid and not self.reference.errors and not self.birth_date_errors

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or getattr(self, "birth_date_errors", None))


def _choices(pairs, empty_label: str | None = None) -> list[SelectChoice]:
    """Return select options, led by an option for "any" when empty_label is given."""
    options = [SelectChoice("", empty_label)] if empty_label else []
    return options + [SelectChoice(value, str(label)) for value, label in pairs]


def _service_choices(empty_label: str | None) -> list[SelectChoice]:
    return _choices(((slug, service_name(slug)) for slug in known_services()), empty_label)


def _status_choices(empty_label: str | None) -> list[SelectChoice]:
    return _choices(((code, status.label) for code, status in STATUSES.items()), empty_label)


class SearchForm(FlaskForm):
    """Filters of the staff search; sent with GET, so it needs no CSRF token."""

    class Meta:
        csrf = False

    reference = StringField(_l("Vorgangsnummer"), validators=[Optional(), Length(max=32)])
    service = SelectField(_l("Leistung"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    day = DateField(_l("Datum"), validators=[Optional()], invalid_value_message=_l("Bitte ein gültiges Datum angeben."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service.choices = _service_choices(_("Alle Leistungen"))
        self.status.choices = _status_choices(_("Alle Status"))


class AppointmentForm(FlaskForm):
    """What staff may change on an appointment; `version` detects a colleague's save in between."""

    status = SelectField(_l("Status"))
    day = DateField(_l("Datum"), validators=[Optional()], invalid_value_message=_l("Bitte ein gültiges Datum angeben."))
    clock = TimeField(_l("Uhrzeit"), validators=[Optional()],
                      invalid_value_message=_l("Bitte eine gültige Uhrzeit angeben, zum Beispiel 09:30."))
    building = StringField(_l("Gebäude"), validators=[Length(max=120)])
    room = StringField(_l("Raum"), validators=[Length(max=40)])
    persons_allowed = SelectField(_l("Personen"), coerce=int, choices=_choices([("1", "1"), ("2", "2")]))
    version = toolkit.VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = _status_choices(None)

    def validate(self, extra_validators=None) -> bool:
        """Check that date and time come together and that a dated status has them."""
        valid = super().validate(extra_validators)
        if (self.day.data is None) != (self.clock.data is None) and not self.day.errors and not self.clock.errors:
            missing = self.clock if self.day.data else self.day
            problem = _("Datum und Uhrzeit gehören zusammen: Bitte beide angeben oder beide leer lassen.")
            missing.errors = [*missing.errors, problem]
            valid = False
        elif self.day.data is None and self.status.data in STATUSES_NEEDING_DATE and not self.day.errors:
            self.day.errors = [*self.day.errors, _("Bei diesem Status braucht der Termin ein Datum und eine Uhrzeit.")]
            valid = False
        return valid


class ImportForm(FlaskForm):
    """The CSV export to import."""

    file = FileField(_l("CSV-Datei"), validators=[FileRequired(_l("Bitte wählen Sie eine CSV-Datei aus."))])


class LetterForm(FlaskForm):
    """The client's language for the second half of the invitation letter; sent with GET."""

    class Meta:
        csrf = False

    language = SelectField(_l("Sprache des Briefs neben Deutsch"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = _choices((code, toolkit.language_name(code)) for code in toolkit.enabled_languages())
