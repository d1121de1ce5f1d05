"""The appointment statuses, each with a translated name, explanation and next step for the client."""

from __future__ import annotations

from dataclasses import dataclass

from portal.toolkit import _l


@dataclass(frozen=True)
class Status:
    """One status an appointment can have, in the words a client reads."""

    code: str
    label: object
    explanation: object
    next_step: object
    has_date: bool


STATUSES: dict[str, Status] = {status.code: status for status in (
    # What to bring names the letter or a code on the phone: another plugin may admit with a code from the letter
    # or this page, and a client who has it on the phone must not think the paper itself is required.
    Status("invited", _l("Einladung verschickt"),
           _l("Wir haben Ihnen einen Brief mit Ihrem Termin geschickt."),
           _l("Kommen Sie pünktlich zu diesem Termin. Bringen Sie den Brief (oder den Einlasscode auf Ihrem Handy) "
              "und Ihren Pass oder Ausweis mit. Am Eingang wird Ihre Einladung kontrolliert."),
           True),
    Status("scheduled", _l("Termin steht fest"),
           _l("Ihr Termin ist fest eingeplant."),
           _l("Kommen Sie pünktlich zu diesem Termin. Bringen Sie Ihr Einladungsschreiben (oder den Einlasscode auf "
              "Ihrem Handy) und Ihren Pass oder Ausweis mit. Am Eingang wird Ihre Einladung kontrolliert."),
           True),
    Status("postponed", _l("Verschoben"),
           _l("Ihr Termin wurde verschoben. Einen neuen Termin haben wir noch nicht."),
           _l("Sie müssen nichts tun: Sie bekommen einen neuen Brief mit dem neuen Termin. "
              "Bitte kommen Sie bis dahin nicht ins Amt. In dringenden Fällen schreiben Sie an die Notfall-Adresse."),
           False),
    Status("cancelled", _l("Abgesagt"),
           _l("Dieser Termin wurde abgesagt. Er findet nicht statt."),
           _l("Wenn Sie weiterhin einen Termin brauchen, schreiben Sie uns eine E-Mail. "
              "Bitte kommen Sie nicht ohne Termin ins Amt."),
           False),
    Status("ready_for_collection", _l("Zur Abholung bereit"),
           _l("Ihr Dokument ist fertig. Sie können es abholen."),
           _l("Kommen Sie zu Ihrem Termin. Bringen Sie Ihren Pass oder Ausweis und Ihr Einladungsschreiben (oder den "
              "Einlasscode auf Ihrem Handy) mit. Am Eingang wird Ihre Einladung kontrolliert."),
           True),
    Status("completed", _l("Erledigt"),
           _l("Dieser Termin ist abgeschlossen."),
           _l("Sie müssen nichts mehr tun."),
           False),
)}
STATUS_CODES: tuple[str, ...] = tuple(STATUSES)
# How a client reads a date they gave back through the self-service while the office's record still shows it:
# cancelled for them, with the date kept so that they see which one.
GIVEN_BACK = Status("cancelled", _l("Abgesagt"),
                    _l("Sie haben diesen Termin abgesagt. Er geht an jemanden, der wartet."),
                    _l("Bitte kommen Sie nicht zu diesem Termin."),
                    True)
# How a client reads an appointment whose day is over while the office's record still shows it to come: the date
# kept, so that they see which one, and no pass, calendar entry or self-service.
PASSED = Status("passed", _l("Termin vorbei"),
                _l("Der Tag dieses Termins ist vorbei."),
                _l("Haben Sie den Termin verpasst, oder ist noch etwas offen? Dann schreiben Sie uns eine E-Mail. "
                   "Bitte kommen Sie nicht ohne neuen Termin ins Amt."),
                True)
# Every status code a client may read: the office's, and the day passed.
ANSWER_CODES: tuple[str, ...] = (*STATUS_CODES, PASSED.code)
# A letter in these statuses always names a date.
STATUSES_NEEDING_DATE = ("invited", "scheduled")
# Appointments in these statuses are deleted after the retention period.
CLOSED_STATUSES = ("cancelled", "completed")
