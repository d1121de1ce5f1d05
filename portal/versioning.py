"""Versioned saves: a staff edit is written only if nobody saved the record since its form was loaded.

A model opts in with SQLAlchemy's ``version_id_col``; its edit form carries the
version in a ``VersionField``; the view calls ``save_if_current``, and on a
conflict renders the form again (status 409) with the ``save_conflict`` macro of
``macros/versioned.html`` above it: the stored values are shown, the input stays.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect
from sqlalchemy.orm import object_session
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field
from wtforms.widgets import HiddenInput

from .forms import Form
from .live import content_changed


class VersionField(Field):
    """The version a record had when its form was loaded, sent back in a hidden input.

    Anything but a whole number reads as None, which never matches a stored
    version: a damaged form gives the conflict page, not an invisible error.
    """

    widget = HiddenInput()

    def __call__(self, **kwargs):
        # Without an id: a page with several forms about one record (a desk's buttons) would repeat it.
        kwargs.setdefault("id", False)
        return super().__call__(**kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip().isdecimal():
            self.data = int(valuelist[0])

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class VersionForm(Form):
    """Carry a record's version: alone for a button acting on the record (delete, end, mark), or as a form's base."""

    version = VersionField()


def _version_key(record) -> str:
    mapper = inspect(record).mapper
    if mapper.version_id_col is None:
        raise TypeError(f"{type(record).__name__} has no version_id_col in its __mapper_args__")
    return mapper.get_property_by_column(mapper.version_id_col).key


def current_version(record) -> int:
    """Return the version a record has in the database session."""
    return getattr(record, _version_key(record))


def _changes_pending(session) -> bool:
    """Tell whether flushing the session would write anything: rows added, deleted or with a value changed."""
    return bool(session.new or session.deleted or any(session.is_modified(row) for row in session.dirty))


def save_if_current(record, version: int | None, change: Callable[[], object] | None = None) -> bool:
    """Apply change and flush it if the record is still at version; else roll back and return False.

    The record's row is written with ``WHERE version = …`` even when only rows
    that belong to it change, so a colleague's save that lands after the check
    is still noticed (SQLAlchemy raises StaleDataError at the flush). Deleting
    the record inside change is a versioned delete. A change that changes
    nothing writes nothing and keeps the version, so a colleague's form loaded
    before stays current. After False the session is rolled back, so reading
    the record shows what is stored now.
    """
    session = object_session(record)
    key = _version_key(record)
    loaded = getattr(record, key)
    if version is None or loaded != version:
        session.rollback()
        return False
    try:
        with session.no_autoflush:
            if change is not None:
                change()
            if record not in session.deleted:
                if not _changes_pending(session):
                    return True
                # Setting the next version makes the row's UPDATE (and its version check) happen in any case.
                setattr(record, key, inspect(record).mapper.version_id_generator(loaded))
        session.flush()
    except StaleDataError:
        session.rollback()
        return False
    content_changed()
    return True
