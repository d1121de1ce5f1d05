"""The notice form: settings of the notice, and a title and text for each enabled language."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal import toolkit

from .models import CATEGORIES, PRIORITIES

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class NoticeForm(FlaskForm):
    category = SelectField(toolkit._l("Thema"), choices=[SelectChoice(key, label) for key, label in CATEGORIES.items()])
    priority = SelectField(toolkit._l("Dringlichkeit"),
                           choices=[SelectChoice(key, label) for key, label in PRIORITIES.items()])
    starts_at = DateTimeLocalField(toolkit._l("Sichtbar ab"), format=DATETIME_FORMAT, validators=[InputRequired()])
    ends_at = DateTimeLocalField(toolkit._l("Sichtbar bis (freiwillig)"), format=DATETIME_FORMAT,
                                 validators=[Optional()])
    version = toolkit.VersionField()

    def language_fields(self, code: str):
        """Return the title and text fields of one language."""
        return self[f"title_{code}"], self[f"body_{code}"]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.starts_at.data and self.ends_at.data and self.ends_at.data <= self.starts_at.data:
            self.ends_at.errors.append(toolkit._("Das Ende muss nach dem Beginn liegen."))
            valid = False
        for code in self.languages:
            title, body = self.language_fields(code)
            has_title, has_body = bool((title.data or "").strip()), bool((body.data or "").strip())
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
        result = {}
        for code in self.languages:
            title, body = self.language_fields(code)
            if (title.data or "").strip():
                result[code] = {"title": title.data.strip(), "body": body.data.strip()}
        return result


def notice_form(languages: list[str], required_language: str, **kwargs) -> NoticeForm:
    """Build the notice form for the enabled languages, the required one first."""
    ordered = [required_language] + [code for code in languages if code != required_language]

    class LanguageNoticeForm(NoticeForm):
        pass

    for code in ordered:
        setattr(LanguageNoticeForm, f"title_{code}", StringField(validators=[Length(max=200)]))
        setattr(LanguageNoticeForm, f"body_{code}", TextAreaField(validators=[Length(max=20000)]))
    form = LanguageNoticeForm(**kwargs)
    form.languages = ordered
    form.required_language = required_language
    for code in ordered:
        title, body = form.language_fields(code)
        name = toolkit.language_name(code)
        title.label.text = toolkit._("Titel (%(language)s)", language=name)
        body.label.text = toolkit._("Text (%(language)s)", language=name)
    return form
