"""A day in a staff form: picked in the browser's date input, or typed where a browser offers none."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import Optional

from .clock import office_today
from .csvimport import parse_date_cell
from .forms import Form

# 2027-02-31 or 31.02.2027: the two ways a day is read, whether or not the calendar has it (years from 1000).
_DATE_SHAPE = re.compile(r"[1-9]\d{3}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.[1-9]\d{3}")


class DayField(DateField):
    """A date input that also reads 31.07.2026, with a translated message for anything else; empty is None.

    To require a day, give it InputRequired(message=...): DataRequired would
    replace the message about an unreadable day with its own.
    """

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not text:
            return
        try:
            # What a date input sends (2026-07-31), or what staff type without one, as in the CSV files they import.
            self.data = parse_date_cell(text[:20])
        except ValueError:
            if _DATE_SHAPE.fullmatch(text):  # written as a date, but the calendar has no such day (31.02.2027)
                raise ValueError(_("Dieses Datum gibt es nicht. Bitte prüfen Sie Tag, Monat und Jahr.")) from None
            raise ValueError(_("Bitte ein Datum angeben, zum Beispiel 31.07.2026.")) from None

    def _value(self):
        # A day read from the typed form is shown as the date input reads it; an unreadable text as it was typed.
        return self.data.isoformat() if isinstance(self.data, date) else " ".join(self.raw_data or ())


class DayChoiceForm(Form):
    """The day a staff page shows, sent with GET as ?day=; without one (or with a wrong one) the page shows today."""

    class Meta:
        csrf = False

    day = DayField(_l("Tag"), validators=[Optional()])

    def chosen_day(self) -> date:
        """Validate and return the day asked for, or today when none or an unreadable one was given."""
        self.validate()  # a page's other fields may be wrong too: only the day's own errors decide
        asked = None if self.day.errors else self.day.data
        # The calendar's first and last days have no neighbour to link to or compare with.
        day = asked if asked is not None and date.min < asked < date.max else office_today()
        if not self.day.errors:
            self.day.data = day
        return day
