"""Staff forms: a checklist's source-language text and structure, its translation into one language, and questions."""

from __future__ import annotations

from markupsafe import Markup
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import Label
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal import toolkit
from portal.toolkit import _l

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
QUESTION_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
TITLE_LENGTH = 150
SUMMARY_LENGTH = 1000
ITEM_LENGTH = 300
HINT_LENGTH = 1000
# Empty rows offered below the items for new ones; more can be added after each save.
NEW_ITEM_ROWS = 2


class NewServiceForm(toolkit.Form):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=TITLE_LENGTH)])
    slug = StringField(_l("Kurzname für die Adresse"), validators=[
        DataRequired(), Length(max=80),
        Regexp(SLUG_PATTERN, message=_l("Bitte nur Kleinbuchstaben ohne Umlaute, Ziffern und Bindestriche "
                                        "verwenden, zum Beispiel „blaue-karte“."))])
    summary = TextAreaField(_l("Kurzbeschreibung"), validators=[Optional(), Length(max=SUMMARY_LENGTH)])
    sending_key = toolkit.SendingKeyField()


class RowFieldLabel(Label):
    """A row field's label: the field's name beside the row's legend, with the row's for screen readers and errors."""

    def __init__(self, label: Label, row: str):
        # The error summary lists a row's fields by their labels' text, away from the row's legend: so it names the row.
        super().__init__(label.field_id, f"{row} – {label.text}")
        self.row, self.field_name = row, label.text

    def __call__(self, text=None, **kwargs):
        shown = Markup('<span class="visually-hidden">{} – </span>{}').format(self.row, self.field_name)
        return super().__call__(text or shown, **kwargs)


def name_row(row: toolkit.SubForm, name: str) -> None:
    """Label each field of a row of items with the row's name (RowFieldLabel)."""
    for field in row:
        field.label = RowFieldLabel(field.label, name)


class ItemForm(toolkit.SubForm):
    """One item of the source-language list with its condition; part of ServiceForm."""

    key = HiddenField()
    text = StringField(_l("Bezeichnung"), validators=[Optional(), Length(max=ITEM_LENGTH)])
    hint = TextAreaField(_l("Hinweis"), validators=[Optional(), Length(max=HINT_LENGTH)])
    condition = SelectField(_l("Gilt für"), choices=[])
    example = BooleanField(_l("Beispielangabe: Das Amt muss sie anpassen"))
    position = IntegerField(_l("Reihenfolge"), validators=[Optional(), NumberRange(min=1, max=999)])
    remove = BooleanField(_l("Diesen Punkt entfernen"))


class ServiceForm(toolkit.VersionForm):
    """The source-language texts, the items with their conditions, and whether visitors see the checklist."""

    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=TITLE_LENGTH)])
    summary = TextAreaField(_l("Kurzbeschreibung"), validators=[Optional(), Length(max=SUMMARY_LENGTH)])
    published = BooleanField(_l("Für Besucherinnen und Besucher sichtbar"))
    items = FieldList(FormField(ItemForm))
    translations_still_fit = BooleanField(_l("Die Übersetzungen passen weiterhin: Ich habe nur Tippfehler berichtigt."))
    sending_key = toolkit.SendingKeyField()


class ItemTranslationForm(toolkit.SubForm):
    """One item's text and hint in the language being translated; part of TranslationForm."""

    key = HiddenField()
    text = StringField(_l("Bezeichnung"), validators=[Optional(), Length(max=ITEM_LENGTH)])
    hint = TextAreaField(_l("Hinweis"), validators=[Optional(), Length(max=HINT_LENGTH)])


class TranslationForm(toolkit.VersionForm):
    """Every text of one checklist in one language; empty fields fall back to the source language for visitors."""

    title = StringField(_l("Titel"), validators=[Optional(), Length(max=TITLE_LENGTH)])
    summary = TextAreaField(_l("Kurzbeschreibung"), validators=[Optional(), Length(max=SUMMARY_LENGTH)])
    items = FieldList(FormField(ItemTranslationForm))
    marked_still_fit = BooleanField(_l("Die mit „anzupassen“ markierten Übersetzungen, die ich nicht geändert habe, "
                                       "passen weiterhin."))
    sending_key = toolkit.SendingKeyField()


class QuestionForm(toolkit.VersionForm):
    """A yes/no question in every language; its key is fixed once created."""

    key = StringField(_l("Schlüssel"), validators=[
        DataRequired(), Length(max=40),
        Regexp(QUESTION_KEY_PATTERN, message=_l("Bitte nur Kleinbuchstaben ohne Umlaute, Ziffern und Unterstriche "
                                                "verwenden, beginnend mit einem Buchstaben."))])
    position = IntegerField(_l("Reihenfolge"), validators=[InputRequired(), NumberRange(min=1, max=999)])
    text = toolkit.PerLanguageField(field=StringField(validators=[Optional(), Length(max=200)]),
                                    label_for=lambda _code: toolkit._("Frage"))
    label = toolkit.PerLanguageField(field=StringField(validators=[Optional(), Length(max=200)]),
                                     label_for=lambda _code: toolkit._("Überschrift der Punkte"))
    translations_still_fit = BooleanField(_l("Die Übersetzungen passen weiterhin: Ich habe nur Tippfehler berichtigt."))
    sending_key = toolkit.SendingKeyField()
