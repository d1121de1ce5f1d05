"""WTForms' own messages (a field left empty, a number out of range) in the portal's words, in every language."""

from pathlib import Path

import pytest
import wtforms
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, FieldList, FormField, IntegerField, SelectField, StringField
from wtforms.validators import URL, AnyOf, DataRequired, Email, EqualTo, Length, NoneOf, NumberRange, Regexp

from portal.forms import MESSAGES
from portal.i18n import enabled_languages
from portal.toolkit import Form, SubForm, as_choices, gettext, ngettext

pytestmark = pytest.mark.database_independent


class RowForm(SubForm):
    name = StringField(validators=[DataRequired()])


class CountForm(Form):
    class Meta:
        csrf = False

    count = IntegerField(validators=[NumberRange(min=1, max=9)])
    place = SelectField(choices=as_choices([("a", "A")]))
    code = StringField(validators=[Length(max=3)])
    rows = FieldList(FormField(RowForm), min_entries=1)


def _errors(lang: str, **values) -> dict:
    with force_locale(lang):
        form = CountForm(MultiDict(values))
        form.validate()
        return {name: errors for name, errors in form.errors.items() if errors}


def test_the_portal_words_every_wtforms_message_it_takes_over_as_wtforms_still_says_it():
    catalog = (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").read_text(encoding="utf-8")
    for english in [*MESSAGES, "Field must be at least %(min)d character long.",
                    "Field cannot be longer than %(max)d character.",
                    "'%(value)s' is not a valid choice for this field."]:
        assert f'msgid "{english}"' in catalog, english


def test_wtforms_messages_read_in_the_portals_words_in_every_language(app):
    with app.test_request_context("/de/"):
        for lang in enabled_languages():
            errors = _errors(lang, count="zwölf", place="b", code="ABCD", **{"rows-0-name": ""})
            with force_locale(lang):
                # A number that is none is also outside the range: both are said.
                expected = {"count": [gettext("Bitte geben Sie eine ganze Zahl in Ziffern ein."),
                                      gettext("Bitte geben Sie eine Zahl von %(min)s bis %(max)s ein.")
                                      % {"min": 1, "max": 9}],
                            "place": [gettext("Bitte aus der Liste wählen.")],
                            "rows": [{"name": [gettext("Bitte füllen Sie dieses Feld aus.")]}]}
            assert {name: errors[name] for name in expected} == expected, lang
            with force_locale(lang):
                at_most = "Bitte höchstens %(max)d Zeichen."
                assert errors["code"] == [ngettext(at_most, at_most, 3, max=3)], lang
            if lang != "de":
                # Translated: neither German nor WTForms' English (which Kurdish, Pashto and Tigrinya got before).
                assert errors["count"][0] != "Bitte geben Sie eine ganze Zahl in Ziffern ein.", lang
                assert "valid" not in " ".join(errors["count"] + errors["place"]), lang
            assert _errors(lang, count="12", place="a", **{"rows-0-name": "x"}).get("count") == [
                _expected_range(lang)], lang


class ShapesForm(Form):
    class Meta:
        csrf = False

    code = StringField(validators=[Regexp(r"^[A-Z]+$")])
    website = StringField(validators=[URL()])
    email = StringField(validators=[Email()])
    size = StringField(validators=[AnyOf(["S", "M"])])
    colour = StringField(validators=[NoneOf(["rot"])])
    share = DecimalField()
    repeated = StringField(validators=[EqualTo("code")])


def test_the_shape_validators_messages_read_in_the_portals_words_in_every_language(app):
    values = MultiDict({"code": "abc", "website": "irgendwo", "email": "kein", "size": "XL", "colour": "rot",
                        "share": "viel", "repeated": "ABC"})
    with app.test_request_context("/de/"):
        for lang in enabled_languages():
            with force_locale(lang):
                form = ShapesForm(values)
                form.code.label.text = gettext("Vorgangsnummer")
                form.validate()
                expected = {
                    "code": gettext("Bitte prüfen Sie die Eingabe: Sie hat nicht die erwartete Form."),
                    "website": gettext("Bitte geben Sie eine Internetadresse wie https://www.example.org ein."),
                    "email": gettext("Bitte geben Sie eine E-Mail-Adresse wie name@example.org ein."),
                    "size": gettext("Bitte einen dieser Werte angeben: %(values)s.") % {"values": "S, M"},
                    "colour": gettext("Bitte keinen dieser Werte angeben: %(values)s.") % {"values": "rot"},
                    "share": gettext("Bitte geben Sie eine Zahl ein."),
                    # The other field named as the visitor reads it, not by its name in the code.
                    "repeated": gettext("Bitte geben Sie dasselbe ein wie unter %(other_label)s.")
                    % {"other_label": gettext("Vorgangsnummer")},
                }
            assert {name: form.errors[name][0] for name in expected} == expected, lang
            if lang != "de":
                assert not any(message in str(form.errors) for message in ("Invalid", "Ungültig", "Prüfen Sie")), lang


def _expected_range(lang: str) -> str:
    with force_locale(lang):
        return gettext("Bitte geben Sie eine Zahl von %(min)s bis %(max)s ein.") % {"min": 1, "max": 9}


def test_a_message_the_portal_does_not_word_comes_from_wtforms(app):
    with app.test_request_context("/de/"), force_locale("de"):
        assert Form.Meta().get_translations(None).gettext("Invalid UUID.") == "Ungültige UUID."
