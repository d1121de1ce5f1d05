"""Public lookups by reference and a secret such as a date of birth: one normaliser, keyed hashes, signed links, limits.

Failed lookups are counted per reference in the database (table
core_lookup_failure), so every worker process and every app server sees the
same count whatever the rate-limit storage is.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, TypeVar
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import parse as parse_limit
from limits import parse_many
from limits.storage import storage_from_string
from pydantic import AfterValidator
from sqlalchemy import Integer, String, bindparam, case, delete, func, literal, literal_column, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import TooManyRequests
from wtforms import Field
from wtforms.validators import StopValidation

from .db import Base, UTCDateTime, insert_for, utcnow
from .db import session as db_session

T = TypeVar("T")
# Characters people type between the parts of a reference, or leave out; a reference's key ignores them.
REFERENCE_SEPARATORS = " ./_-"
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")
# Stands in for a stored hash when there is none, so a miss compares the same way as a mismatch.
_UNMATCHABLE = "0" * 64


# Capitals of the Cyrillic and Greek alphabets that look like Latin ones: a reference typed on a Ukrainian, Russian
# or Greek keyboard ("М-100001") is the letter's reference.
_LATIN_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEKMHOPCTYXIJSABEZHIKMNOPTYX")


def ascii_digits(text: str) -> str:
    """Replace the digits of any script (Arabic-Indic, Persian, full-width …) by 0-9."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def normalize_reference(raw: str | None) -> str:
    """Return a reference as stored: ASCII digits, dashes and look-alike letters, capitals, single spaces, trimmed."""
    text = ascii_digits(unicodedata.normalize("NFKC", raw or "")).translate(_DASHES)
    return " ".join(text.split()).upper().translate(_LATIN_LOOKALIKES)


def reference_key(raw: str | None) -> str:
    """Return what identifies a reference whatever the client typed between its parts: M 100001 is M-100001."""
    return normalize_reference(raw).translate(dict.fromkeys(map(ord, REFERENCE_SEPARATORS)))


def reference_key_expression(column):
    """Return the SQL form of reference_key() for a stored column (index it with the same expression)."""
    expression = column
    for separator in REFERENCE_SEPARATORS:
        # Literals, not parameters, so that the database can use an index on the same expression.
        expression = func.replace(expression, literal_column(f"'{separator}'"), literal_column("''"))
    return expression


def keyed_hash(purpose: str, *parts: str) -> str:
    """Return the HMAC-SHA256 (hex) of the parts under the secret key, for storing a secret without keeping it."""
    message = "\x00".join((purpose, *parts)).encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def keyed_hash_matches(stored: str | None, purpose: str, *parts: str) -> bool:
    """Compare a stored keyed hash with the parts in constant time; None (nothing stored) never matches."""
    return hmac.compare_digest(stored or _UNMATCHABLE, keyed_hash(purpose, *parts))


@dataclass(frozen=True)
class SignedTokens:
    """Sign small payloads (a record's id) for links that show a lookup's answer again without its secret."""

    salt: str

    def dumps(self, payload) -> str:
        """Return a URL-safe token that carries the payload and when it was signed."""
        return _serializer(current_app.config["SECRET_KEY"], self.salt).dumps(payload)

    def loads(self, token: str | None, max_age_seconds: int | None):
        """Return the payload, or None when the token is forged, malformed or older than max_age_seconds (if given)."""
        try:
            return _serializer(current_app.config["SECRET_KEY"], self.salt).loads(token or "", max_age=max_age_seconds)
        except BadData:
            return None


@functools.cache
def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def _one_rate_limit(value: str) -> str:
    try:
        limits = parse_many(value)
    except ValueError:
        limits = []
    if len(limits) != 1:
        raise ValueError(f'must be one rate limit like "10 per hour", got {value!r}')
    return value


# A setting for ReferenceLimit: one limit such as "10 per hour".
ReferenceLimitSetting = Annotated[str, AfterValidator(_one_rate_limit)]


class LookupFailure(Base):
    """Failed lookups of one reference (its reference_key) in the current window of a lookup's limit."""

    __tablename__ = "core_lookup_failure"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)


_FAILURES = LookupFailure.__table__.c
_FAILURES_OF_REFERENCE = select(_FAILURES.failures, _FAILURES.window_ends_at).where(
    _FAILURES.scope == bindparam("scope"), _FAILURES.reference == bindparam("reference"))


class ReferenceLocked(TooManyRequests):
    """A lookup refused because its reference is locked: the failures may have been anyone's, not this visitor's."""


@dataclass(frozen=True)
class LockedReference:
    """A reference whose lookups by secret are refused until `until`."""

    reference: str
    failures: int
    last_failed_at: datetime
    until: datetime


@dataclass(frozen=True)
class ReferenceLimit:
    """Failed lookups allowed per reference (a limit such as "10 per hour"), counted in the database.

    `scope` names the lookup (a plugin's name); `limit` returns the limit text,
    read when used so that settings apply.
    """

    scope: str
    limit: object

    def _window(self) -> tuple[int, timedelta]:
        item = parse_limit(self.limit() if callable(self.limit) else self.limit)
        return item.amount, timedelta(seconds=item.get_expiry())

    def lookup(self, reference: str, find: Callable[[], T | None]) -> T | None:
        """Return find()'s answer unless the reference is locked (ReferenceLocked); count a miss against it."""
        until = self.locked_until(reference)
        if until is not None:
            raise ReferenceLocked(retry_after=until)
        found = find()
        if found is None:
            self.record_failure(reference)
        return found

    def locked_until(self, reference: str) -> datetime | None:
        """Return when the reference's lock ends, or None when its failed lookups are not used up."""
        amount, _window = self._window()
        # Core on the request's connection (already checked out), one statement built once: a lookup's hot path.
        row = db_session().connection().execute(_FAILURES_OF_REFERENCE, {
            "scope": self.scope, "reference": reference_key(reference)}).first()
        if row is None or row.failures < amount or row.window_ends_at <= utcnow():
            return None
        return row.window_ends_at

    def record_failure(self, reference: str) -> None:
        """Count one failed lookup of the reference, atomically, in its own transaction."""
        _amount, window = self._window()
        now = utcnow()
        key = reference_key(reference)
        # Its own short transaction, committed whatever becomes of the request's.
        with current_app.extensions["portal.db"].engine.begin() as connection:
            table = LookupFailure.__table__
            statement = insert_for(connection, table).values(scope=self.scope, reference=key, failures=1,
                                                             window_ends_at=now + window, last_failed_at=now)
            expired = table.c.window_ends_at <= now
            statement = statement.on_conflict_do_update(index_elements=[table.c.scope, table.c.reference], set_={
                "failures": case((expired, 1), else_=table.c.failures + 1),
                "window_ends_at": case((expired, literal(now + window, UTCDateTime)), else_=table.c.window_ends_at),
                "last_failed_at": now,
            })
            connection.execute(statement)

    def unlock(self, reference: str) -> bool:
        """Forget the reference's failed lookups (committed with the caller's transaction); tell whether any."""
        return db_session().execute(delete(LookupFailure).where(
            LookupFailure.scope == self.scope, LookupFailure.reference == reference_key(reference))).rowcount > 0

    def locked(self) -> list[LockedReference]:
        """Return the references locked now, most recently failed first."""
        amount, _window = self._window()
        rows = db_session().execute(select(LookupFailure).where(
            LookupFailure.scope == self.scope, LookupFailure.failures >= amount,
            LookupFailure.window_ends_at > utcnow()).order_by(LookupFailure.last_failed_at.desc())).scalars()
        return [LockedReference(row.reference, row.failures, row.last_failed_at, row.window_ends_at) for row in rows]


def purge_lookup_failures(session, now: datetime) -> int:
    """Delete the counts of failed lookups whose window has ended; return how many."""
    return session.execute(delete(LookupFailure).where(LookupFailure.window_ends_at <= now)).rowcount


class DateBoxesField(Field):
    """A date in three boxes (day, month, year), which work on every phone, unlike date pickers and typed formats.

    The boxes are named day, month and year (one such field per form); render
    it with the macro date_boxes from macros/forms.html. `data` is the date, or
    None; `boxes` keeps what was typed, so nothing is lost on an error. With
    `required=False`, three empty boxes mean no date.
    """

    BOXES = (("day", _l("Tag"), 2, "off"), ("month", _l("Monat"), 2, "off"), ("year", _l("Jahr"), 4, "off"))
    MISSING = _l("Bitte geben Sie Tag, Monat und Jahr ein.")
    TWO_DIGIT_YEAR = _l("Bitte geben Sie das Jahr mit vier Ziffern ein.")

    def __init__(self, label=None, validators=None, *, required: bool = True, **kwargs):
        super().__init__(label, validators, **kwargs)
        if self.name in {name for name, *_rest in self.BOXES}:
            # The field's box of that name would share its name and id: the box's label would name the whole field.
            raise ValueError(f"a DateBoxesField cannot be named '{self.name}', the name of one of its boxes: "
                             "name it after the date it asks for (birth_date, say)")
        self.date_required = required

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.data = data if isinstance(data, date) else None
        self.boxes = {name: "" for name, *_rest in self.BOXES}
        if formdata is not None:
            self.boxes = {name: str(formdata.get(name, "")).strip()[:20] for name in self.boxes}

    def pre_validate(self, form):
        self.data = None
        # "27." and "3." as written in German dates are the day and month all the same.
        parts = [ascii_digits(self.boxes[name]).strip(" .") for name, *_rest in self.BOXES]
        if not any(parts) and not self.date_required:
            raise StopValidation()  # no message: no date, and no error
        if not all(parts):
            raise StopValidation(str(self.MISSING))
        day, month, year = parts
        if year.isdigit() and len(year) == 2:
            # "05" may be 1905 or 2005: ask, never guess.
            raise StopValidation(str(self.TWO_DIGIT_YEAR))
        try:
            if not all(part.isdigit() for part in parts) or len(year) != 4 or len(day) > 2 or len(month) > 2:
                raise ValueError(year)
            typed = date(int(year), int(month), int(day))
        except ValueError:
            raise StopValidation(_("Dieses Datum gibt es nicht. Bitte prüfen Sie Tag, Monat und Jahr.")) from None
        problem = self.problem(typed)
        if problem:
            raise StopValidation(problem)
        self.data = typed

    def problem(self, typed: date) -> str | None:
        """Return a translated reason why this real date does not fit the field, or None."""
        return None


class BirthDateField(DateBoxesField):
    """A date of birth in three boxes, offered by the browser's autofill; it must lie between 1900 and today."""

    BOXES = (("day", _l("Tag"), 2, "bday-day"), ("month", _l("Monat"), 2, "bday-month"),
             ("year", _l("Jahr"), 4, "bday-year"))
    MISSING = _l("Bitte geben Sie Tag, Monat und Jahr Ihrer Geburt ein.")
    # The handover asks for children's dates of birth too, so a two-digit year is never completed.
    TWO_DIGIT_YEAR = _l("Bitte geben Sie das Jahr mit vier Ziffern ein, zum Beispiel 1985.")

    def problem(self, typed: date) -> str | None:
        return birth_date_problem(typed)


def birth_date_problem(born: date) -> str | None:
    """Return a translated reason why a date cannot be a client's date of birth, or None."""
    if born > date.today() or born.year < 1900:
        return _("Bitte prüfen Sie das Geburtsdatum.")
    return None


def limit_storage_reachable() -> bool:
    """Tell whether the shared rate-limit storage answers (always true for memory://); log a warning if not.

    While it does not, the address limits fall back to each worker's memory;
    the per-reference counts stay in the database and are not affected.
    """
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if uri.startswith("memory://"):
        return True
    try:
        reachable = storage_from_string(uri, socket_connect_timeout=2, socket_timeout=2).check()
    except Exception:  # noqa: BLE001  (any failure to connect means the same: not reachable)
        reachable = False
    if not reachable:
        parts = urlsplit(uri)
        current_app.logger.warning("The rate-limit storage %s://%s is unreachable: address limits are counted "
                                   "per worker in memory until it answers.", parts.scheme, parts.hostname)
    return reachable
