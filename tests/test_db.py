"""The database helpers that models share."""

import os

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from portal import toolkit
from portal.db import KeptRead
from tests.support import wait_until


def test_one_of_keeps_a_column_to_its_words_quoting_them_safely():
    table = Table("sample", MetaData(), Column("id", Integer, primary_key=True), Column("state", String(20)),
                  toolkit.one_of("state", ("waiting", "it's done")))
    engine = create_engine("sqlite://")
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(insert(table).values(state="it's done"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(table).values(state="gone"))


# --- KeptRead: the one-row read every public request runs ------------------------------------------------------

def _topics(engine) -> Table:
    table = Table("kept_read_sample", MetaData(), Column("topic", String(40), primary_key=True),
                  Column("version", Integer))
    table.drop(engine, checkfirst=True)
    table.create(engine)
    return table


def _postgres_engine(database_url: str, name: str):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("server connections that end, and forked workers, are a PostgreSQL case")
    return create_engine(database_url, pool_pre_ping=True, connect_args={"application_name": name})


def test_a_kept_read_returns_the_committed_value_of_the_moment_or_none(database_url):
    engine = create_engine(database_url)
    table = _topics(engine)
    with engine.begin() as connection:
        connection.execute(insert(table).values(topic="core:content", version=3))
    read = KeptRead(engine, select(table.c.version).where(table.c.topic == bindparam("topic")))
    try:
        assert read.scalar(topic="core:content") == 3
        assert read.scalar(topic="core:missing") is None
        with engine.begin() as connection:
            connection.execute(update(table).values(version=4))
        # The kept connection holds no transaction, so it sees every commit (on SQLite, no old snapshot).
        assert read.scalar(topic="core:content") == 4
    finally:
        table.drop(engine)
        engine.dispose()


def test_a_kept_read_of_an_unreachable_database_raises_the_database_error(database_url, tmp_path):
    if make_url(database_url).get_backend_name() == "postgresql":
        url = make_url(database_url).set(host="127.0.0.1", port=9)  # discard port: nothing listens
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.sqlite3'}"
    engine = create_engine(url, connect_args={"connect_timeout": 3} if "postgresql" in str(url) else {})
    with pytest.raises(OperationalError):
        KeptRead(engine, select(literal(1))).scalar()


def test_a_kept_read_replaces_a_connection_the_server_ended_and_a_forked_worker_opens_its_own(database_url):
    engine = _postgres_engine(database_url, "kept-read-restart")
    backend = KeptRead(engine, select(func.pg_backend_pid()))
    try:
        first = backend.scalar()
        assert backend.scalar() == first  # kept between reads
        with engine.begin() as connection:
            connection.execute(select(func.pg_terminate_backend(first)))
        second = backend.scalar()  # no error for the reader: the read is tried again on a new connection
        assert second != first
        child = os.fork()
        if child == 0:
            try:
                os._exit(0 if backend.scalar() != second else 1)
            except BaseException:
                os._exit(2)
        assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0
        assert backend.scalar() == second  # the child neither used nor closed the parent's connection
    finally:
        engine.dispose()


def test_a_kept_read_closes_its_connections_with_the_engine(database_url):
    engine = _postgres_engine(database_url, "kept-read-close")
    counter = create_engine(database_url)

    def open_connections() -> int:
        with counter.connect() as connection:
            return connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kept-read-close'"))

    read = KeptRead(engine, select(literal(1)))
    try:
        assert read.scalar() == 1
        assert open_connections() == 1  # the detached one; the pool keeps none
        engine.dispose()
        # The server ends the backend after the client has closed it, a moment later.
        wait_until(lambda: open_connections() == 0, timeout=10)
    finally:
        counter.dispose()
