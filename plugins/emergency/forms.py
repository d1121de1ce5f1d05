"""Forms of the emergency plugin: the client's request and the staff's inbox filter and state change."""

from __future__ import annotations

import re

from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from portal import toolkit
from portal.toolkit import _, _l

from .labels import category_choices
from .models import CATEGORIES, OTHER_LANGUAGE

MATTER_MIN, MATTER_MAX = 20, 2000
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()/.-]{4,28}$")
REFERENCE_RE = re.compile(r"^[\w ./-]{1,40}$")


def strip_to_ascii_digits(value):
    """Drop surrounding spaces and write Arabic-Indic and Persian digits, as phone keyboards type them, as 0-9."""
    return toolkit.ascii_digits(value.strip()) if isinstance(value, str) else value


def isolated(text: str) -> str:
    """Wrap left-to-right text (a phone number) in Unicode isolates, so it reads in order in right-to-left text."""
    return f"\u2066{text}\u2069"


class EmergencyForm(toolkit.Form):
    """What the office needs to judge an urgent matter and to answer."""

    category = RadioField(_l("Worum geht es?"), choices=[SelectChoice(c) for c in CATEGORIES],
                          validators=[InputRequired(_l("Bitte wählen Sie aus, worum es geht."))],
                          invalid_choice_message=_l("Bitte wählen Sie aus, worum es geht."))
    reference = StringField(_l("Aktenzeichen oder Nummer Ihres Aufenthaltstitels (wenn vorhanden)"),
                            filters=[strip_to_ascii_digits],
                            validators=[
        Optional(), Length(max=40, message=_l("Bitte höchstens 40 Zeichen.")),
        Regexp(REFERENCE_RE, message=_l("Bitte nur Buchstaben, Ziffern, Leerzeichen und . / - verwenden."))])
    # Clients write in whatever language they can, not always the page's: the browser takes the direction from it.
    matter = TextAreaField(_l("Ihr Anliegen"), filters=[toolkit.strip_spaces], render_kw={"dir": "auto"}, validators=[
        DataRequired(_l("Bitte beschreiben Sie Ihr Anliegen.")),
        Length(min=MATTER_MIN, max=MATTER_MAX,
               # Translators: The higher number, %(max)d, decides the noun.
               message=toolkit.lazy_ngettext("Bitte schreiben Sie zwischen %(min)d und %(max)d Zeichen.",
                                             "Bitte schreiben Sie zwischen %(min)d und %(max)d Zeichen.",
                                             MATTER_MAX, min=MATTER_MIN, max=MATTER_MAX))])
    email = EmailField(_l("E-Mail-Adresse"), filters=[toolkit.strip_spaces], validators=[
        Optional(), Length(max=254, message=_l("Bitte höchstens 254 Zeichen.")),
        toolkit.MailAddress(_l("Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de."))])
    phone = TelField(_l("Telefonnummer"), filters=[strip_to_ascii_digits], validators=[
        Optional(), Regexp(PHONE_RE, message=_l("Bitte geben Sie eine Telefonnummer an, zum Beispiel %(local)s oder "
                                                "%(international)s.", local=isolated("0211 123456"),
                                                international=isolated("+49 211 123456")))])
    language = SelectField(_l("In welcher Sprache sollen wir antworten?"), choices=[],
                           invalid_choice_message=_l("Bitte wählen Sie eine Sprache aus der Liste."))
    other_language = StringField(_l("Welche andere Sprache?"), filters=[toolkit.strip_spaces],
                                 render_kw={"dir": "auto"},
                                 validators=[Length(max=40, message=_l("Bitte höchstens 40 Zeichen."))])
    sending_key = toolkit.SendingKeyField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = toolkit.as_choices(category_choices())
        # Each language is named in its own words, and so marked, as in the header's language list: a screen reader
        # reads "العربية" with an Arabic voice, and the name keeps its own direction.
        self.language.choices = [SelectChoice(code, toolkit.language_name(code), render_kw={
                                     "lang": toolkit.language_tag(code), "dir": toolkit.text_direction(code)})
                                 for code in toolkit.enabled_languages()]
        self.language.choices.append(SelectChoice(OTHER_LANGUAGE, _("Eine andere Sprache")))
        if not self.is_submitted():
            self.language.data = toolkit.current_language()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.language.data == OTHER_LANGUAGE and not self.other_language.data:
            self.other_language.errors.append(_("Bitte schreiben Sie, in welcher Sprache wir antworten sollen."))
            valid = False
        if not self.email.data and not self.phone.data and not self.email.errors and not self.phone.errors:
            self.email.errors.append(_("Bitte geben Sie eine E-Mail-Adresse oder eine Telefonnummer an, damit wir "
                                       "Ihnen antworten können."))
            valid = False
        return valid

    def chosen_other_language(self) -> str:
        """Return the client's words for a language the portal does not offer, when they chose one."""
        return self.other_language.data if self.language.data == OTHER_LANGUAGE else ""


class InboxFilterForm(toolkit.Form):
    """Filter the staff inbox; sent by GET, so it carries no CSRF token."""

    class Meta:
        csrf = False

    category = SelectField(_l("Anliegen"), choices=[], invalid_choice_message=_l("Bitte aus der Liste wählen."))
    state = SelectField(_l("Stand"), choices=[], invalid_choice_message=_l("Bitte aus der Liste wählen."))


class StateForm(toolkit.VersionForm):
    """Move a request to another state, with the version the staff member saw."""

    state = HiddenField(validators=[InputRequired()])
