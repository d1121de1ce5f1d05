"""PerLanguageField: one input per enabled language, read and filled as {code: text}."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from portal import toolkit
from portal.toolkit import Form


class SignForm(Form):
    class Meta:
        csrf = False

    text = toolkit.PerLanguageField(field=TextAreaField(validators=[Optional(), Length(max=20)]))
    note = toolkit.PerLanguageField(languages=lambda: ["ar", "en"], label_for=lambda code: f"Hinweis {code}")


@pytest.mark.portal_config({"languages": ["de", "en", "ar"]})
def test_each_enabled_language_gets_an_input_marked_with_its_language(app):
    with app.test_request_context("/de/"):
        form = SignForm(data={"text": {"de": "Maske tragen", "ar": "ارتدِ الكمامة"}})
        assert form.text.codes == ["de", "en", "ar"] and form.note.codes == ["ar", "en"]
        arabic = form.text["ar"]()
        assert 'name="text-ar"' in arabic and 'lang="ar"' in arabic and 'dir="rtl"' in arabic
        assert "ارتدِ الكمامة" in arabic
        assert [entry.label.text for entry in form.text] == ["Deutsch", "English", "العربية"]
        assert form.note["en"].label.text == "Hinweis en"


@pytest.mark.portal_config({"languages": ["de", "en", "ar"]})
def test_the_data_holds_the_filled_texts_stripped_and_errors_stay_at_their_input(app):
    with app.test_request_context("/de/", method="POST"):
        form = SignForm(MultiDict({"text-de": "  Maske tragen ", "text-en": "   ", "text-ar": "ارتدِ"}))
        assert form.validate()
        assert form.text.data == {"de": "Maske tragen", "ar": "ارتدِ"} and form.note.data == {}
        form = SignForm(MultiDict({"text-de": "ein viel zu langer Text für ein Schild"}))
        assert not form.validate() and form.text["de"].errors and not form.text["en"].errors


def test_the_inputs_messages_are_in_the_pages_language(app):
    with app.test_request_context("/de/", method="POST"):
        form = SignForm(MultiDict({"text-de": "ein viel zu langer Text für ein Schild"}))
        assert not form.validate()
        assert form.text["de"].errors == ["Bitte höchstens 20 Zeichen."]

