"""A form sent twice makes one thing: a page's form sent again answers as its first sending did.

Without JavaScript a double tap, a reload that asks to send again or the back button sends one filled-in page
twice. A form that makes something (a request, a notice, a case) carries a key drawn when its page was made
(``SendingKeyField``); its view claims the key, together with the page's address and what was filled in, in the
transaction that saves what the form makes (``claim_sending``). A second sending of the same input waits at its
claim until the first one committed, on either database (the claim is a unique row), and then gets what the
first one kept as its answer (``keep_answer``: where it sent the person, a confirmation number) instead of
making the thing again. The page sent again with other input (back, changed, sent) is a sending of its own: an
edit then meets the version the first one saved (a conflict that keeps the input), a new thing is made. A
first sending that failed or was refused left no claim, so the next one acts. Claims are deleted after a day.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import datetime, timedelta

from flask import g, request
from sqlalchemy import String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from .db import Base, UTCDateTime, insert_for, session, utcnow
from .keptforms import KeptForm

# A kept form page (pagecache.kept_form_page) is rendered once with a stand-in here; each answer puts in its own key.
KEY_STAND_IN = "portal.sending_key_stand_in"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")
# The name forms give their SendingKeyField, which claim_sending reads.
SENDING_KEY_FIELD = "sending_key"
# Longer than a person goes back to a page to send it again, and than a kept copy of a form waits to be sent.
KEPT_FOR = timedelta(days=1)


class SentForm(Base):
    """A form's sending claimed by a request: the key of its page and address, and what it answered."""

    __tablename__ = "core_sent_form"

    # A hash of the page's address and key: of fixed length, and one form's key never answers another form.
    claim: Mapped[str] = mapped_column(String(64), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str] = mapped_column(Text)


def new_sending_key() -> str:
    """Return the key for a form's page: a fresh random one, or a kept page's stand-in while it is rendered."""
    return g.get(KEY_STAND_IN) or secrets.token_urlsafe(16)


class SendingKeyField(HiddenField):
    """The hidden key of a form that makes something; render it inside the form and claim it with claim_sending."""

    def __init__(self, **kwargs):
        # Without an id: a page may hold several such forms.
        super().__init__(default=new_sending_key, render_kw={"id": False}, **kwargs)

    def process_formdata(self, valuelist):
        # A missing or malformed key (a page from before the key, a hostile one) is not refused: the sending
        # keeps the fresh key drawn for it, and acts as a first one.
        if valuelist and KEY_PATTERN.fullmatch(valuelist[0]):
            self.data = valuelist[0]


def _claim_of(form) -> str:
    # What was filled in and which button was pressed belong to the sending; the CSRF token and the marker of a kept
    # copy sent again say nothing of them.
    filled_in = sorted((name, value) for name, value in request.form.items(multi=True)
                       if name not in KeptForm.CONTROLS)
    return hashlib.sha256(json.dumps([request.path, form[SENDING_KEY_FIELD].data, filled_in]).encode()).hexdigest()


def claim_sending(form) -> str | None:
    """Claim this sending of the form; return the answer its earlier sending kept, or None when this one is first.

    Call it once the form is found valid and before writing anything (an edit saved by version: right after
    save_if_current, docs/plugins.md): a second sending waits here until the first one's transaction ended. The
    claim holds only if this transaction commits.
    """
    db = session()
    claim = _claim_of(form)
    claimed = db.scalar(insert_for(db, SentForm.__table__).values(claim=claim, sent_at=utcnow(), answer="")
                        .on_conflict_do_nothing().returning(SentForm.claim))
    if claimed is not None:
        return None
    return db.scalar(select(SentForm.answer).where(SentForm.claim == claim))


def keep_answer(form, answer: str) -> None:
    """Keep what this sending answered (where it sent the person, a confirmation number) for a second sending."""
    session().execute(update(SentForm).where(SentForm.claim == _claim_of(form)).values(answer=answer))


def purge_sent_forms(db, now: datetime) -> int:
    """Delete the claims of forms sent more than a day ago; return how many."""
    return db.execute(delete(SentForm).where(SentForm.sent_at < now - KEPT_FOR)).rowcount
