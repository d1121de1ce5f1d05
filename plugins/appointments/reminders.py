"""Reminders by e-mail, three days and one day before the appointment, each with one-click links.

`flask --app portal appointments remind` runs daily (after midnight, office
time). A reminder asked for later than its day goes with the next run: the
first one up to three days ahead, the last one up to the appointment's day.
Each reminder is claimed with one conditional UPDATE before its mail is
queued in the same transaction, so a second run, or two at once, send nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import select, update

from portal import toolkit
from portal.toolkit import _

from .display import day_bounds, describe
from .models import Appointment
from .selfservice import DATED_STATUSES, mail_token, office_name, queue_client_mail, reference_line
from .selfservice_models import Reminder


def _compose(reminder: Reminder, appointment: Appointment) -> tuple[str, str]:
    with force_locale(reminder.language):
        facts = describe(appointment)

        def link(action: str) -> str:
            return toolkit.public_url_for("appointments.mail_link", token=mail_token(appointment, action),
                                          lang=reminder.language)

        subject = _("Erinnerung: Ihr Termin am %(day)s", day=facts["date_text"])
        # Who writes, about which letter, and why: a mail with links and neither would pass for phishing.
        body = "\n\n".join([
            _("%(office)s: Sie haben einen Termin am %(day)s um %(clock)s Uhr, %(place)s.", office=office_name(),
              day=facts["date_text"], clock=facts["time_text"], place=facts["place"]),
            reference_line(appointment),
            _("Sie bekommen diese E-Mail, weil Sie im Portal des Amts um Erinnerungen an diesen Termin gebeten haben."),
            _("Ich komme:") + "\n" + link("confirm"),
            _("Ich kann nicht kommen (der Termin geht dann an jemanden, der wartet):") + "\n" + link("cancel"),
            _("Keine Erinnerungen mehr:") + "\n" + link("stop-reminders"),
        ])
    return subject, body


def _due_spans() -> tuple[tuple[str, datetime, datetime], ...]:
    """Return each reminder's column and the appointment starts it is due for today, late sign-ups included."""
    today = toolkit.office_today()
    tomorrow_ends = day_bounds(today + timedelta(days=1))[1]
    # The first reminder for the days after tomorrow, up to three days ahead; the last one for today and tomorrow.
    return (("first_sent_at", tomorrow_ends, day_bounds(today + timedelta(days=3))[1]),
            ("last_sent_at", toolkit.utcnow(), tomorrow_ends))


# A reminder is sent at most this long before the date it is for (the first three days before, the last one the day
# before, both up to a day late for a late sign-up): one sent longer before was for a date the office has since
# moved, and the moved date gets its reminders anew.
SENT_FOR_THIS_DATE = {"first_sent_at": timedelta(days=4), "last_sent_at": timedelta(days=2)}


def send_due_reminders() -> int:
    """Queue the reminders due today; return how many were queued."""
    session = toolkit.session()
    queued = 0
    for column_name, start, end in _due_spans():
        column = getattr(Reminder, column_name)
        due = session.execute(select(Reminder.id, column, Appointment.starts_at)
                              .join(Appointment, Appointment.id == Reminder.appointment_id)
                              .where(Appointment.starts_at >= start, Appointment.starts_at < end,
                                     Appointment.status.in_(DATED_STATUSES))).all()
        for reminder_id, sent_at, starts_at in due:
            if sent_at is not None and sent_at > starts_at - SENT_FOR_THIS_DATE[column_name]:
                continue
            unsent = column.is_(None) if sent_at is None else column == sent_at
            claimed = session.execute(update(Reminder).where(Reminder.id == reminder_id, unsent)
                                      .values({column_name: toolkit.utcnow()})
                                      .execution_options(synchronize_session=False)).rowcount == 1
            if not claimed:
                continue
            reminder = session.get(Reminder, reminder_id)
            appointment = session.get(Appointment, reminder.appointment_id)
            subject, body = _compose(reminder, appointment)
            queued += queue_client_mail(reminder.email, subject, body) is not None
            # One commit per reminder: a failure later on keeps what is already queued and claimed together.
            session.commit()
    return queued
