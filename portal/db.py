"""Database: one declarative base for core and plugins, one session per app and request."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import CheckConstraint, DateTime, MetaData, create_engine, event, inspect, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, object_session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model, core and plugins alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        # SQLite without AUTOINCREMENT gives a deleted row's id to the next one (see migrate.ids_never_reused).
        if table is not None and table.autoincrement_column is not None:
            table.dialect_kwargs["sqlite_autoincrement"] = True


class UTCDateTime(TypeDecorator):
    """Store aware datetimes as UTC and give them back aware, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use an aware UTC datetime")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """Return a constraint, named after the column, that keeps it to the given words."""
    quoted = ", ".join("'{}'".format(value.replace("'", "''")) for value in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=column)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def insert_for(bind, table):
    """Return the INSERT of the bind's database (a session or connection) for table, with its ON CONFLICT clauses."""
    name = (bind.get_bind() if hasattr(bind, "get_bind") else bind).dialect.name
    return importlib.import_module(f"sqlalchemy.dialects.{name}").insert(table)


def hold(record) -> None:
    """Keep other requests off a record until this transaction ends, then read it anew; call before changing anything.

    A second request for the same record (a double tap, a second tab) waits here until the first one committed,
    and then decides on what the first one wrote instead of on what both read before either wrote.
    """
    mapper = inspect(record).mapper
    (key,) = mapper.primary_key
    session = object_session(record)
    # A write that changes nothing: on PostgreSQL it locks the row; on SQLite it takes the database's write lock,
    # which the driver would otherwise take only at the first real write, after the reads that decided it.
    session.execute(update(mapper.local_table).where(key == getattr(record, mapper.get_property_by_column(key).key))
                    .values({key.name: key}).execution_options(synchronize_session=False))
    session.expire_all()


def make_engine(url: str) -> Engine:
    """Create an engine that checks connections, so the portal recovers when the database returns."""
    # JSON columns keep umlauts and Arabic as they are, readable in the database and half the size.
    options: dict = {"pool_pre_ping": True, "json_serializer": partial(json.dumps, ensure_ascii=False)}
    if url.startswith("sqlite"):
        options["connect_args"] = {"check_same_thread": False, "timeout": 15}
    else:
        options.update(pool_size=5, max_overflow=5, pool_timeout=5,
                       connect_args={"connect_timeout": 3})
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        _create_private_file(engine.url.database)
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    return engine


class KeptRead:
    """A one-row read that every request runs, on driver connections kept beside the engine's pool.

    Checking a connection out of the pool (with its pre-ping), executing through SQLAlchemy and returning the
    connection cost many times such a read itself: 0.15 against 0.01 ms on SQLite, 0.6 against 0.08 ms of CPU on
    PostgreSQL (docs/performance.md). These connections come from the engine, so its connect arguments and events
    apply; they are detached from its pool, read outside any transaction and are kept while idle. A read that
    fails on a kept connection (the database restarted) drops it and is tried once on a new one. They close with
    the engine and serve only the process that opened them (gunicorn forks its workers from a loaded app).
    Values come as the driver gives them, without SQLAlchemy's type conversion: for integers and text.
    """

    def __init__(self, engine: Engine, statement):
        self.engine = engine
        self._compiled = statement.compile(dialect=engine.dialect)
        self._driver_error = engine.dialect.loaded_dbapi.Error
        self._idle: list = []
        self._pid = os.getpid()
        event.listen(engine, "engine_disposed", self.close)

    def scalar(self, **values):
        """Return the first column of the first row, or None when there is no row."""
        self._forget_other_process()
        parameters = self._compiled.construct_params(values)
        if self._compiled.positional:
            parameters = tuple(parameters[name] for name in self._compiled.positiontup)
        try:
            kept = self._idle.pop()
        except IndexError:
            pass
        else:
            try:
                return self._run(kept, parameters)
            except self._driver_error:
                self._discard(kept)
        opened = None
        try:
            opened = self._open()  # the pool raises the driver's own errors
            return self._run(opened, parameters)
        except self._driver_error as error:
            if opened is not None:
                self._discard(opened)
            raise DBAPIError.instance(self._compiled.string, parameters, error, self._driver_error) from error

    def close(self, _engine: Engine | None = None) -> None:
        """Close the idle connections (also when the engine is disposed)."""
        self._forget_other_process()
        while self._idle:
            self._discard(self._idle.pop())

    def _forget_other_process(self) -> None:
        # Closing a forked copy of the master's connection would end the session that every worker shares.
        if self._pid != os.getpid():
            self._idle, self._pid = [], os.getpid()

    def _open(self) -> tuple:
        connection = self.engine.raw_connection()
        connection.detach()
        try:
            self.engine.dialect.set_isolation_level(connection.dbapi_connection, "AUTOCOMMIT")
            return connection, connection.dbapi_connection.cursor()
        except BaseException:
            connection.close()
            raise

    def _run(self, kept: tuple, parameters):
        _connection, cursor = kept
        cursor.execute(self._compiled.string, parameters)
        rows = cursor.fetchall()  # to the end, so that SQLite holds no snapshot between reads
        self._idle.append(kept)
        return rows[0][0] if rows else None

    @staticmethod
    def _discard(kept: tuple) -> None:
        kept[0].close()  # the pool closes a detached connection and logs, never raises, what closing it raised


_WRITES = "portal.writes"


def _note_flush(session, _flush_context) -> None:
    session.info[_WRITES] = True


def _note_bulk_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WRITES] = True


def _forget_writes(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WRITES, None)


def holds_writes(session) -> bool:
    """Tell whether a rollback would lose changes: unflushed ones, or writes in the open transaction."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WRITES))


def _create_private_file(path: str | None) -> None:
    """Create a new SQLite file readable only by its owner (it holds password hashes), in a private folder.

    SQLite gives its journal and WAL files the database file's permissions.
    """
    if not path or path == ":memory:" or path.startswith("file:") or Path(path).exists():
        return
    Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


class Database:
    """The app's engine and scoped session, removed when each app context ends."""

    def __init__(self, app: Flask):
        self.engine = make_engine(app.config["DATABASE_URL"])
        factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        # Noting writes lets a failing render-time hook be undone without a SAVEPOINT on pages that only read.
        event.listen(factory, "after_flush", _note_flush)
        event.listen(factory, "do_orm_execute", _note_bulk_write)
        event.listen(factory, "after_transaction_end", _forget_writes)
        self.session = scoped_session(factory)
        app.extensions["portal.db"] = self
        app.teardown_appcontext(self._remove)

    def _remove(self, _exc=None):
        self.session.remove()


def session():
    """Return the current app's database session."""
    return current_app.extensions["portal.db"].session
