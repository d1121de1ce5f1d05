"""The bases of every form: WTForms' own messages (a field left empty, a number too large) in the portal's words."""

from __future__ import annotations

from itertools import groupby

from flask import g
from flask_babel import get_domain
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import Field
from wtforms import Form as PlainForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, ValidationError

from .i18n import language_name
from .keptforms import is_language_switch

# WTForms' English messages that the portal's forms can show, in the portal's words. WTForms' own catalogs lack
# Kurdish, Pashto and Tigrinya (a visitor read English there), and word the others unlike the portal's pages.
MESSAGES = {
    "This field is required.": _l("Bitte füllen Sie dieses Feld aus."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Bitte %(min)d bis %(max)d Zeichen."),
    "Number must be at least %(min)s.": _l("Bitte geben Sie eine Zahl ab %(min)s ein."),
    "Number must be at most %(max)s.": _l("Bitte geben Sie eine Zahl bis %(max)s ein."),
    "Number must be between %(min)s and %(max)s.": _l("Bitte geben Sie eine Zahl von %(min)s bis %(max)s ein."),
    "Not a valid integer value.": _l("Bitte geben Sie eine ganze Zahl in Ziffern ein."),
    "Not a valid choice.": _l("Bitte aus der Liste wählen."),
    "Invalid Choice: could not coerce.": _l("Bitte aus der Liste wählen."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Bitte aus der Liste wählen."),
    "Not a valid date value.": _l("Bitte geben Sie ein Datum ein."),
    "Not a valid time value.": _l("Bitte eine gültige Uhrzeit angeben, zum Beispiel 09:30."),
    "Not a valid datetime value.": _l("Bitte geben Sie Datum und Uhrzeit vollständig ein."),
    "Not a valid decimal value.": _l("Bitte geben Sie eine Zahl ein."),
    "Not a valid float value.": _l("Bitte geben Sie eine Zahl ein."),
    "Invalid input.": _l("Bitte prüfen Sie die Eingabe: Sie hat nicht die erwartete Form."),
    "Invalid email address.": _l("Bitte geben Sie eine E-Mail-Adresse wie name@example.org ein."),
    "Invalid URL.": _l("Bitte geben Sie eine Internetadresse wie https://www.example.org ein."),
    "Invalid value, must be one of: %(values)s.": _l("Bitte einen dieser Werte angeben: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l("Bitte keinen dieser Werte angeben: %(values)s."),
    # WTForms puts in the other field's label too: its name in the code means nothing to the visitor.
    "Field must be equal to %(other_name)s.": _l("Bitte geben Sie dasselbe ein wie unter %(other_label)s."),
}


class PortalMessages:
    """Give WTForms the portal's words for its messages in the page's language, and WTForms' own for any other."""

    def gettext(self, message: str) -> str:
        found = MESSAGES.get(message)
        return str(found) if found is not None else wtforms_translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        catalog = get_domain().get_translations()
        # Left uninterpolated: WTForms puts in the numbers.
        if singular == "Field must be at least %(min)d character long.":
            return catalog.ungettext("Bitte mindestens %(min)d Zeichen.", "Bitte mindestens %(min)d Zeichen.", count)
        if singular == "Field cannot be longer than %(max)d character.":
            return catalog.ungettext("Bitte höchstens %(max)d Zeichen.", "Bitte höchstens %(max)d Zeichen.", count)
        if singular == "'%(value)s' is not a valid choice for this field.":
            return str(MESSAGES["Not a valid choice."])
        return wtforms_translations.ngettext(singular, plural, count)


PORTAL_MESSAGES = PortalMessages()


class Form(FlaskForm):
    """A page's form, with its CSRF token (FlaskForm) and the portal's words for WTForms' messages."""

    class Meta:
        def get_translations(self, form):
            return PORTAL_MESSAGES

    def validate(self, extra_validators=None) -> bool:
        """Check the form; a copy carried into another language is checked (its errors in that language) but refused."""
        # Kept for the header: a page answering its form with errors offers its language switch with the fields.
        g.setdefault("validated_forms", []).append(self)
        return super().validate(extra_validators) and not is_language_switch()


def strip_spaces(value):
    """Drop the spaces around a typed value, which phones add after autocompletion: a form field's filter."""
    return value.strip() if isinstance(value, str) else value


def has_refused_form() -> bool:
    """Tell whether a form validated in this request has errors, those its view added after validating included."""
    return any(form.errors for form in g.get("validated_forms", ()))


class SubForm(PlainForm):
    """A form inside a page's form (a row of a list), with the same words for WTForms' messages as the page's."""

    class Meta:
        def get_translations(self, form):
            return PORTAL_MESSAGES


def _per_language_label(field: Field, code: str) -> str:
    """Name one language's box by its own label ("Text (Englisch)"), or by the field's and the language's name."""
    label = field[code].label.text
    return label if label != language_name(code) else f"{field.label.text} ({label})"


def _language_codes(field: Field) -> tuple[str, ...] | None:
    """Return the languages of a field per language (None: another field)."""
    return tuple(field.codes) if field.type == "PerLanguageField" else None


def _choices(field: Field) -> bool:
    """Tell whether a field is a group of radio buttons or checkboxes, which has no element of its own id."""
    return getattr(getattr(field, "option_widget", None), "input_type", None) is not None


def error_links(form) -> list[tuple[str, str, list[str]]]:
    """Return each field's errors as (the element to link to, the field's name, its messages), in the page's order.

    Lists and sub-forms (checklist items) link to each inner field. Neighbouring fields per language (a notice's
    titles and texts) stand together by language on their pages, the title of each language above its text, and
    are listed so. Asked at rendering, since a view's own check may add an error after the form validated.
    """
    links = []
    fields = [field for field in form if field.type != "CSRFTokenField"]
    for codes, group in groupby(fields, key=_language_codes):
        run = list(group)
        if codes is not None:
            links += [(field[code].id, _per_language_label(field, code), field[code].errors)
                      for code in codes for field in run if field[code].errors]
            continue
        for field in run:
            for entry in (field if field.type in ("FieldList", "FormField") else [field]):
                for inner in (entry if entry.type == "FormField" else [entry]):
                    if inner.errors:
                        links.append((inner.id + ("-0" if _choices(inner) else ""),
                                      inner.label.text or field.label.text, inner.errors))
    return links


def as_choices(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into the options of a select, radio or checkbox field."""
    return [SelectChoice(value, label) for value, label in pairs]


class MailAddress:
    """Accept an e-mail address the portal's mail can reach: any domain (sent in IDNA form), before the @ ASCII only.

    An address such as иван@example.org is valid, but sending to it takes SMTPUTF8, which the portal does not
    speak: taken, it would fail where the mail is made, after the form was sent and what it held was lost.
    """

    def __init__(self, message: str):
        self.email = Email(message=message)

    def __call__(self, form, field) -> None:
        self.email(form, field)
        if not (field.data or "").rpartition("@")[0].isascii():
            raise ValidationError(_l("Vor dem @ kann unser E-Mail-System nur die Buchstaben a–z, Ziffern und "
                                     "Satzzeichen versenden. Bitte geben Sie eine solche Adresse an."))
