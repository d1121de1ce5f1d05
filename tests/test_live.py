"""Live versions: bump in a transaction, read cheaply, answer unchanged polls with 304, across processes.

Runs on the pass's database (SQLite or PostgreSQL). Redis is database 5 of the local server unless
PORTAL_TEST_REDIS_URL names another; it is emptied before and after each test that uses it.
"""

from __future__ import annotations

import logging
import os
import threading

import pytest
import redis
import requests
from sqlalchemy.engine import make_url

from portal import live, toolkit
from portal.testing import empty_tables
from tests import live_app
from tests.support import AppProcess, TcpProxy, wait_until

SECRET_KEY = "test-secret-key-at-least-32-bytes"



@pytest.fixture
def make_live_app(make_app, database_url, tmp_path):
    """Return a factory of portals with the test blueprint on the pass's database, emptied afterwards."""
    made = []

    def make(**settings):
        app = live_app.create({"instance_path": str(tmp_path), "database_url": database_url,
                               "secret_key": SECRET_KEY, "plugins": [], **settings})
        app.config["TESTING"] = True
        made.append(app)
        return app

    make_app(plugins=[])  # migrates the database
    yield make
    if made:
        empty_tables(made[0])
    for app in made:
        app.extensions["portal.db"].engine.dispose()


def bump_and_commit(app, topic: str, times: int = 1) -> None:
    with app.app_context():
        for _ in range(times):
            toolkit.bump(topic)
        toolkit.session().commit()


def version_of(app, topic: str) -> int:
    with app.app_context():
        return toolkit.live_version(topic)


def database_version(app, topic: str) -> int:
    return app.extensions["portal.live"].database_version(topic)


# --- Versions in the database ---------------------------------------------------------------------

def test_a_topic_starts_at_zero_and_each_committed_bump_advances_it(make_live_app):
    app = make_live_app()
    assert version_of(app, "fake_live:hall-a") == 0
    bump_and_commit(app, "fake_live:hall-a")
    assert version_of(app, "fake_live:hall-a") == 1
    bump_and_commit(app, "fake_live:hall-a", times=2)
    assert version_of(app, "fake_live:hall-a") == 3
    assert version_of(app, "fake_live:hall-b") == 0, "topics are counted apart"


def test_a_rolled_back_bump_leaves_the_version(make_live_app):
    app = make_live_app()
    bump_and_commit(app, "fake_live:hall-a")
    with app.app_context():
        toolkit.bump("fake_live:hall-a")
        toolkit.session().rollback()
    assert version_of(app, "fake_live:hall-a") == 1


@pytest.mark.parametrize("topic", ["hall-a", "Queue:hall", "queue:", "queue:with space", "queue:" + "x" * 151, 7])
def test_a_topic_is_named_plugin_colon_name(make_live_app, topic):
    app = make_live_app()
    with app.app_context(), pytest.raises(ValueError, match="<plugin>:<name>"):
        toolkit.bump(topic)
    with app.app_context(), pytest.raises(ValueError, match="<plugin>:<name>"):
        toolkit.live_version(topic)


def test_concurrent_bumps_lose_no_increment(make_live_app):
    app = make_live_app()
    threads, bumps = 8, 25
    failures = []

    def staff_member():
        try:
            for _ in range(bumps):
                bump_and_commit(app, "fake_live:busy")
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            failures.append(exc)

    workers = [threading.Thread(target=staff_member) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert version_of(app, "fake_live:busy") == threads * bumps


# --- Conditional answers ------------------------------------------------------------------------

def test_an_unchanged_poll_gets_304_without_rendering(make_live_app):
    app = make_live_app()
    client = app.test_client()
    first = client.get("/de/fake_live/board/hall-a")
    assert first.status_code == 200 and first.text == "board hall-a at version 0"
    etag = first.headers["ETag"]
    assert etag.startswith('W/"fake_live:hall-a.0.')
    assert first.headers["Cache-Control"] == "no-cache"
    rendered = live_app.renders["hall-a"]

    again = client.get("/de/fake_live/board/hall-a", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "no-cache"
    assert live_app.renders["hall-a"] == rendered, "an unchanged poll must not render"

    assert client.post("/de/fake_live/bump/hall-a").status_code == 200
    changed = client.get("/de/fake_live/board/hall-a", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.text == "board hall-a at version 1"
    assert changed.headers["ETag"] != etag
    assert live_app.renders["hall-a"] == rendered + 1


def test_a_personal_page_is_kept_private_and_htmx_fragments_have_tags_of_their_own(make_live_app):
    app = make_live_app()
    client = app.test_client()
    page = client.get("/de/fake_live/ticket/hall-a")
    assert page.headers["Cache-Control"] == "private, no-cache"
    unchanged = client.get("/de/fake_live/ticket/hall-a", headers={"If-None-Match": page.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.headers["Cache-Control"] == "private, no-cache"
    fragment = client.get("/de/fake_live/ticket/hall-a", headers={"HX-Request": "true",
                                                                  "If-None-Match": page.headers["ETag"]})
    assert fragment.status_code == 200 and fragment.headers["ETag"] != page.headers["ETag"]


def test_an_error_answer_is_never_tagged_as_the_current_version(make_live_app):
    client = make_live_app().test_client()
    etag = client.get("/de/fake_live/board/hall-a").headers["ETag"]
    missing = client.get("/de/fake_live/board/unknown", headers={"If-None-Match": etag})
    assert missing.status_code == 404 and "ETag" not in missing.headers
    assert missing.headers["Cache-Control"] == "no-cache"


def test_tags_agree_between_processes_of_one_office_and_change_with_what_pages_show(make_live_app):
    def tag(app):
        return app.test_client().get("/de/fake_live/board/hall-a").headers["ETag"]

    first = tag(make_live_app())
    assert tag(make_live_app(trusted_hosts=["portal.example", "localhost"])) == first
    assert tag(make_live_app(office={"name": "Ausländerbehörde Musterstadt"})) != first


def test_a_bump_by_a_rolled_back_request_changes_nothing_for_followers(make_live_app):
    app = make_live_app()
    client = app.test_client()
    etag = client.get("/de/fake_live/board/hall-a").headers["ETag"]
    assert client.post("/de/fake_live/bump/hall-a?rollback=1").status_code == 200
    assert client.get("/de/fake_live/board/hall-a", headers={"If-None-Match": etag}).status_code == 304


def test_an_unchanged_poll_of_a_public_followed_page_is_answered_before_the_pipeline(make_live_app):
    from flask import request_started

    app = make_live_app(https=True)
    client = app.test_client()
    etag = client.get("/de/fake_live/board/hall-a").headers["ETag"]
    started = []

    def note(sender, **_extra):
        started.append(sender)

    request_started.connect(note, app, weak=False)
    early = client.get("/de/fake_live/board/hall-a", headers={"If-None-Match": etag})
    assert early.status_code == 304 and started == [], "no Flask request for an unchanged poll"
    # The same poll through the whole pipeline (conditional in an ordinary view) gets the same headers.
    through = client.get("/de/fake_live/plain/hall-a", headers={"If-None-Match": etag})
    assert through.status_code == 304 and started == [app]
    assert dict(early.headers) == dict(through.headers)
    assert early.headers["Strict-Transport-Security"] and early.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in early.headers
    head = client.head("/de/fake_live/board/hall-a", headers={"If-None-Match": f'W/"x", {etag}'})
    assert head.status_code == 304 and started == [app]

    # A changed version, another tag, no tag, an unknown address: Flask's pipeline answers as always.
    assert client.get("/de/fake_live/board/hall-a", headers={"If-None-Match": 'W/"7.x"'}).status_code == 200
    assert client.get("/xx/fake_live/board/hall-a", headers={"If-None-Match": etag}).status_code == 404
    assert client.post("/de/fake_live/board/hall-a", headers={"If-None-Match": etag}).status_code == 405
    assert len(started) == 4
    request_started.disconnect(note, app)


def test_a_shared_page_is_rendered_once_per_version_and_kept_answers_carry_no_visitors_headers(make_live_app):
    from flask import request_started

    app = make_live_app()
    client = app.test_client()
    first = client.get("/de/fake_live/shared/hall-b")
    assert first.status_code == 200 and "Set-Cookie" in first.headers
    bump_and_commit(app, "fake_live:hall-b")
    started = []
    request_started.connect(lambda sender, **_extra: started.append(sender), app, weak=False)
    stale = {"If-None-Match": first.headers["ETag"]}
    answers = [client.get("/de/fake_live/shared/hall-b", headers=stale) for _follower in range(5)]
    assert [answer.status_code for answer in answers] == [200] * 5
    assert {answer.text for answer in answers} == {"shared board hall-b at version 1"}
    assert live_app.renders["shared hall-b"] == 2 and started == [app], "one rendering, then the kept answer"
    assert "Set-Cookie" in answers[0].headers and "Set-Cookie" not in answers[1].headers
    assert answers[1].headers["ETag"] == answers[0].headers["ETag"] != first.headers["ETag"]
    assert answers[1].headers["Content-Security-Policy"] == answers[0].headers["Content-Security-Policy"]
    current = {"If-None-Match": answers[0].headers["ETag"]}
    assert client.get("/de/fake_live/shared/hall-b", headers=current).status_code == 304
    bump_and_commit(app, "fake_live:hall-b")
    assert client.get("/de/fake_live/shared/hall-b", headers=stale).text == "shared board hall-b at version 2"
    assert live_app.renders["shared hall-b"] == 3


def test_a_private_page_cannot_be_shared():
    with pytest.raises(ValueError):
        toolkit.live_view(live_app.topic, private=True, shared=True)


def test_a_followed_staff_page_checks_the_role_before_any_304(make_live_app):
    app = make_live_app()
    client = app.test_client()
    etag = client.get("/de/fake_live/board/hall-a").headers["ETag"]
    answer = client.get("/de/staff/fake_live/board/hall-a", headers={"If-None-Match": etag})
    assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]


def test_an_unchanged_poll_for_an_untrusted_host_is_refused_as_always(make_live_app):
    app = make_live_app(trusted_hosts=["portal.example"])
    client = app.test_client()
    etag = client.get("/de/fake_live/board/hall-a", base_url="http://portal.example").headers["ETag"]
    assert client.get("/de/fake_live/board/hall-a", base_url="http://portal.example",
                      headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/de/fake_live/board/hall-a", base_url="http://forged.example",
                      headers={"If-None-Match": etag}).status_code == 400


# --- Redis ----------------------------------------------------------------------------------------

def test_with_redis_a_commit_publishes_the_version_and_readers_take_it_from_redis(make_live_app, redis_url):
    app = make_live_app(ratelimit_storage_url=redis_url)
    store = redis.Redis.from_url(redis_url)
    bump_and_commit(app, "fake_live:hall-a", times=2)
    assert store.get(live.KEY_PREFIX + "fake_live:hall-a") == b"2"
    assert 0 < store.ttl(live.KEY_PREFIX + "fake_live:hall-a") <= live.KEY_SECONDS

    # A version only Redis knows shows that readers ask Redis, not the database.
    store.set(live.KEY_PREFIX + "fake_live:hall-a", 7)
    assert version_of(app, "fake_live:hall-a") == 7
    # A lower version (a late publisher) never replaces a higher one.
    bump_and_commit(app, "fake_live:hall-a")
    assert store.get(live.KEY_PREFIX + "fake_live:hall-a") == b"7"

    # A topic Redis does not hold (never bumped, expired, Redis restarted empty) is read from the database once.
    store.delete(live.KEY_PREFIX + "fake_live:hall-a")
    assert version_of(app, "fake_live:hall-a") == 3
    assert store.get(live.KEY_PREFIX + "fake_live:hall-a") == b"3"


def test_with_redis_a_rolled_back_bump_publishes_nothing(make_live_app, redis_url):
    app = make_live_app(ratelimit_storage_url=redis_url)
    store = redis.Redis.from_url(redis_url)
    with app.app_context():
        toolkit.bump("fake_live:hall-a")
        assert store.get(live.KEY_PREFIX + "fake_live:hall-a") is None, "nothing is published before the commit"
        toolkit.session().rollback()
    assert store.get(live.KEY_PREFIX + "fake_live:hall-a") is None
    assert app.test_client().post("/de/fake_live/bump/hall-a?rollback=1").status_code == 200
    assert store.get(live.KEY_PREFIX + "fake_live:hall-a") is None
    assert version_of(app, "fake_live:hall-a") == 0


def test_with_redis_a_bump_undone_by_a_savepoint_never_inflates_the_published_version(make_live_app, redis_url):
    app = make_live_app(ratelimit_storage_url=redis_url)
    store = redis.Redis.from_url(redis_url)
    with app.app_context():
        session = toolkit.session()
        toolkit.bump("fake_live:hall-a")
        savepoint = session.begin_nested()
        toolkit.bump("fake_live:hall-a")
        savepoint.rollback()
        session.commit()
    assert store.get(live.KEY_PREFIX + "fake_live:hall-a") == b"1"
    # Otherwise the next real bump (2) would not pass the published 2 and followers would miss it.
    bump_and_commit(app, "fake_live:hall-a")
    assert store.get(live.KEY_PREFIX + "fake_live:hall-a") == b"2" and version_of(app, "fake_live:hall-a") == 2


def test_redis_at_a_closed_port_means_versions_from_the_database_with_one_warning(make_live_app, caplog):
    app = make_live_app(ratelimit_storage_url="redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="portal.live"):
        bump_and_commit(app, "fake_live:hall-a")
        assert [version_of(app, "fake_live:hall-a") for _ in range(3)] == [1, 1, 1]
        bump_and_commit(app, "fake_live:hall-a")
        assert version_of(app, "fake_live:hall-a") == 2
    warnings = [record for record in caplog.records if "unreachable" in record.getMessage()]
    assert len(warnings) == 1, caplog.text
    assert "127.0.0.1:1" in warnings[0].getMessage()


def test_redis_outage_falls_back_to_the_database_loses_nothing_and_recovers(make_live_app, redis_url, caplog):
    real = make_url(redis_url)
    proxy = TcpProxy(real.host, real.port or 6379)
    through_proxy = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    publisher, reader = make_live_app(ratelimit_storage_url=through_proxy), make_live_app(
        ratelimit_storage_url=through_proxy)
    store = redis.Redis.from_url(redis_url)
    key = live.KEY_PREFIX + "fake_live:hall-a"
    bump_and_commit(publisher, "fake_live:hall-a")
    assert version_of(reader, "fake_live:hall-a") == 1 and store.get(key) == b"1"
    try:
        with caplog.at_level(logging.WARNING, logger="portal.live"):
            proxy.cut()
            bump_and_commit(publisher, "fake_live:hall-a")  # committed, but Redis cannot be told
            bump_and_commit(publisher, "fake_live:hall-a")
            assert store.get(key) == b"1", "Redis holds the old version while the outage lasts"
            assert version_of(reader, "fake_live:hall-a") == 3
            assert version_of(publisher, "fake_live:hall-a") == 3
        assert sum("unreachable" in record.getMessage() for record in caplog.records) == 2, "once per process"
    finally:
        proxy.restore()
    # Once Redis answers again each process copies the database's versions into it; never an older one meanwhile.
    seen = []

    def caught_up():
        seen.append(version_of(reader, "fake_live:hall-a"))
        return store.get(key) == b"3"

    wait_until(caught_up)
    assert set(seen) == {3}
    bump_and_commit(publisher, "fake_live:hall-a")
    wait_until(lambda: store.get(key) == b"4")
    assert version_of(reader, "fake_live:hall-a") == 4
    proxy.close()


# --- Processes ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_bump_on_one_process_reaches_a_follower_polling_another(make_live_app, database_url, redis_url, tmp_path):
    make_live_app()  # migrated; emptied afterwards
    repository = str(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    settings = {"database_url": database_url, "secret_key": SECRET_KEY, "plugins": [],
                "ratelimit_storage_url": redis_url}
    staff_side = AppProcess(tmp_path / "staff", settings, wsgi="tests.live_app:create()",
                            extra_args=("--pythonpath", repository))
    follower_side = AppProcess(tmp_path / "follower", settings, wsgi="tests.live_app:create()",
                               extra_args=("--pythonpath", repository))
    with staff_side, follower_side:
        board = f"{follower_side.url}/de/fake_live/board/hall-a"
        first = requests.get(board, timeout=10)
        assert first.status_code == 200 and first.text.endswith("version 0")
        etag = first.headers["ETag"]
        assert requests.get(board, headers={"If-None-Match": etag}, timeout=10).status_code == 304

        assert requests.post(f"{staff_side.url}/de/fake_live/bump/hall-a", timeout=10).status_code == 200
        changed = requests.get(board, headers={"If-None-Match": etag}, timeout=10)
        assert changed.status_code == 200 and changed.text.endswith("version 1"), \
            "the very next poll after the commit sees the change"

        # Polls spread over both workers of the follower's process all agree from now on.
        etag = changed.headers["ETag"]
        assert {requests.get(board, headers={"If-None-Match": etag}, timeout=10).status_code
                for _ in range(10)} == {304}
        assert "Traceback" not in staff_side.log() + follower_side.log()
