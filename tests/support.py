"""Helpers of the core's own tests: outages (a TCP proxy that cuts connections, an unreachable database), the
portal served by gunicorn in processes of its own, as deployed, waiting for a condition, the first-party plugins,
walking the pages and checking their HTML, and the project's message catalogs. Plugin tests need none of them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from portal.config import BUILT_IN_PLUGINS
from portal.testing import csrf_token, empty_tables, free_port, require_tool

ROOT = Path(__file__).parent.parent
# The built-in plugins in their order, then the other first-party ones (such as the waiting room).
ALL_PLUGINS = [*BUILT_IN_PLUGINS, *sorted({path.parent.name for path in (ROOT / "plugins").glob("*/__init__.py")}
                                          - set(BUILT_IN_PLUGINS))]


def wait_until(condition, timeout: float = 30):
    """Call condition until it returns a true value; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"not reached within {timeout} s")


def app_with_demo_data(make_app, plugins: list[str]) -> Iterator[Any]:
    """Yield the portal with the plugins and the demo content loaded (for a module's fixture); empty it after."""
    app = make_app(plugins=plugins)
    # Forced: staff accounts another module's tests left in the shared test database do not make it a production one.
    result = app.test_cli_runner().invoke(args=["demo", "--force"])
    assert result.exit_code == 0, result.output
    yield app
    empty_tables(app)


def crawl(app, client, starts: list[str], skip: re.Pattern, seen: set[str] | None = None) -> Iterator[tuple[str, Any]]:
    """Follow the links from the start paths through the German pages; yield each kind of page once with its answer.

    A kind is a route, with or without a query: the other pages of a kind share its template. `seen` collects
    every path linked so far.
    """
    adapter = app.url_map.bind("localhost")
    seen = set() if seen is None else seen
    seen.update(starts)
    queue, kinds = deque(starts), set()
    while queue:
        path = queue.popleft()
        kind = (adapter.match(urlsplit(path).path)[0], bool(urlsplit(path).query))
        if kind in kinds:
            continue
        kinds.add(kind)
        response = client.get(path)
        yield path, response
        if response.mimetype != "text/html":
            continue
        for href in re.findall(r'href="([^"#]+)', response.get_data(as_text=True)):
            target = urlsplit(urljoin(path, href.replace("&amp;", "&")))
            if target.netloc or not target.path.startswith("/de/") or skip.search(target.path):
                continue
            # A query string selects a variant of a page already linked; one of each is enough.
            link = target.path + (f"?{target.query}" if target.query and target.path not in seen else "")
            if link not in seen:
                seen.add(link)
                queue.append(link)


VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_html_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """Return the errors the Nu HTML Checker (vnu.jar) finds in pages, given as HTML by name, each named."""
    require_tool(shutil.which("java") and VNU.exists(), "Java or vnu.jar missing (make test installs them)")
    names = {}
    for number, (name, html) in enumerate(pages.items()):
        (folder / f"{number}.html").write_text(html, encoding="utf-8")
        names[f"{number}.html"] = name
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(folder)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{names.get(Path(message.get('url', '')).name, message.get('url'))}: {message['message']}"
            for message in messages if message.get("type") == "error"]


# --- Catalogs ------------------------------------------------------------------------------------

def catalog_folders() -> dict[str, Path]:
    """Return the translations folder of the core, of every built-in plugin and of the example plugin, by owner."""
    # The example plugin is held to the same checks as the built-in ones: municipalities copy it.
    plugins = [*(ROOT / "plugins").glob("*/translations"), *(ROOT / "examples" / "plugins").glob("*/*/translations")]
    return {"core": ROOT / "translations"} | {
        path.parent.name: path for path in sorted(plugins) if (path / "messages.pot").exists()}


# --- Outages -------------------------------------------------------------------------------------

class TcpProxy:
    """Forward a loopback port to a server; cut() drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int):
        import socket

        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list = []
        self.open = True
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.close()
                except OSError:
                    pass

    def cut(self) -> None:
        """Simulate the server going away: existing connections die, new ones are refused."""
        import socket

        self.open = False
        with self.lock:
            for sock in self.connections:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass
            self.connections.clear()

    def restore(self) -> None:
        """Let connections through again."""
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


class DatabaseOutage:
    """Make the test database unreachable and bring it back, on PostgreSQL or SQLite."""

    def __init__(self, database_url: str, tmp_path: Path):
        from sqlalchemy.engine import make_url

        self.original = make_url(database_url)
        self.proxy = None
        if self.original.get_backend_name() == "postgresql":
            self.proxy = TcpProxy(self.original.host or "127.0.0.1", self.original.port or 5432)
            self.url = self.original.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)
        else:
            self.file = tmp_path / "outage.sqlite3"
            self.moved = tmp_path / "outage.sqlite3.away"
            self.url = f"sqlite:///{self.file}"

    def start(self, engine=None) -> None:
        """Begin the outage; for SQLite, also drop the engine's open connections to the old file."""
        if self.proxy:
            self.proxy.cut()
            return
        # A missing file comes back empty: every table is gone, as good as no database.
        if engine is not None:
            engine.pool.dispose()
        self._move(self.file, self.moved)

    @staticmethod
    def _move(source: Path, target: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
            moving = source.with_name(source.name + suffix)
            if moving.exists():
                moving.rename(target.with_name(target.name + suffix))

    def end(self, engine=None) -> None:
        """End the outage. PostgreSQL connections recover through the pool's pre-ping; SQLite
        connections still point at the stand-in file, so the engine's pool is emptied."""
        if self.proxy:
            self.proxy.restore()
            return
        if engine is not None:
            engine.pool.dispose()
        self._move(self.moved, self.file)

    def close(self) -> None:
        if self.proxy:
            self.proxy.close()


# --- App processes -------------------------------------------------------------------------------

def _settings_environment(settings: dict) -> dict[str, str]:
    """Turn configuration keys into the PORTAL_* variables the portal reads (strings as they are, others as JSON)."""
    return {f"PORTAL_{key.upper()}": value if isinstance(value, str) else json.dumps(value)
            for key, value in settings.items()}


class AppProcess:
    """The portal served by gunicorn in a process of its own on a free loopback port.

    Several of them with the same settings behave like the app servers of one
    installation: they share only the database and Redis named in the settings.
    ``python`` is the interpreter of the installation to serve (by default the one running the tests).
    """

    def __init__(self, instance: Path, settings: dict, workers: int = 2, wsgi: str = "portal:create_app()",
                 extra_args: tuple[str, ...] = (), config: str | None = "python:portal.gunicorn_config",
                 python: str = sys.executable):
        self.instance = Path(instance)
        self.python = python
        self.config = config
        self.settings = settings
        self.workers = workers
        self.wsgi = wsgi
        self.extra_args = extra_args
        self.port = 0
        self.url = ""
        self.process = None
        self.launched_at = 0.0
        self.log_path = self.instance / "gunicorn.log"

    def start(self, timeout: float = 60) -> AppProcess:
        """Start gunicorn and return once it answers /healthz (with any status)."""
        import subprocess
        import time
        import urllib.error
        import urllib.request

        if self.process is not None and self.process.poll() is None:
            # A second start would leave the first server running, unseen: `with process:` starts it once.
            raise RuntimeError(f"gunicorn already runs at {self.url}")
        self.instance.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # By default the settings of docs/deployment.md, with this process's address and number of workers.
        command = [self.python, "-m", "gunicorn", *(["--config", self.config] if self.config else []),
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--worker-class", "sync",
                   "--graceful-timeout", "5", *self.extra_args, self.wsgi]
        if self._gunicorn_version() >= (27,):
            # Its control socket has one default path for every gunicorn of the user; several run here at once.
            command[-1:-1] = ["--no-control-socket"]
        log = self.log_path.open("ab")
        self.launched_at = time.monotonic()
        # Run in the instance folder so that no gunicorn.conf.py of another working directory applies.
        self.process = subprocess.Popen(command, env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True, cwd=self.instance)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ended with {self.process.returncode}:\n{self.log()}")
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=5).close()
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                # Short: the benchmarks' time to the first answer includes this wait, and the tests start many servers.
                time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log()}")

    def _gunicorn_version(self) -> tuple[int, ...]:
        """Return the version of the gunicorn that serves, which may be another installation's."""
        import subprocess

        output = subprocess.run([self.python, "-c", "import gunicorn; print(*gunicorn.version_info[:2])"],
                                capture_output=True, text=True, check=True).stdout
        return tuple(int(part) for part in output.split())

    def environment(self) -> dict[str, str]:
        """Return the environment that configures the portal of this process, for its workers and commands."""
        environ = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
        return environ | {"PORTAL_INSTANCE": str(self.instance), **_settings_environment(self.settings)}

    def flask(self, *args: str, timeout: float = 600) -> str:
        """Run a `flask --app portal` command against this process's configuration and return its output."""
        import subprocess

        self.instance.mkdir(parents=True, exist_ok=True)
        completed = subprocess.run([self.python, "-m", "flask", "--app", "portal", *args], env=self.environment(),
                                   cwd=self.instance, capture_output=True, text=True, timeout=timeout)
        if completed.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
        return completed.stdout

    def log(self) -> str:
        """Return what gunicorn and the app wrote so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def worker_pids(self) -> list[int]:
        """Return the process ids of the running workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        """Stop gunicorn and its workers (its own process group only)."""
        import signal
        import subprocess

        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> AppProcess:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


# A client of today, through the appointments, arrival and queue plugins (tests/test_*_while_waiting.py).
TODAYS_REFERENCE, TODAYS_BIRTH_DATE = "M-100001", (27, 3, 1985)


def import_todays_appointment(app, folder: Path, today) -> Path:
    """Import, as the specialist system's export, one appointment of today at midnight; return the export's file."""
    export = folder / "export.csv"
    # At midnight: the arrival window opens with the day, so the door lets the client in at any hour of the run.
    day, month, year = TODAYS_BIRTH_DATE
    export.write_text("reference;birth_date;service;status;date;time;building;room;persons\n"
                      f"{TODAYS_REFERENCE};{day:02d}.{month:02d}.{year};eu-blue-card;scheduled;{today:%d.%m.%Y};00:00;"
                      "Wacker Hof;1.07;1\n")
    assert app.test_cli_runner().invoke(args=["appointments", "import", str(export)]).exit_code == 0
    return export


def todays_result_page(client) -> str:
    """Look today's appointment up as its client does; return the result page."""
    day, month, year = TODAYS_BIRTH_DATE
    return client.post("/de/appointments/", follow_redirects=True, data={
        "csrf_token": csrf_token(client, "/de/appointments/"), "reference": TODAYS_REFERENCE, "day": day,
        "month": month, "year": year}).get_data(as_text=True)


def check_in_at_the_door(door, public_id: str) -> str:
    """Type a pass's short code at the door, as its staff do; return the door's answer."""
    return door.post("/de/staff/arrival/", data={"csrf_token": csrf_token(door, "/de/staff/arrival/"),
                                                 "code": public_id[:12], "device": "Eingang"},
                     follow_redirects=True).get_data(as_text=True)
