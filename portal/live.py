"""Live versions: a number per topic that every committed change advances, shared by all processes.

A staff action calls ``bump(topic)`` in its transaction; followers (a call display, client phones)
poll a page through ``conditional`` or ``live_view`` and get 304 until the topic's version moves.
A ``live_view(..., shared=True)`` page is the same for every visitor at a version: a poll with an
older tag gets the answer its process kept for the current version, also before Flask's pipeline.

The database is the truth: table ``core_live_topic`` (one row per topic, advanced by an atomic
upsert, so concurrent bumps never lose one). Redis, when ``ratelimit_storage_url`` names one, is
a cheap copy for readers: after the transaction commits, the committed versions are read back and
merged into Redis with "set only if greater", so a reader never gets a version older than one that
was committed before it asked. Keys expire after KEY_SECONDS, so a copy a publisher could not
update (Redis away for that process only) is read afresh from the database within that time.
When Redis does not answer, readers use the database, the process warns once, looks again after
1, 2, 4 … 32 seconds, and on its return copies every topic's version from the database into it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from flask import Flask, Response, current_app, has_request_context, make_response, request
from sqlalchemy import BigInteger, String, bindparam, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.http import parse_etags, quote_etag
from werkzeug.wsgi import get_host

from .db import Base, KeptRead, insert_for
from .db import session as db_session
from .i18n import current_language
from .pages import is_public_page
from .security import security_headers

log = logging.getLogger(__name__)

# '<plugin>:<name>', e.g. 'queue:wacker-hof'; the name may hold letters, digits and . _ - : /
TOPIC = re.compile(r"[a-z][a-z0-9_]*:[A-Za-z0-9._:/-]{1,150}")
KEY_PREFIX = "portal:live:"
# How long a version copied into Redis is trusted before it is read again from the database.
KEY_SECONDS = 60
LONGEST_RETRY_SECONDS = 32
# Short: while Redis hangs, a follower's poll must not wait long before falling back to the database.
REDIS_TIMEOUT_SECONDS = 0.5
_PENDING = "portal.live.pending"
# Advanced by every committed change to what visitors read (a staff save, an import, a command); page caches key on it.
CONTENT_TOPIC = "core:content"
# Where a request keeps the content version it read first (the page cache reads it before the app runs).
CONTENT_VERSION_KEY = "portal.content_version"
_CONTENT_CHANGED = "portal.live.content_changed"
_EXTENSION = "portal.live"

# Set each key to its version unless Redis already holds a greater one; ARGV[1] is the expiry in seconds.
MERGE_GREATER = """
for index, key in ipairs(KEYS) do
  local version = tonumber(ARGV[index + 1])
  local held = tonumber(redis.call('GET', key) or '-1')
  if version > held then
    redis.call('SET', key, version, 'EX', ARGV[1])
  end
end
return #KEYS
"""


class LiveTopic(Base):
    """A topic's version: how many committed changes it has seen."""

    __tablename__ = "core_live_topic"

    topic: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


def check_topic(topic: str) -> str:
    """Return the topic if it is named '<plugin>:<name>'; raise ValueError otherwise."""
    if not isinstance(topic, str) or not TOPIC.fullmatch(topic):
        raise ValueError(f"live topic {topic!r} must be named '<plugin>:<name>', like 'queue:wacker-hof'")
    return topic


_VERSION_OF_TOPIC = select(LiveTopic.__table__.c.version).where(LiveTopic.__table__.c.topic == bindparam("topic"))


class LiveVersions:
    """One app's topic versions: the database as the truth, Redis (when configured) as the shared copy."""

    def __init__(self, engine: Engine, redis_url: str | None, build: str):
        self.engine = engine
        # Without Redis every public request reads the content version: a read kept off the pool's round trips.
        self._version_read = KeptRead(engine, _VERSION_OF_TOPIC)
        self.build = build
        self.redis = None
        # The failures that mean "Redis is away"; none without Redis, whose client is then never imported (about
        # 5 MiB and 0.15 s of every start).
        self.redis_errors: tuple[type[Exception], ...] = ()
        if redis_url and redis_url.startswith(("redis://", "rediss://")):
            import redis

            self.redis_errors = (redis.RedisError,)
            self.redis = redis.Redis.from_url(redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                              socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
            self._merge_script = self.redis.register_script(MERGE_GREATER)
            self.redis_address = redis_url.split("@")[-1].split("/")[0]
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0
        self._retry_seconds = 1

    # --- the database --------------------------------------------------------------------------

    def database_version(self, topic: str) -> int:
        """Return the topic's committed version from the database (0 for a topic never bumped)."""
        return self._version_read.scalar(topic=topic) or 0

    def _database_versions(self, topics: Iterable[str] | None = None) -> dict[str, int]:
        table = LiveTopic.__table__
        query = select(table.c.topic, table.c.version)
        if topics is not None:
            query = query.where(table.c.topic.in_(sorted(topics)))
        with self.engine.connect() as connection:
            return dict(connection.execute(query).all())

    # --- Redis ---------------------------------------------------------------------------------

    def _merge(self, versions: dict[str, int]) -> None:
        if versions:
            keys = [KEY_PREFIX + topic for topic in versions]
            self._merge_script(keys=keys, args=[KEY_SECONDS, *versions.values()])

    def _usable_redis(self) -> bool:
        """Tell whether to ask Redis now; after an outage, look again when the wait is over and catch up."""
        if self.redis is None:
            return False
        if not self._down:
            return True
        with self._lock:
            if not self._down or time.monotonic() < self._retry_at:
                return not self._down
            try:
                # Versions bumped while Redis was away (by any process) reach it before anyone reads it again.
                self._merge(self._database_versions())
            except self.redis_errors:
                self._retry_seconds = min(self._retry_seconds * 2, LONGEST_RETRY_SECONDS)
                self._retry_at = time.monotonic() + self._retry_seconds
                return False
            self._down, self._retry_seconds = False, 1
        log.warning("live versions: Redis at %s answers again; versions copied from the database",
                    self.redis_address)
        return True

    def lost_redis(self, error: Exception) -> None:
        """Note that Redis failed: read the database, warn once, catch up when Redis answers again."""
        with self._lock:
            if not self._down:
                log.warning("live versions: Redis at %s is unreachable (%s); reading versions from the database "
                            "until it is back", self.redis_address, error)
            self._down = True
            self._retry_at = time.monotonic() + self._retry_seconds

    # --- what the toolkit offers ---------------------------------------------------------------

    def version(self, topic: str) -> int:
        """Return the topic's version: Redis's copy when it answers, else the database's."""
        if self._usable_redis():
            try:
                held = self.redis.get(KEY_PREFIX + topic)
                if held is not None:
                    return int(held)
                version = self.database_version(topic)
                self._merge({topic: version})
                return version
            except self.redis_errors as error:
                self.lost_redis(error)
        return self.database_version(topic)

    def publish(self, topics: set[str]) -> None:
        """Copy the committed versions of topics into Redis; on failure catch up when Redis answers again."""
        if not self._usable_redis():
            return  # the catch-up after the outage copies these too
        try:
            self._merge(self._database_versions(topics))
        except self.redis_errors as error:
            self.lost_redis(error)

    def etag(self, topic: str, version: int, htmx: bool) -> str:
        """Return the entity tag of a followed page at this version (weak: compression changes the bytes)."""
        return f"{topic}.{version}.{self.build}{'.h' if htmx else ''}"


def _store() -> LiveVersions:
    return current_app.extensions[_EXTENSION]


def bump(topic: str) -> None:
    """Advance the topic's version in the current transaction; other processes see it once that commits."""
    _bump_in(db_session(), check_topic(topic))


def content_changed() -> None:
    """Say that this transaction changes what visitors read: cached pages of every process expire once it commits."""
    db_session().info[_CONTENT_CHANGED] = True


def _bump_in(session, topic: str) -> None:
    table = LiveTopic.__table__
    statement = insert_for(session, table).values(topic=topic, version=1)
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.topic],
                                                    set_={"version": table.c.version + 1}))
    session.info.setdefault(_PENDING, set()).add(topic)
    session.info[_EXTENSION] = _store()


def live_version(topic: str) -> int:
    """Return the topic's current version (0 when never bumped): cheap, from Redis when it answers."""
    return _store().version(check_topic(topic))


def content_version() -> int:
    """Return the content version: read once per request (or at every call outside one), shared by all processes."""
    if not has_request_context():
        return live_version(CONTENT_TOPIC)
    environ = request.environ
    if CONTENT_VERSION_KEY not in environ:
        environ[CONTENT_VERSION_KEY] = live_version(CONTENT_TOPIC)
    return environ[CONTENT_VERSION_KEY]


# Every per-process store of kept content, so forget_content() reaches them all.
content_caches: list[dict] = []


def content_cached(function: Callable | None = None, *, per_language: bool = True, entries: int = 256) -> Callable:
    """Keep what a function returns for its arguments (and the visitor's language) until the content version moves.

    For slot answers and the data behind them that change only through a staff save, an import or a command.
    The arguments must be hashable and name all else the result depends on (today's date, a location). What is
    kept is shared by every visitor of this process: never anything personal, never ORM objects of a session.
    """
    def decorate(function: Callable) -> Callable:
        kept: dict = {}
        content_caches.append(kept)

        @functools.wraps(function)
        def cached(*args, **kwargs):
            current = kept_for_content(kept, entries)
            # Per language also per path prefix: what a page shows in a language may hold its addresses.
            root = request.script_root if per_language and has_request_context() else ""
            key = (current_language() if per_language else None, root, args, tuple(sorted(kwargs.items())))
            if key in current:
                return current[key]
            result = current[key] = function(*args, **kwargs)
            return result

        return cached

    return decorate(function) if function is not None else decorate


_HELD_VERSION = object()


def kept_for_content(kept: dict, entries: int) -> dict:
    """Return a process's store of kept results, emptied when the content version moved or it holds `entries`.

    The store must be in content_caches. Raises SQLAlchemyError when the database is away (without Redis).
    """
    version = content_version()
    if kept.get(_HELD_VERSION) != version or len(kept) > entries:
        kept.clear()
        kept[_HELD_VERSION] = version
    return kept


def forget_content() -> None:
    """Drop every kept result of this process (tests that empty the tables start the versions again at 0)."""
    for kept in content_caches:
        kept.clear()


def _cache_control(response: Response, private: bool) -> Response:
    response.headers["Cache-Control"] = "private, no-cache" if private else "no-cache"
    return response


def conditional(topic: str, render: Callable[[], Response], *, private: bool = False) -> Response:
    """Answer 304 when the request's If-None-Match names the topic's current version, else render (tagged if 200)."""
    store = _store()
    # Read before rendering: a change in between makes the page newer than its tag, never older.
    etag = store.etag(topic, live_version(topic), request.headers.get("HX-Request") == "true")
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = make_response(render())
    if response.status_code in (200, 304):
        response.set_etag(etag, weak=True)  # a refusal or an error page is never kept as the current version
    return _cache_control(response, private)


@dataclass(frozen=True)
class Followed:
    """How a followed view names its topic, for the answer before the pipeline."""

    topic_of: Callable[..., str]
    private: bool
    shared: bool = False


def live_view(topic_of: Callable[..., str], *, private: bool = False, shared: bool = False) -> Callable:
    """Make a view a followed page: topic_of(**view_args) names its topic; unchanged polls get 304 early.

    With shared=True (a public page whose answer depends on nothing but its address and the topic's version: no
    visitor, cookie, form token or rate-limit state in it) a poll with an older tag gets the answer this process
    kept for the current version before the pipeline, so a change costs one rendering per process, not one per
    follower.
    """
    if shared and private:
        raise ValueError("a private page is never shared between visitors")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def answer(**view_args):
            return conditional(topic_of(**view_args), lambda: view(**view_args), private=private)

        answer.live_followed = Followed(topic_of, private, shared)
        return answer

    return decorate


def _changes_content(session) -> bool:
    """Tell whether the session's unflushed changes touch a plugin's table (core tables hold no public content).

    Asked once per transaction at most until it says yes: ``session.dirty`` walks every loaded record.
    """
    if session.info.get(_CONTENT_CHANGED):
        return True
    changed = itertools.chain(session.new, session.deleted, session.dirty)
    return any(not getattr(record, "__tablename__", "core_").startswith("core_") for record in changed)


def _outside_public_pages() -> bool:
    """Tell whether no public page is being answered: a staff page, a command, an import or a test."""
    return not has_request_context() or not is_public_page()


def _note_content_change(session, _flush_context, _instances) -> None:
    if not session.info.get(_CONTENT_CHANGED) and _outside_public_pages() and _changes_content(session):
        session.info[_CONTENT_CHANGED] = True


def _before_commit(session) -> None:
    if session.info.get(_CONTENT_CHANGED) or (_outside_public_pages() and _changes_content(session)):
        _bump_in(session, CONTENT_TOPIC)


def _after_commit(session) -> None:
    topics = session.info.pop(_PENDING, None)
    store = session.info.get(_EXTENSION)
    if topics and store is not None and store.redis is not None:
        try:
            store.publish(topics)
        except Exception as error:  # the change is committed: its request must not fail; catch up later
            store.lost_redis(error)
    if topics and CONTENT_TOPIC in topics and has_request_context():
        request.environ.pop(CONTENT_VERSION_KEY, None)  # what this request renders next shows its own change


def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back: nothing to publish
        session.info.pop(_CONTENT_CHANGED, None)


# Settings that change what pages show; those that may differ between the app servers of one office are left out.
SHOWN_SETTINGS = ("municipality", "office", "theme", "languages", "default_language", "fallback_languages",
                  "timezone", "accessibility", "https", "plugins", "plugin_settings")


def _build_token(app: Flask) -> str:
    """Return a short token of the release and the shown settings: a new release or configuration makes old tags
    stale. Keyed with the secret, so a tag tells nothing about settings."""
    try:
        core = package_version("migration-office-portal")
    except PackageNotFoundError:
        core = "unknown"
    settings = app.config["PORTAL"]
    plugins = sorted(f"{plugin.name}={plugin.info.version}" for plugin in app.extensions["portal.loaded_plugins"])
    shown = json.dumps({key: settings[key] for key in SHOWN_SETTINGS}, sort_keys=True, default=str)
    return hmac.new(settings["secret_key"].encode(), " ".join([core, *plugins, shown]).encode(),
                    hashlib.sha256).hexdigest()[:8]


# Kept answers of shared followed pages per process: a few versions of a few pages in a few encodings.
KEPT_ANSWERS = 64
# Headers a kept answer does not pass on: they belong to the request that made it.
_REQUEST_HEADERS = frozenset({"set-cookie", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
                              "retry-after"})


class UnchangedPolls:
    """WSGI layer answering a follower's poll of a public live_view before Flask's pipeline: 304 when unchanged,
    and for a shared page the answer kept for the current version.

    Such an answer needs no session, form token, language choice or rate limit; a 304 carries the
    headers the pipeline would give it (tested against them). Anything else goes on to Flask.
    """

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.kept: dict[tuple, tuple[str, list[tuple[str, str]], bytes]] = {}

    def __call__(self, environ, start_response):
        tags = environ.get("HTTP_IF_NONE_MATCH")
        if tags and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            try:
                followed = self._followed(environ)
            except Exception:  # Flask's pipeline meets the same failure and answers it with the portal's pages
                followed = None
            if followed is not None:
                kind, etag = followed
                if parse_etags(tags).contains_weak(etag):
                    start_response("304 Not Modified", self._unchanged_headers(kind, etag))
                    return []
                if kind.shared and environ["REQUEST_METHOD"] == "GET":
                    return self._kept_answer(environ, start_response, etag)
        return self.wsgi_app(environ, start_response)

    def _kept_answer(self, environ, start_response, etag: str):
        """Answer with what this process kept for the page at the tag's version, else let Flask answer and keep it."""
        key = (environ.get("PATH_INFO"), environ.get("QUERY_STRING"), environ.get("HTTP_ACCEPT_ENCODING"), etag)
        kept = self.kept.get(key)
        if kept is not None:
            status, headers, body = kept
            start_response(status, headers)
            return [body]
        answer = {}

        def note_start(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, note_start)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        headers = answer.get("headers", [])
        # Kept only when rendered at the version read above: a newer one gets its own answer at its next poll.
        if answer.get("status", "").startswith("200") and ("ETag", quote_etag(etag, weak=True)) in headers:
            if len(self.kept) >= KEPT_ANSWERS:
                self.kept.clear()
            self.kept[key] = (answer["status"], [(name, value) for name, value in headers
                                                 if name.lower() not in _REQUEST_HEADERS], body)
        return [body]

    def _followed(self, environ) -> tuple[Followed, str] | None:
        """Return how a public followed page is followed and its current tag, when the request asks for one."""
        app = self.app
        if app.config["TRUSTED_HOSTS"]:
            get_host(environ, app.config["TRUSTED_HOSTS"])  # a host not trusted raises: Flask answers 400
        endpoint, arguments = app.url_map.bind_to_environ(environ).match()
        followed = getattr(app.view_functions.get(endpoint), "live_followed", None)
        blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
        # Staff pages check the role in the pipeline first.
        if followed is None or getattr(blueprint, "kind", None) != "public":
            return None
        arguments.pop("lang", None)  # the views never get it (portal/i18n.py)
        store: LiveVersions = app.extensions[_EXTENSION]
        topic = check_topic(followed.topic_of(**arguments))
        return followed, store.etag(topic, store.version(topic), environ.get("HTTP_HX_REQUEST") == "true")

    def _unchanged_headers(self, followed: Followed, etag: str) -> list[tuple[str, str]]:
        """Return the headers of a 304: those the pipeline would give it."""
        app = self.app
        return [("ETag", quote_etag(etag, weak=True)),
                ("Cache-Control", "private, no-cache" if followed.private else "no-cache"),
                ("Vary", "HX-Request, Accept-Encoding"),
                *security_headers(app.config["PORTAL"]["https"])]


def init_app(app: Flask) -> None:
    """Keep the app's live versions, publish bumps after their transaction commits, answer unchanged polls early."""
    database = app.extensions["portal.db"]
    store = LiveVersions(database.engine, app.config["PORTAL"]["ratelimit_storage_url"], _build_token(app))
    app.extensions[_EXTENSION] = store
    # Kept results are the process's: what another app of it kept (a test's, with other plugins) is not this one's.
    forget_content()
    app.wsgi_app = UnchangedPolls(app, app.wsgi_app)
    factory = database.session.session_factory
    event.listen(factory, "before_flush", _note_content_change)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_transaction_end", _after_transaction_end)
