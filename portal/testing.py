"""Pytest fixtures for the portal and its plugins, ours and a municipality's alike.

Installed as a pytest plugin (entry point ``pytest11``). A plugin's tests set
the portal they need by overriding the fixture ``portal_config``; a single test
changes it further with the marker ``@pytest.mark.portal_config({...})``. The
suite runs on SQLite, or on PostgreSQL when PORTAL_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from . import create_app
from .assets import static_folders
from .clock import office_now, office_today
from .db import Base, utcnow
from .extensions import limiter
from .live import forget_content
from .migrate import _owners, describe_pending, migrate, pending_changes, upgrade_all

CHROMIUM = "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
# The narrowest phone every page must fit without scrolling sideways.
NARROW_PHONE = {**PHONE, "viewport": {"width": 320, "height": 640}}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
TEST_PASSWORD = "korrekt-Pferd-Batterie-42"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def portal_config() -> dict:
    """Configuration overrides for the portal under test; override in a conftest to change them."""
    return {}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Return the test database: PostgreSQL from PORTAL_TEST_DATABASE_URL (emptied first), else SQLite."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'portal.sqlite3'}"


@pytest.fixture(scope="session")
def make_app(database_url, tmp_path_factory) -> Callable[..., Flask]:
    """Return a factory of migrated apps, one per distinct configuration, shared by the session."""
    apps: dict[str, Flask] = {}
    instance = tmp_path_factory.mktemp("instance")
    last_key = None

    def make(**overrides) -> Flask:
        nonlocal last_key
        key = json.dumps(overrides, sort_keys=True, default=str)
        if key != last_key:
            # Every app keeps connections of its own (pool and kept reads); kept for dozens of configurations,
            # they would exceed PostgreSQL's connection limit. A closed app opens new ones when it is used again.
            for other_key, other in apps.items():
                if other_key != key:
                    other.extensions["portal.db"].engine.dispose()
            last_key = key
        if key not in apps:
            # Pages are rendered for each request unless a test turns the page cache on (tests/test_page_cache.py).
            settings = {"instance_path": str(instance), "database_url": database_url,
                        "secret_key": "test-secret-key-at-least-32-bytes", "page_cache_seconds": 0, **overrides}
            app = create_app(settings)
            app.config["TESTING"] = True
            with app.app_context():
                upgrade_all()
            apps[key] = app
        return apps[key]

    yield make
    for app in apps.values():
        app.extensions["portal.db"].engine.dispose()


@pytest.fixture
def unmigrated_app(tmp_path) -> Iterator[Callable[..., Flask]]:
    """Return a factory of apps on an empty database of their own, for testing a data migration with migrate_to.

    On PostgreSQL the database is a second one beside the test database, dropped afterwards.
    """
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    server, name = None, None
    if url:
        name = f"{make_url(url).database}_migration"
        server = create_engine(url, isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {name}"))
        database = make_url(url).set(database=name).render_as_string(hide_password=False)
    else:
        database = f"sqlite:///{tmp_path / 'migration.sqlite3'}"
    made: list[Flask] = []

    def make(**overrides) -> Flask:
        app = create_app({"instance_path": str(tmp_path), "database_url": database,
                          "secret_key": "test-secret-key", **overrides})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["portal.db"].engine.dispose()
    if server is not None:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        server.dispose()


def migrate_to(app: Flask, owner: str, revision: str = "heads") -> None:
    """Bring the tables of one owner (the core or a plugin) to a revision; "heads" for the newest."""
    with app.app_context():
        migrate(owner, dict(_owners())[owner], revision)


def migrate_down_to(app: Flask, owner: str, revision: str = "base") -> None:
    """Take the tables of one owner (the core or a plugin) back to a revision; "base" for none of them."""
    with app.app_context():
        migrate(owner, dict(_owners())[owner], revision, down=True)


def assert_migrations_match_models(app: Flask) -> None:
    """Fail when a model differs from the tables its migrations make (a revision forgotten or out of date)."""
    with app.app_context():
        differences = pending_changes()
    assert not differences, f"models and migrations differ: {describe_pending(differences)}"


def empty_tables(app: Flask) -> None:
    """Delete every row the test left behind, keeping the migrated schema."""
    engine = app.extensions["portal.db"].engine
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        existing = set(engine.dialect.get_table_names(connection))
        names = [t.name for t in tables if t.name in existing]
        if engine.dialect.name == "postgresql" and names:
            connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                connection.execute(text(f"DELETE FROM {name}"))
            # Numbering starts again, as PostgreSQL's RESTART IDENTITY makes it (SQLite keeps it in its own table).
            if connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
                connection.execute(text("DELETE FROM sqlite_sequence"))
    forget_content()  # the content version starts again at 0: what was kept for it is another test's


def merged_settings(settings: dict, overrides: dict) -> dict:
    """Return settings with overrides laid over them, nested tables key by key."""
    result = dict(settings)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            value = merged_settings(result[key], value)
        result[key] = value
    return result


# Tests read the office's real clock (issued numbers, today's list); one that straddled the office's midnight would
# see two days, so a test that would start this close before it waits until the new day has begun.
DAY_TURN_MARGIN = timedelta(seconds=90)


def seconds_before_the_day_turns(now: datetime) -> float:
    """Return how long to wait so that a test starting at `now` (the office's local time) sees one office day."""
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    left = midnight - now
    return left.total_seconds() + 1 if left < DAY_TURN_MARGIN else 0.0


@pytest.fixture
def app(make_app, portal_config, request) -> Iterator[Flask]:
    """The portal under test, with empty tables and fresh rate limits after each test.

    Its configuration is ``portal_config`` with the test's ``portal_config`` markers laid over it.
    """
    settings = portal_config
    for marker in reversed(list(request.node.iter_markers("portal_config"))):
        settings = merged_settings(settings, marker.args[0])
    application = make_app(**settings)
    with application.app_context():
        wait = seconds_before_the_day_turns(office_now())
    time.sleep(wait)
    yield application
    empty_tables(application)
    with application.app_context():
        limiter.reset()
        application.extensions["portal.db"].session.remove()


@pytest.fixture
def client(app) -> FlaskClient:
    """A test client of the portal."""
    return app.test_client()


@pytest.fixture
def db(app):
    """The database session inside an app context."""
    with app.app_context():
        session = app.extensions["portal.db"].session
        yield session
        session.remove()


@pytest.fixture
def database(app):
    """Return a context manager giving a session in an app context of its own.

    Unlike `db`, it holds no app context while the test's requests run, so each
    request has its own `g`, as in production.
    """
    @contextmanager
    def scope():
        with app.app_context():
            yield app.extensions["portal.db"].session

    return scope


@pytest.fixture
def data(database):
    """Return run(function): call function(session) in an app context of its own, commit, return its result."""
    def run(function):
        with database() as session:
            result = function(session)
            session.commit()
            return result

    return run


@pytest.fixture
def today(app) -> date:
    """The office's date today (toolkit.office_today), for data relative to the office's day."""
    with app.app_context():
        return office_today()


@pytest.fixture
def colleague_saves_first(app):
    """Return arrange(model, change): a colleague's save that lands between a view's check and its write.

    change(session) runs in a session of its own and is committed just before
    the portal's next flush that changes or deletes a row of model, once.
    """
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    scoped = app.extensions["portal.db"].session
    listeners = []

    def arrange(model, change: Callable) -> None:
        done = []

        def before_flush(session, _context, _instances) -> None:
            if done or not any(isinstance(row, model) for row in (*session.dirty, *session.deleted)):
                return
            done.append(True)
            with Session(app.extensions["portal.db"].engine) as colleague:
                change(colleague)
                colleague.commit()

        event.listen(scoped, "before_flush", before_flush)
        listeners.append(before_flush)

    yield arrange
    for listener in listeners:
        event.remove(scoped, "before_flush", listener)


@pytest.fixture
def twice_at_once(monkeypatch):
    """Return twice_at_once(module, name, first, second): run two requests at once, the first held inside module.name
    until the second had two seconds to get there too; return whether it got there meanwhile, and both answers."""
    def run(module, name: str, first, second):
        original = getattr(module, name)
        inside, go, second_inside = threading.Event(), threading.Event(), threading.Event()

        def held(*args, **kwargs):
            if not inside.is_set():
                inside.set()
                go.wait(30)
            else:
                second_inside.set()
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, held)
        answers = {}
        threads = [threading.Thread(target=lambda key=key, send=send: answers.__setitem__(key, send()))
                   for key, send in (("first", first), ("second", second))]
        threads[0].start()
        assert inside.wait(30), "the first request never got there"
        threads[1].start()
        overlapped = second_inside.wait(2)
        go.set()
        for thread in threads:
            thread.join(60)
        return overlapped, answers["first"], answers["second"]

    return run


def csrf_token(client: FlaskClient, url: str) -> str:
    """Load a page and return the CSRF token of its first form."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    if not match:
        raise AssertionError(f"no CSRF token on {url}")
    return match.group(1)


def sent_twice(client: FlaskClient, url: str, values: dict) -> tuple:
    """Send one page's form twice, as a double tap or the back button does, the first answer's page read between."""
    first = client.post(url, data=values)
    client.get(first.headers["Location"])
    return first, client.post(url, data=values)


@dataclass(frozen=True)
class LoggedChange:
    """An audit log entry as an admin reads it: what happened, its summary, each change as 'field | before | after'."""

    what: str
    summary: str
    changes: list[str]


def audit_log(client: FlaskClient, lang: str = "de", **filters: str) -> list[LoggedChange]:
    """Return the first page of the audit log in a language (narrowed by `area`, `actor`), newest first, as read."""
    import lxml.html

    def words(element) -> str:
        return re.sub(r"\s+", " ", element.text_content().strip())

    page = lxml.html.fromstring(client.get(f"/{lang}/staff/audit", query_string=filters).get_data(as_text=True))
    entries = []
    for row in page.xpath("//table[contains(@class, 'audit')]/tbody/tr"):
        cell = row.xpath("td[3]")[0]
        summary = "".join(words(bdi) for bdi in cell.xpath("bdi"))
        what = words(cell)
        entries.append(LoggedChange(what[:len(what) - len(summary)].strip(), summary,
                                    [" | ".join(words(part) for part in change.xpath("dt|dd"))
                                     for change in row.xpath(".//dl[contains(@class, 'audit-changes')]/div")]))
    return entries


@pytest.fixture
def parse() -> Callable:
    """Return a function that parses a response's HTML into an lxml tree."""
    import lxml.html

    return lambda response: lxml.html.fromstring(response.get_data(as_text=True))


@pytest.fixture
def form_values(parse) -> Callable:
    """Return a function that reads the values a browser would send for a page's first form of a class."""
    from werkzeug.datastructures import MultiDict

    def read(response, form_class: str = "form") -> MultiDict:
        forms = parse(response).xpath(f"//form[contains(concat(' ', @class, ' '), ' {form_class} ')]")
        return MultiDict(forms[0].form_values())

    return read


@pytest.fixture
def make_staff(app) -> Callable:
    """Return a factory of staff accounts: make_staff(role, email=None) -> account."""
    return staff_accounts_in(app)


def staff_accounts_in(app: Flask) -> Callable:
    """Return a factory of staff accounts in any app, such as one of unmigrated_app's: make(role, email=None)."""
    from .staff.auth import hash_password
    from .staff.models import StaffAccount

    hashed = hash_password(TEST_PASSWORD)

    def make(role: str, email: str | None = None, active: bool = True) -> StaffAccount:
        with app.app_context():
            session = app.extensions["portal.db"].session
            account = StaffAccount(email=email or f"{role}-{secrets.token_hex(4)}@amt.example",
                                   display_name=f"Test {role}", role=role, password_hash=hashed, active=active)
            session.add(account)
            session.commit()
            return account

    return make


def end_staff_sessions(app: Flask) -> None:
    """End every staff session on the server, as the idle timeout would."""
    from .staff.models import StaffSession

    with app.app_context():
        session = app.extensions["portal.db"].session
        session.query(StaffSession).delete()
        session.commit()


def sign_in(client: FlaskClient, account, lang: str = "de") -> None:
    """Sign a test client in as an account, through the real login form."""
    token = csrf_token(client, f"/{lang}/staff/login")
    response = client.post(f"/{lang}/staff/login", data={"email": account.email, "password": TEST_PASSWORD,
                                                         "csrf_token": token})
    if response.status_code != 302:
        raise AssertionError(f"login failed with {response.status_code}")


@pytest.fixture
def staff_client(app, make_staff) -> Callable[[str], FlaskClient]:
    """Return a factory of test clients signed in with a new account of a role."""
    def make(role: str) -> FlaskClient:
        client = app.test_client()
        sign_in(client, make_staff(role))
        return client

    return make


# --- Browser tests -------------------------------------------------------------------------------

class LiveServer:
    """The app served by Werkzeug in a thread, for a real browser."""

    def __init__(self, app: Flask):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """Serve the app under test on a free loopback port for the length of one test."""
    server = LiveServer(app)
    yield server
    server.stop()


def require_tool(available: object, missing: str) -> None:
    """Skip the test when a tool it needs is missing, or fail it under CI (CI set), where every tool must be there."""
    if available:
        return
    if os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}:
        pytest.fail(f"{missing}, and CI must run every test", pytrace=False)
    pytest.skip(missing)


class _DebianChromium:
    """Point pytest-playwright at Debian's Chromium (Playwright cannot download browsers here)."""

    @pytest.fixture(scope="session")
    def browser_type_launch_args(self, browser_type_launch_args):
        require_tool(Path(CHROMIUM).exists(), "Debian's chromium is not installed (make test installs it)")
        return {
            **browser_type_launch_args,
            "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage"],
        }


def pytest_configure(config):
    config.addinivalue_line("markers", "portal_config(overrides): configuration of the portal for this test, laid "
                                       "over the portal_config fixture")
    # Registered after pytest-playwright has loaded, so this fixture overrides its own.
    config.pluginmanager.register(_DebianChromium(), "portal-debian-chromium")


def _axe_script() -> Path:
    path = Path(os.environ.get("PORTAL_AXE_PATH") or "node_modules/axe-core/axe.min.js")
    if not path.exists():
        raise AssertionError(f"axe-core is missing at {path}: run 'make test' (it runs npm ci) first, or, outside "
                             "the portal's checkout, set PORTAL_AXE_PATH to the axe.min.js of the npm package "
                             "axe-core")
    return path


def assert_accessible(page) -> None:
    """Run axe-core (WCAG 2.1 A and AA) on the page and fail with every violation found."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's strict CSP does not block.
        page.evaluate(_axe_script().read_text(encoding="utf-8"))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    problems = [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(str(n["target"]) for n in v["nodes"][:5])
                for v in result["violations"]]
    assert not problems, f"axe found on {page.url}:\n" + "\n".join(problems)


# Every visible element and line of text, as boxes that reach outside [0, width]; a box that scrolls sideways on
# purpose (wide staff tables), the content of a closed <details> and visually hidden text are left out.
_OUTSIDE_VIEWPORT = """(width) => {
  const skipped = (element) => element.closest(".visually-hidden, details:not([open]) > :not(summary)")
    || [...ancestors(element)].some((box) => ["auto", "scroll"].includes(getComputedStyle(box).overflowX));
  function* ancestors(element) {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) yield box;
  }
  const name = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + (typeof element.className === "string" && element.className.trim()
       ? "." + element.className.trim().split(/\\s+/).join(".") : "");
  const outside = [];
  const check = (element, rect, what) => {
    if (rect.width > 0 && rect.height > 0 && (rect.left < -1 || rect.right > width + 1)) {
      outside.push(`${name(element)} ${what}: ${Math.round(rect.left)}..${Math.round(rect.right)}px`);
    }
  };
  for (const element of document.body.querySelectorAll("*")) {
    if (getComputedStyle(element).visibility === "hidden" || skipped(element)) continue;
    check(element, element.getBoundingClientRect(), "box");
    for (const node of element.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      check(element, range.getBoundingClientRect(), JSON.stringify(node.textContent.trim().slice(0, 40)));
    }
  }
  return outside;
}"""


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CLASS_SELECTOR = re.compile(r"\.(-?[A-Za-z_][\w-]*)")


def styled_classes(app: Flask) -> dict[str, set[str]]:
    """Return each class that the core's and the enabled plugins' stylesheets style, with those files' paths."""
    styled: dict[str, set[str]] = {}
    for owner, folder in static_folders(app).items():
        for stylesheet in folder.rglob("*.css"):
            path = f"/static/{owner}/{stylesheet.relative_to(folder).as_posix()}"
            for name in set(_CLASS_SELECTOR.findall(_CSS_COMMENT.sub("", stylesheet.read_text(encoding="utf-8")))):
                styled.setdefault(name, set()).add(path)
    return styled


def assert_styles_linked(page_html: str, styled: dict[str, set[str]], where: str = "the page") -> None:
    """Fail when a page uses a class that only stylesheets it does not link style (`styled_classes(app)`).

    A plugin's part in another plugin's page (a slot's answer) brings its own stylesheet: the page's head does not
    know it is there.
    """
    from lxml import html

    tree = html.fromstring(page_html)
    linked = {href.split("?", 1)[0] for href in tree.xpath("//link[@rel='stylesheet']/@href")}
    used = {name for names in tree.xpath("//@class") for name in names.split()}
    unlinked = {name: sorted(styled[name]) for name in sorted(used) if name in styled and not styled[name] & linked}
    assert not unlinked, f"{where} uses classes of stylesheets it does not link: {unlinked}"


def assert_no_horizontal_scroll(page) -> None:
    """Fail when the page is wider than its viewport, or any visible box or text reaches outside it (clipped)."""
    # Compared with the configured width: mobile emulation widens window.innerWidth to fit wide content.
    viewport = page.viewport_size["width"]
    content = page.evaluate("document.documentElement.scrollWidth")
    assert content <= viewport, f"{page.url} scrolls sideways: {content}px content in {viewport}px"
    outside = page.evaluate(_OUTSIDE_VIEWPORT, viewport)
    assert not outside, f"{page.url} at {viewport}px cuts off:\n" + "\n".join(outside[:15])


def assert_icons_drawn(page, timeout_ms: int = 5000) -> None:
    """Fail unless every icon a page draws from a sprite file (<use href="file#name">) shows its drawing."""
    # An icon whose file or symbol is missing draws nothing: its box stays empty. The files load after the page,
    # so ask again for a while (polled from here: the pages' CSP forbids the evaluated strings of wait_for_function).
    empty_icons = """() => [...document.querySelectorAll("use[href]")]
      .filter(use => { const box = use.getBBox(); return box.width === 0 || box.height === 0; })
      .map(use => use.getAttribute("href"))"""
    assert page.locator("use[href]").count(), f"{page.url} draws no icon from a sprite"
    for _ in range(max(1, timeout_ms // 100)):
        empty = page.evaluate(empty_icons)
        if not empty:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{page.url} draws nothing for {empty}")


def browser_sign_in(page, base_url: str, account, lang: str = "de") -> None:
    """Sign in through the login page in a real browser."""
    page.goto(f"{base_url}/{lang}/staff/login")
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(lambda url: "/staff/login" not in url)


# --- Mail ----------------------------------------------------------------------------------------

@dataclass
class SmtpServer:
    """A real SMTP server on loopback that keeps what it receives."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    controller: object = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                message = message_from_bytes(envelope.content)
                message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
                server.messages.append(message)
                return "250 OK"

        self.controller = Controller(Handler(), hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def read_qr_svg(svg: str, pixels_per_module: int = 4):
    """Return the QR code that zxing-cpp reads in a picture of an inline SVG code (`toolkit.qr_svg`): text, level."""
    import zxingcpp
    from PIL import Image, ImageDraw

    left, top, width, height = (int(number) for number in re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    picture = Image.new("L", (width * pixels_per_module, height * pixels_per_module), 255)
    draw = ImageDraw.Draw(picture)
    x = y = 0.0
    for step, numbers in re.findall(r"([Mmh])([^Mmh]+)", re.search(r' d="([^"]+)"', svg).group(1)):
        values = [float(number) for number in numbers.split()]
        if step == "M":
            x, y = values
        elif step == "m":
            x, y = x + values[0], y + values[1]
        else:
            # A stroke one module wide, centred on its row.
            corner = ((x - left) * pixels_per_module, (y - 0.5 - top) * pixels_per_module)
            draw.rectangle((corner, (corner[0] + values[0] * pixels_per_module - 1,
                                     corner[1] + pixels_per_module - 1)), fill=0)
            x += values[0]
    found = zxingcpp.read_barcodes(picture, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, f"{len(found)} QR codes in the picture"
    return found[0]


def free_port() -> int:
    """Return a TCP port on loopback that is free right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Start a real SMTP server on loopback for one test; stop() and start() simulate an outage."""
    server = SmtpServer("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


__all__ = ["AXE_TAGS", "DESKTOP", "PHONE", "TEST_PASSWORD", "LiveServer", "SmtpServer", "assert_accessible",
           "assert_no_horizontal_scroll", "browser_sign_in", "csrf_token", "empty_tables", "free_port", "read_qr_svg",
           "sign_in", "utcnow"]


# Leichte Sprache: what a test can check of the rules (docs/translating.md, "Leichte Sprache").
EASY_MAX_WORDS = 15
EASY_FORBIDDEN = ("bzw.", "ggf.", "z. B.", "z.B.", "u. a.", "u.a.", "usw.", "etc.", "d. h.", "sowie", "jedoch",
                  "sofern", "hinsichtlich", ";")
_EASY_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "dt", "dd", "label", "legend", "button", "div", "section", "ul",
                "ol", "dl", "form", "fieldset", "td", "th", "caption", "strong"}
_EASY_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")
_EASY_WORD = re.compile(r"[^\W_][\w-]*")


def easy_reading_problems(text: str) -> list[str]:
    """Return the sentences of a text (blocks end sentences) that are too long or use a forbidden word or sign."""
    problems = []
    for forbidden in EASY_FORBIDDEN:
        pattern = re.escape(forbidden) if not forbidden[0].isalpha() else rf"(?<!\w){re.escape(forbidden)}(?!\w)"
        if re.search(pattern, text, flags=re.IGNORECASE):
            problems.append(f"uses {forbidden!r}")
    for sentence in _EASY_SENTENCE_END.split(text):
        words = _EASY_WORD.findall(sentence)
        if len(words) > EASY_MAX_WORDS:
            problems.append(f"{len(words)} words: {' '.join(sentence.split())}")
    return problems


def easy_page_text(html: str) -> str:
    """Return the text of a page's Leichte Sprache part (class `easy`), a line per block, without the menus."""
    import lxml.html

    tree = lxml.html.fromstring(html)
    parts = tree.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' easy ')]")
    assert parts, "the page has no part in Leichte Sprache (class 'easy')"
    for part in parts:
        # The names of languages in a list to choose from are not sentences.
        for skipped in part.xpath(".//option | .//svg | .//*[local-name()='svg']"):
            skipped.drop_tree()
        for element in part.iter():
            if isinstance(element.tag, str) and element.tag in _EASY_BLOCKS:
                element.text = "\n" + (element.text or "")
                element.tail = "\n" + (element.tail or "")
    return "\n".join("".join(part.itertext()) for part in parts)


def assert_easy_to_read(html: str) -> None:
    """Fail when a page's Leichte Sprache part has a sentence over 15 words or a forbidden word."""
    problems = easy_reading_problems(easy_page_text(html))
    assert not problems, "not Leichte Sprache: " + "; ".join(problems[:10])
