"""Forms: a rule for staff, and the choice of languages and location for the door poster."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal import toolkit
from portal.toolkit import _, _l

TEXT_LENGTH = 400
MIN_METRES, MAX_METRES = Decimal("0.5"), Decimal("10")


def parse_metres(value: str) -> Decimal:
    """Read a distance typed as 1,5 or 1.5; raise ValueError when it is no number in the allowed range."""
    try:
        metres = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(value) from None
    if not metres.is_finite() or not MIN_METRES <= metres <= MAX_METRES or metres != round(metres, 2):
        raise ValueError(value)
    return metres


def _check_metres(_form, field) -> None:
    try:
        parse_metres(field.data)
    except ValueError:
        raise ValidationError(_("Bitte geben Sie eine Zahl zwischen 0,5 und 10 ein, zum Beispiel 1,5.")) from None


# The form is sent unchecked by the browser (novalidate), so that every message is the portal's, in the page's language.
POSITION_MESSAGE = _l("Bitte geben Sie eine Zahl von 1 bis 999 ein; kleinere Zahlen stehen weiter oben.")


class RuleForm(toolkit.VersionForm):
    """A rule: kind, parameter, texts per language, location and validity."""

    kind = SelectField(_l("Art der Regel"), choices=[])
    persons = IntegerField(_l("Höchstzahl der Personen pro Raum"), validators=[
        Optional(), NumberRange(min=1, max=50, message=_l("Bitte geben Sie eine Zahl von 1 bis 50 ein."))])
    metres = StringField(_l("Abstand in Metern"), validators=[Optional(), _check_metres])
    location = SelectField(_l("Standort"), choices=[])
    starts_on = toolkit.DayField(_l("Gilt ab"),
                                 validators=[InputRequired(_l("Bitte geben Sie an, ab wann die Regel gilt."))])
    ends_on = toolkit.DayField(_l("Gilt bis einschließlich"), validators=[Optional()])
    position = IntegerField(_l("Reihenfolge"), validators=[InputRequired(POSITION_MESSAGE),
                                                            NumberRange(min=1, max=999, message=POSITION_MESSAGE)])
    # Named, so that the error summary says whose text is wrong in the reader's language ("Text" came from WTForms).
    text = toolkit.PerLanguageField(_l("Text für Besucherinnen und Besucher"),
                                    field=TextAreaField(validators=[Optional(), Length(max=TEXT_LENGTH)]))
    # Set when only a typing error of the source text was corrected: the translations stay current.
    translations_still_fit = BooleanField(_l("Die Übersetzungen passen weiterhin: Ich habe nur Tippfehler berichtigt."))
    sending_key = toolkit.SendingKeyField()


class PosterForm(toolkit.Form):
    """Which languages join the source language on the door poster, and for which location."""

    class Meta:
        # A GET form that changes nothing: no token needed, and the address can be bookmarked.
        csrf = False

    languages = SelectMultipleField(_l("Weitere Sprachen"), choices=[], widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())
    location = SelectField(_l("Standort"), choices=[])
