"""The toolkit's lookup helpers: reference normaliser, digits, keyed hashes, client networks."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from portal import toolkit
from portal.db import utcnow
from portal.lookups import LookupFailure


@pytest.mark.parametrize(("typed", "normalized", "key"), [
    ("M-100001", "M-100001", "M100001"),
    ("  m 100001 ", "M 100001", "M100001"),
    ("m\u2013100001", "M-100001", "M100001"),
    ("م-١٠٠٠٠١", "م-100001", "م100001"),
    ("M-۱۰۰۰۰۱", "M-100001", "M100001"),
    # Typed on a Cyrillic or Greek keyboard: letters that look Latin are the Latin ones.
    ("М-100001", "M-100001", "M100001"),
    ("м-100001", "M-100001", "M100001"),
    ("Α-ΒΕΚ-7", "A-BEK-7", "ABEK7"),
    ("５４/１２-２０２６", "54/12-2026", "54122026"),
    ("54 / 12  -  2026", "54 / 12 - 2026", "54122026"),
    ("", "", ""),
    (None, "", ""),
])
def test_one_normaliser_forgives_spaces_separators_case_and_digits(typed, normalized, key):
    assert toolkit.normalize_reference(typed) == normalized
    assert toolkit.reference_key(typed) == key


def test_keyed_hashes_depend_on_the_secret_and_compare_in_constant_time(app):
    with app.test_request_context():
        stored = toolkit.keyed_hash("purpose", "M-1", "1985-03-27")
        assert len(stored) == 64 and "1985" not in stored
        assert toolkit.keyed_hash_matches(stored, "purpose", "M-1", "1985-03-27")
        assert not toolkit.keyed_hash_matches(stored, "other", "M-1", "1985-03-27")
        assert not toolkit.keyed_hash_matches(None, "purpose", "M-1", "1985-03-27")
        app.config["SECRET_KEY"], secret = "another-secret-key", app.config["SECRET_KEY"]
        try:
            assert not toolkit.keyed_hash_matches(stored, "purpose", "M-1", "1985-03-27")
        finally:
            app.config["SECRET_KEY"] = secret


@pytest.mark.parametrize(("address", "network"), [
    ("192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.7", "192.0.2.7"),
    ("not an address", "not an address"),
])
def test_client_network_counts_an_ipv6_64_as_one_client(app, address, network):
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        assert toolkit.client_network() == network


def test_a_reference_limit_locks_after_its_failures_and_unlocks(app):
    limit = toolkit.ReferenceLimit("example", "2 per hour")
    with app.test_request_context():
        assert limit.lookup("X-1", lambda: None) is None
        assert limit.locked_until("x 1") is None
        assert limit.lookup("X1", lambda: None) is None
        assert limit.locked_until("X-1") is not None
        with pytest.raises(TooManyRequests) as refused:
            limit.lookup("X-1", lambda: "found")
        assert refused.value.retry_after is not None
        assert [locked.reference for locked in limit.locked()] == ["X1"]
        # Another lookup's counts and other references are apart.
        assert toolkit.ReferenceLimit("other", "2 per hour").lookup("X-1", lambda: "found") == "found"
        assert limit.lookup("X-2", lambda: "found") == "found"
        assert limit.unlock("X-1") and not limit.unlock("X-1")
        assert limit.lookup("X-1", lambda: "found") == "found"


def test_purge_deletes_the_counts_of_ended_windows(app, db):
    now = utcnow()
    db.add_all([LookupFailure(scope="s", reference="ENDED", failures=3, window_ends_at=now - timedelta(minutes=1),
                              last_failed_at=now - timedelta(hours=1)),
                LookupFailure(scope="s", reference="RUNNING", failures=3, window_ends_at=now + timedelta(minutes=1),
                              last_failed_at=now)])
    db.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert "failed lookup counts: 1 deleted" in result.output, result.output
    db.expire_all()
    assert db.scalars(select(LookupFailure.reference)).all() == ["RUNNING"]


REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.parametrize(("storage", "warned"), [("redis://127.0.0.1:1/15", True), (REDIS_URL, False),
                                                 ("memory://", False)])
def test_the_dashboard_and_the_log_warn_while_the_limit_storage_is_unreachable(app, staff_client, caplog, storage,
                                                                               warned):
    client = staff_client("editor")
    configured = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = storage
    try:
        page = client.get("/de/staff/").get_data(as_text=True)
    finally:
        app.config["RATELIMIT_STORAGE_URI"] = configured
    assert ("Der Speicher für die Abfragegrenzen (Redis) antwortet nicht." in page) is warned
    assert ("rate-limit storage redis://127.0.0.1 is unreachable" in caplog.text) is warned


@pytest.mark.parametrize(("value", "valid"), [("10 per hour", True), ("3/minute", True),
                                              ("10 per hour; 50 per day", False), ("often", False)])
def test_a_reference_limit_setting_is_one_rate_limit(value, valid):
    adapter = TypeAdapter(toolkit.ReferenceLimitSetting)
    if valid:
        assert adapter.validate_python(value) == value
    else:
        with pytest.raises(ValidationError, match="must be one rate limit"):
            adapter.validate_python(value)


@pytest.mark.parametrize("name", ["day", "month", "year"])
def test_a_date_in_boxes_cannot_take_the_name_of_one_of_its_boxes(app, name):
    from portal.toolkit import DateBoxesField, Form

    with app.test_request_context("/de/"):
        with pytest.raises(ValueError, match=f"cannot be named '{name}'"):
            type("DayForm", (Form,), {name: DateBoxesField("Tag des Umzugs")})()
        assert type("MoveForm", (Form,), {"moved_on": DateBoxesField("Tag des Umzugs")})().moved_on.data is None
