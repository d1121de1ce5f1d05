"""Forms of the naturalisation plugin: client lookup and the staff's case, import and appointment forms."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from portal import toolkit
from portal.toolkit import _, _l

from .importer import parse_birth_date, parse_family, parse_reference


def _reference(_form, field):
    try:
        field.data = parse_reference(field.data or "")
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class LookupForm(toolkit.Form):
    """Find a handover appointment by case reference and the date of birth of one person."""

    reference = StringField(_l("Aktenzeichen"), validators=[_reference])
    birth_date = toolkit.BirthDateField(_l("Geburtsdatum einer Person aus dem Fall"))


class CaseForm(toolkit.VersionForm):
    """Record a case whose certificates are ready."""

    reference = StringField(_l("Aktenzeichen"), validators=[_reference])
    ready_on = toolkit.DayField(_l("Urkunden liegen bereit ab"),
                                validators=[InputRequired(_l("Bitte das Datum angeben."))])
    births = TextAreaField(_l("Geburtsdaten der Personen"))
    family_group = StringField(_l("Familie (optional)"), validators=[Length(max=40, message=_l(
        "Höchstens 40 Zeichen."))])
    letter_language = SelectField(_l("Zweite Sprache des Einladungsschreibens"), choices=[],
                                  invalid_choice_message=_l("Bitte aus der Liste wählen."))
    sending_key = toolkit.SendingKeyField()
    # Stored dates of birth are hashes: editing a case keeps its persons unless their dates are typed again.
    births_required = True

    def validate_births(self, field):
        births, problems = [], []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                births.append(parse_birth_date(line.strip()))
            except ValueError as exc:
                problems.append(_("Zeile %(line)d: %(reason)s", line=number, reason=str(exc)))
        if problems:
            raise ValidationError(" ".join(problems))
        if not births and self.births_required:
            raise ValidationError(_("Bitte mindestens ein Geburtsdatum angeben."))
        self.birth_dates = births

    def validate_family_group(self, field):
        if field.errors:  # too long: the Length validator, whose limit the field's maxlength shows, said so
            return
        try:
            field.data = parse_family((field.data or "").strip())
        except ValueError as problem:
            raise ValidationError(str(problem)) from problem


class ImportForm(toolkit.Form):
    """Upload a CSV file of ready certificates."""

    file = FileField(_l("CSV-Datei"), validators=[FileRequired(_l("Bitte eine Datei auswählen."))])


class MoveForm(toolkit.VersionForm):
    """Give an appointment another day, time or room."""

    day = toolkit.DayField(_l("Tag"), validators=[InputRequired(_l("Bitte den Tag angeben."))])
    starts_at = SelectField(_l("Uhrzeit"), choices=[], invalid_choice_message=_l("Bitte aus der Liste wählen."))
    office = SelectField(_l("Raum"), choices=[], invalid_choice_message=_l("Bitte aus der Liste wählen."))


class PlanForm(toolkit.Form):
    """Start the planning run."""
