"""The database helpers that models share."""

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy.exc import IntegrityError

from portal import toolkit


def test_one_of_keeps_a_column_to_its_words_quoting_them_safely():
    table = Table("sample", MetaData(), Column("id", Integer, primary_key=True), Column("state", String(20)),
                  toolkit.one_of("state", ("waiting", "it's done")))
    engine = create_engine("sqlite://")
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(insert(table).values(state="it's done"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(table).values(state="gone"))
