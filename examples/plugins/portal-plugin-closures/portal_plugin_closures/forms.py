"""The staff form for one closure."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal import toolkit
from portal.toolkit import _l


class ClosureForm(toolkit.Form):
    """First and last day, the reason per language, and the version the form was loaded with."""

    version = toolkit.VersionField()
    # A page sent twice (a double tap, the back button) saves once: see the views.
    sending_key = toolkit.SendingKeyField()
    # The toolkit's day field also reads a typed 31.07.2026 and says so when a day cannot be read.
    starts_on = toolkit.DayField(_l("Geschlossen ab"),
                                 validators=[InputRequired(_l("Bitte geben Sie den ersten Tag an."))])
    ends_on = toolkit.DayField(_l("Geschlossen bis einschließlich"),
                               validators=[InputRequired(_l("Bitte geben Sie den letzten Tag an."))])
    reason = toolkit.PerLanguageField(field=TextAreaField(validators=[Optional(), Length(max=300)]))
