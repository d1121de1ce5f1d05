"""DayField and DayChoiceForm: a day picked or typed in a staff form, and the day a staff page shows."""

from datetime import date, timedelta

from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from portal import toolkit
from portal.toolkit import Form


class HandoverForm(Form):
    class Meta:
        csrf = False

    day = toolkit.DayField("Tag", validators=[InputRequired("Bitte den Tag angeben.")])


def _validated(app, value, lang="de"):
    with app.test_request_context(f"/{lang}/"):
        app.preprocess_request()
        form = HandoverForm(MultiDict({"day": value}))
        return form.validate(), form.day.data, form.day.errors, form.day()


def test_a_picked_or_typed_day_is_read_and_shown_as_the_date_input_reads_it(app):
    for value in ("2027-01-15", "15.01.2027", " 15.01.2027 "):
        valid, day, errors, shown = _validated(app, value)
        assert valid and day == date(2027, 1, 15) and not errors, value
        assert 'type="date"' in shown and 'value="2027-01-15"' in shown


def test_an_unreadable_day_gets_a_translated_message_and_keeps_what_was_typed(app):
    valid, day, errors, shown = _validated(app, "morgen")
    assert not valid and day is None and errors == ["Bitte ein Datum angeben, zum Beispiel 31.07.2026."]
    assert 'value="morgen"' in shown
    # Written as a date, but no such day: the message says so rather than asking for a date.
    for impossible in ("31.02.2027", "2027-02-30", "2027-13-01"):
        valid, day, errors, shown = _validated(app, impossible)
        assert not valid and errors == ["Dieses Datum gibt es nicht. Bitte prüfen Sie Tag, Monat und Jahr."], impossible
        assert f'value="{impossible}"' in shown
    assert _validated(app, "morgen", "ar")[2] == ["يرجى إدخال تاريخ، مثل 31.07.2026."]
    # A required day left empty gets the field's own message; two-digit years are not guessed.
    assert _validated(app, "")[2] == ["Bitte den Tag angeben."]
    assert not _validated(app, "15.01.27")[0]


def test_the_day_a_page_shows_is_the_one_asked_for_or_today(app, today):
    with app.test_request_context("/de/"):
        app.preprocess_request()
        tomorrow = today + timedelta(days=1)
        form = toolkit.DayChoiceForm(MultiDict({"day": f"{tomorrow:%d.%m.%Y}"}))
        assert form.chosen_day() == tomorrow and not form.errors and 'value="' + tomorrow.isoformat() in form.day()
        form = toolkit.DayChoiceForm(MultiDict())
        assert form.chosen_day() == today and not form.errors
        form = toolkit.DayChoiceForm(MultiDict({"day": "gestern"}))
        assert form.chosen_day() == today and form.day.errors
        # The calendar's ends have no neighbour to link to.
        assert toolkit.DayChoiceForm(MultiDict({"day": "9999-12-31"})).chosen_day() == today
