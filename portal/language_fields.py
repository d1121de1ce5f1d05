"""A text in every enabled language as one form field (read and filled as {code: text}); forms inside a form."""

from __future__ import annotations

from collections.abc import Callable

from wtforms import FormField, StringField

from .forms import SubForm
from .i18n import enabled_languages, language_name, language_tag, text_direction


class PerLanguageField(FormField):
    """One sub-field per language, named ``<name>-<code>`` and marked with the language and its direction.

    ``field`` is the sub-field (``TextAreaField(validators=[Optional(), Length(max=400)])``); ``languages`` returns
    the codes to offer, in order (default: the enabled languages); ``label`` names a sub-field from its code
    (default: the language's own name). Fill it with ``data={name: {code: text}}``; ``data`` gives back the
    stripped texts that are not empty, ``field[code]`` one sub-field.
    """

    def __init__(self, label=None, validators=None, *, field=None, languages: Callable[[], list[str]] | None = None,
                 label_for: Callable[[str], str] | None = None, **kwargs):
        super().__init__(SubForm, label, validators, separator="-", **kwargs)
        self.sub_field = field if field is not None else StringField()
        self.languages = languages or enabled_languages
        self.label_for = label_for or language_name

    def process(self, formdata, data=None, **kwargs):
        codes = list(self.languages())
        fields = {code: self.sub_field.field_class(
            self.label_for(code), *self.sub_field.args,
            **{**self.sub_field.kwargs, "render_kw": {"lang": language_tag(code), "dir": text_direction(code)}})
            for code in codes}
        self.form_class = type("LanguageTexts", (SubForm,), fields)
        self.codes = codes
        super().process(formdata, data if data is not None else {}, **kwargs)

    @property
    def data(self) -> dict[str, str]:
        return {code: text.strip() for code, text in self.form.data.items() if isinstance(text, str) and text.strip()}
