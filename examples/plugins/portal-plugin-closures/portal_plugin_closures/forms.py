"""The staff form for one closure."""

from __future__ import annotations

from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal import toolkit
from portal.toolkit import _l


class ClosureForm(toolkit.Form):
    """First and last day, the reason per language, and the version the form was loaded with."""

    version = toolkit.VersionField()
    # A page sent twice (a double tap, the back button) saves once: see the views.
    sending_key = toolkit.SendingKeyField()
    starts_on = DateField(_l("Geschlossen ab"), validators=[DataRequired()])
    ends_on = DateField(_l("Geschlossen bis einschließlich"), validators=[DataRequired()])
    reason = toolkit.PerLanguageField(field=TextAreaField(validators=[Optional(), Length(max=300)]))
