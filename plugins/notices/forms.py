"""The notice form: settings of the notice, and a title and text for each enabled language."""

from __future__ import annotations

from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal import toolkit

from .models import CATEGORIES, PRIORITIES

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _notice_languages() -> list[str]:
    """Return the enabled languages, the required one (the source language) first."""
    return [toolkit.source_language(), *toolkit.languages_besides_source()]


class NoticeForm(toolkit.Form):
    category = SelectField(toolkit._l("Thema"), choices=[SelectChoice(key, label) for key, label in CATEGORIES.items()])
    priority = SelectField(toolkit._l("Dringlichkeit"),
                           choices=[SelectChoice(key, label) for key, label in PRIORITIES.items()])
    starts_at = DateTimeLocalField(toolkit._l("Sichtbar ab"), format=DATETIME_FORMAT, validators=[InputRequired()])
    ends_at = DateTimeLocalField(toolkit._l("Sichtbar bis (freiwillig)"), format=DATETIME_FORMAT,
                                 validators=[Optional()])
    version = toolkit.VersionField()
    sending_key = toolkit.SendingKeyField()
    # Set when only a typing error of the source text was corrected: the translations stay current.
    translations_still_fit = BooleanField(toolkit._l("Die Übersetzungen passen weiterhin: Ich habe nur Tippfehler "
                                                     "berichtigt."))
    titles = toolkit.PerLanguageField(
        field=StringField(validators=[Length(max=200)]), languages=_notice_languages,
        label_for=lambda code: toolkit._("Titel (%(language)s)", language=toolkit.language_name(code)))
    bodies = toolkit.PerLanguageField(
        field=TextAreaField(validators=[Length(max=20000)]), languages=_notice_languages,
        label_for=lambda code: toolkit._("Text (%(language)s)", language=toolkit.language_name(code)))

    @property
    def languages(self) -> list[str]:
        """Return the languages of the form, the required one first."""
        return self.titles.codes

    @property
    def required_language(self) -> str:
        return self.titles.codes[0]

    def language_fields(self, code: str):
        """Return the title and text fields of one language."""
        return self.titles[code], self.bodies[code]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.starts_at.data and self.ends_at.data and self.ends_at.data <= self.starts_at.data:
            self.ends_at.errors.append(toolkit._("Das Ende muss nach dem Beginn liegen."))
            valid = False
        titles, bodies = self.titles.data, self.bodies.data
        for code in self.languages:
            title, body = self.language_fields(code)
            has_title, has_body = code in titles, code in bodies
            if code == self.required_language:
                if not has_title:
                    title.errors.append(toolkit._("Bitte geben Sie einen Titel ein."))
                if not has_body:
                    body.errors.append(toolkit._("Bitte geben Sie einen Text ein."))
                valid = valid and has_title and has_body
            elif has_title != has_body:
                missing = body if has_title else title
                missing.errors.append(toolkit._("Titel und Text gehören zusammen: bitte beides ausfüllen oder "
                                                "beides leer lassen."))
                valid = False
        return valid

    def texts(self) -> dict[str, dict[str, str]]:
        """Return the filled-in languages with their title and text."""
        bodies = self.bodies.data
        return {code: {"title": title, "body": bodies.get(code, "")} for code, title in self.titles.data.items()}
