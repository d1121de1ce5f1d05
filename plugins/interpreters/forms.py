"""Staff forms: a glossary term with its translations, and a help time."""

from __future__ import annotations

from datetime import date, time

from babel.dates import get_day_names
from babel.lists import format_list
from flask_babel import format_date, get_locale
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal import toolkit
from portal.toolkit import _l

from .languages import name_in_page_language


def _term_label(code: str) -> str:
    return toolkit._("Begriff auf %(language)s", language=name_in_page_language(code))


def _explanation_label(code: str) -> str:
    return toolkit._("Erklärung auf %(language)s", language=name_in_page_language(code))


class GlossaryTermForm(toolkit.Form):
    """The term and explanation in the source language, and both in every other enabled language."""

    version = toolkit.VersionField()
    sending_key = toolkit.SendingKeyField()
    term = StringField(filters=[toolkit.strip_spaces],
                       validators=[InputRequired(message=_l("Bitte geben Sie den Begriff ein.")), Length(max=200)])
    explanation = TextAreaField(filters=[toolkit.strip_spaces],
                                validators=[InputRequired(message=_l("Bitte geben Sie eine Erklärung ein.")),
                                            Length(max=2000)])
    terms = toolkit.PerLanguageField(
        field=StringField(filters=[toolkit.strip_spaces], validators=[Optional(), Length(max=200)]),
        languages=toolkit.languages_besides_source, label_for=_term_label)
    explanations = toolkit.PerLanguageField(
        field=TextAreaField(filters=[toolkit.strip_spaces], validators=[Optional(), Length(max=2000)]),
        languages=toolkit.languages_besides_source, label_for=_explanation_label)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The configuration, not the code, says which language the office writes in.
        source = toolkit.source_language()
        for field, label in ((self.term, _term_label), (self.explanation, _explanation_label)):
            field.label.text = label(source)
            field.render_kw = {"lang": toolkit.language_tag(source), "dir": toolkit.text_direction(source)}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for code in self.terms.codes:
            term, explanation = self.terms[code], self.explanations[code]
            if bool(term.data) != bool(explanation.data):
                empty = explanation if term.data else term
                empty.errors.append(toolkit._("Bitte füllen Sie Begriff und Erklärung aus oder lassen Sie beide leer."))
                valid = False
        return valid


class MultiCheckboxField(SelectMultipleField):
    """Several choices as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class HelpTimeForm(toolkit.Form):
    """When, in which languages and where volunteers help."""

    version = toolkit.VersionField()
    sending_key = toolkit.SendingKeyField()
    day = toolkit.DayField(_l("Datum"), validators=[InputRequired(message=_l("Bitte geben Sie ein Datum ein."))])
    starts_at = TimeField(_l("Beginn"), validators=[InputRequired(message=_l("Bitte geben Sie die Uhrzeit ein."))])
    ends_at = TimeField(_l("Ende"), validators=[InputRequired(message=_l("Bitte geben Sie die Uhrzeit ein."))])
    languages = MultiCheckboxField(_l("Sprachen"), choices=[], validate_choice=True)
    other_languages = StringField(_l("Weitere Sprachen"), filters=[toolkit.strip_spaces], validators=[Length(max=200)])
    by_phone = BooleanField(_l("Sprachhilfe am Telefon"))
    place = StringField(_l("Ort"), filters=[toolkit.strip_spaces],
                        validators=[InputRequired(message=_l("Bitte geben Sie den Ort an.")), Length(max=200)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        day, starts_at, ends_at = self.day.data, self.starts_at.data, self.ends_at.data
        if day and day < toolkit.office_today():
            self.day.errors.append(toolkit._("Das Datum liegt in der Vergangenheit."))
            valid = False
        if starts_at and ends_at and ends_at <= starts_at:
            self.ends_at.errors.append(toolkit._("Das Ende muss nach dem Beginn liegen."))
            valid = False
        if not self.languages.data and not self.other_languages.data:
            self.languages.errors.append(
                toolkit._("Bitte wählen Sie mindestens eine Sprache oder tragen Sie eine weitere Sprache ein."))
            valid = False
        if not (self.day.errors or self.starts_at.errors or self.ends_at.errors):
            # Checked even when other fields are wrong, so that one answer names everything to correct.
            check = self._phone_hours_kept if self.by_phone.data else self._opening_hours_kept
            valid = check(day, starts_at, ends_at) and valid
        return valid

    def _phone_hours_kept(self, day: date, starts_at: time, ends_at: time) -> bool:
        """Refuse help by phone at night, before `phone_help_from` or after `phone_help_until`."""
        settings = toolkit.plugin_settings("interpreters")
        earliest, latest = settings["phone_help_from"], settings["phone_help_until"]
        at_fault = [field for field, moment in ((self.starts_at, starts_at), (self.ends_at, ends_at))
                    if not earliest <= moment <= latest]
        message = toolkit._("Sprachhilfe am Telefon ist nur zwischen %(earliest)s und %(latest)s Uhr möglich.",
                            earliest=earliest.strftime("%H:%M"), latest=latest.strftime("%H:%M"))
        for field in at_fault:
            field.errors.append(message)
        return not at_fault

    def _opening_hours_kept(self, day: date, starts_at: time, ends_at: time) -> bool:
        """Refuse help in the building on a day the office is closed or outside its opening hours that day."""
        if not toolkit.opening_weekdays():
            return True  # The office names no opening hours: nothing to keep to.
        hours = toolkit.opening_times(day)
        locale = get_locale()
        weekday = format_date(day, "EEEE")
        if not hours:
            day_names = get_day_names("wide", locale=locale)
            open_days = format_list([day_names[number] for number in sorted(toolkit.opening_weekdays())], locale=locale)
            self.day.errors.append(toolkit._(
                "Am %(weekday)s ist das Amt geschlossen. Sprachhilfe im Haus ist nur an Öffnungstagen möglich: "
                "%(days)s.", weekday=weekday, days=open_days))
            return False
        if any(opens <= starts_at and ends_at <= closes for opens, closes in hours):
            return True
        starts_open = any(opens <= starts_at < closes for opens, closes in hours)
        ends_open = any(opens < ends_at <= closes for opens, closes in hours)
        # A start in the opening hours with the end outside them, or past a break, leaves the end to change.
        at_fault = ([] if starts_open else [self.starts_at]) + ([self.ends_at] if starts_open or not ends_open else [])
        message = toolkit._("Sprachhilfe im Haus muss in den Öffnungszeiten liegen. Am %(weekday)s ist das Amt "
                            "geöffnet: %(hours)s.", weekday=weekday, hours=toolkit.opening_times_text(day))
        for field in at_fault:
            field.errors.append(message)
        return False


def help_time_form(**values) -> HelpTimeForm:
    """Build the help time form with the enabled languages (except the source language) to choose from."""
    form = HelpTimeForm(**values)
    form.languages.choices = [(code, name_in_page_language(code)) for code in toolkit.enabled_languages()
                              if code != toolkit.source_language()]
    return form
