"""Staff forms: a glossary term with its translations, and a help time."""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal import toolkit
from portal.toolkit import _l

from .languages import name_in_page_language


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _term_label(code: str) -> str:
    return toolkit._("Begriff auf %(language)s", language=name_in_page_language(code))


def _explanation_label(code: str) -> str:
    return toolkit._("Erklärung auf %(language)s", language=name_in_page_language(code))


class GlossaryTermForm(toolkit.Form):
    """The term and explanation in the source language, and both in every other enabled language."""

    version = toolkit.VersionField()
    term = StringField(filters=[_strip],
                       validators=[InputRequired(message=_l("Bitte geben Sie den Begriff ein.")), Length(max=200)])
    explanation = TextAreaField(filters=[_strip],
                                validators=[InputRequired(message=_l("Bitte geben Sie eine Erklärung ein.")),
                                            Length(max=2000)])
    terms = toolkit.PerLanguageField(
        field=StringField(filters=[_strip], validators=[Optional(), Length(max=200)]),
        languages=toolkit.languages_besides_source, label_for=_term_label)
    explanations = toolkit.PerLanguageField(
        field=TextAreaField(filters=[_strip], validators=[Optional(), Length(max=2000)]),
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
    day = toolkit.DayField(_l("Datum"), validators=[InputRequired(message=_l("Bitte geben Sie ein Datum ein."))])
    starts_at = TimeField(_l("Beginn"), validators=[InputRequired(message=_l("Bitte geben Sie die Uhrzeit ein."))])
    ends_at = TimeField(_l("Ende"), validators=[InputRequired(message=_l("Bitte geben Sie die Uhrzeit ein."))])
    languages = MultiCheckboxField(_l("Sprachen"), choices=[], validate_choice=True)
    other_languages = StringField(_l("Weitere Sprachen"), filters=[_strip], validators=[Length(max=200)])
    place = StringField(_l("Ort"), filters=[_strip],
                        validators=[InputRequired(message=_l("Bitte geben Sie den Ort an.")), Length(max=200)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.day.data and self.day.data < toolkit.office_today():
            self.day.errors.append(toolkit._("Das Datum liegt in der Vergangenheit."))
            valid = False
        if self.starts_at.data and self.ends_at.data and self.ends_at.data <= self.starts_at.data:
            self.ends_at.errors.append(toolkit._("Das Ende muss nach dem Beginn liegen."))
            valid = False
        if not self.languages.data and not self.other_languages.data:
            self.languages.errors.append(
                toolkit._("Bitte wählen Sie mindestens eine Sprache oder tragen Sie eine weitere Sprache ein."))
            valid = False
        return valid


def help_time_form(**values) -> HelpTimeForm:
    """Build the help time form with the enabled languages (except the source language) to choose from."""
    form = HelpTimeForm(**values)
    form.languages.choices = [(code, name_in_page_language(code)) for code in toolkit.enabled_languages()
                              if code != toolkit.source_language()]
    return form
