"""The waiting room under a day's load: 1,000 phones follow their tickets, 4 call displays follow the location,
8 desks call clients, and a probe times the lookup page and a desk page meanwhile.

Each phone does what the ticket page's scripts do (plugins/queue/static/queue.js on portal/static/live.js): it polls the
location's board with the last ETag, derives its ticket's state from the board (the call included), and fetches its
ticket's own live part once when the ticket is served or ends.

Gunicorn with the deployment settings (portal/gunicorn_config.py: sync workers, two per core) on SQLite with all
plugins, the live versions in Redis when reachable. The phones and displays are tasks of one asyncio client speaking
plain HTTP/1.1 (sync workers close every connection, so each poll opens its own, as a phone's would after a few
seconds of quiet). The desks call through the queue plugin's service functions in this process, as the desk page's
button does.
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import json
import os
import random
import re
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from .installation import Installation
from .live import per_request

PHONES, DISPLAYS, DESKS = 1_000, 4, 8
# As portal/gunicorn_config.py starts them unless WEB_CONCURRENCY says otherwise (docs/deployment.md).
WORKERS = 2 * (os.cpu_count() or 1)
CALL_EVERY_SECONDS, SEEN_WITHIN_SECONDS = 30.0, 5.0
# The first answers of every follower come in the first 5 s; the calls and the probe start after them.
WARM_UP_SECONDS = 5.0
PROBE_PAUSE_SECONDS = 0.5
LANG = "de"
LOOKUP = f"/{LANG}/appointments/"
CASEWORKER, PASSWORD = "sachbearbeitung@demo.example", "Demo-Zugang-2026"
PHONE = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "de-DE,de;q=0.9"}
# Eight desks of one location, all calling from the appointments queue, where every benchmark ticket waits.
EIGHT_DESKS = [{"slug": f"raum-{number}", "name": f"Raum {number}", "room": str(number), "queues": ["termine"]}
               for number in range(1, DESKS + 1)]


def address(number: int) -> str:
    """Return a client address of its own for a phone or display (each counted by the rate limits alone)."""
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


def with_queue(plugins: list[str]) -> list[str]:
    """Return the plugins with the queue's added: the waiting room is opt-in, so not among the default plugins."""
    return plugins if "queue" in plugins else [*plugins, "queue"]


def ticket_page_weight(root: Path, plugins: list[str]) -> dict[str, dict]:
    """Return a ticket page's first and repeat visit, on an installation of its own since the waiting room is opt-in.

    With PORTAL_BENCH_BEFORE_PYTHON the earlier code serves the same ticket too (`ticket_before`), as this code
    migrated it.
    """
    from .browser import Browser
    from .throughput import BEFORE_PYTHON
    from .weight import visit

    installation = Installation(root, "sqlite", with_queue(plugins))
    tokens, _location, _slug = prepare(installation, phones=1)
    page = f"/{LANG}/queue/t/{tokens[0][0]}"
    with installation.process() as portal:
        found = {"ticket": visit(Browser(portal.url), page)}
    if BEFORE_PYTHON:
        before = Installation(root, "sqlite", installation.plugins, python=BEFORE_PYTHON)
        with before.process() as portal:
            found["ticket_before"] = visit(Browser(portal.url), page)
    return found


def prepare(installation: Installation, phones: int = PHONES) -> tuple[list[tuple[str, str]], str, str]:
    """Migrate, add the demo accounts and issue one ticket per phone; return the tickets' tokens and numbers, the
    location and its slug."""
    from portal_plugins.queue import service

    from portal import create_app, toolkit

    installation.reset()
    cli = installation.process()
    cli.flask("db", "upgrade")
    cli.flask("demo")
    app = create_app({"instance_path": str(installation.root), **installation.settings})
    with app.app_context():
        queue = service.find_queue("termine")
        now = toolkit.utcnow()
        # Ranked before the demo's clients (their windows start 20 minutes ago), so the desks call followed tickets.
        first = now - timedelta(hours=2)
        tickets = [service.issue(queue, origin="walk_in", now=now, rank_at=first + timedelta(seconds=number))
                   for number in range(phones)]
        tokens = [(ticket.token, ticket.label) for ticket in tickets]
        toolkit.session().commit()
        location = queue.location
        location_slug = service.location_slug(location)
    app.extensions["portal.db"].engine.dispose()
    return tokens, location, location_slug


class Desks:
    """The desks' calls, made in this process through the queue's service functions and committed at once."""

    def __init__(self, installation: Installation):
        from portal import create_app

        self.app = create_app({"instance_path": str(installation.root), **installation.settings})
        self.calls: list[dict] = []

    def call(self, slug: str) -> None:
        """Finish the desk's client, if any, call the next one and note when the call was committed."""
        from portal_plugins.queue import service

        from portal import toolkit

        with self.app.app_context():
            desk = service.find_desk(slug)
            now = toolkit.utcnow()
            current = service.active_ticket(desk)
            if current is not None:
                if current.state == "called":
                    service.start_service(current, now)
                service.finish(current, now)
            ticket = service.call_next(desk, now)
            toolkit.session().commit()
            if ticket is not None:
                self.calls.append({"token": ticket.token, "at": time.monotonic()})


async def fetch(port: int, path: str, headers: dict) -> tuple[int, dict, bytes, float, float]:
    """Send one GET on a connection of its own; return status, headers, body, send and answer times (monotonic)."""
    sent = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
             *(f"{name}: {value}" for name, value in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()
    raw = await reader.read()
    answered = time.monotonic()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    answer_headers = {name.lower(): value.strip() for name, _, value in
                      (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), answer_headers, body, sent, answered


async def follow(port: int, path: str, headers: dict, until: float, seen: list, statuses: dict) -> None:
    """Poll path as often as a call display does with the last ETag, noting each changed answer's send and answer
    time."""
    from portal_plugins.queue.display_views import POLL_SECONDS

    etag = None
    await asyncio.sleep(random.uniform(0, POLL_SECONDS))
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            status, answer, _body, sent, answered = await fetch(
                port, path, headers | ({"If-None-Match": etag} if etag else {}))
        except OSError:
            status, sent, answered = "error", started, time.monotonic()
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            etag = answer.get("etag", etag)
            seen.append((sent, answered))
        await asyncio.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - started)))


def phone_state(board: dict, label: str) -> str:
    """Return a ticket's state as the phone's script derives it from the board (queue.js, stateOn)."""
    if label in board["called"]:
        return f"called {board['called'][label]['at']}"
    if label in board["served"]:
        return "served"
    return "waiting" if any(label in queue["waiting"] for queue in board["queues"].values()) else "gone"


async def follow_board(port: int, board: str, token: str, label: str, headers: dict, until: float, seen: list,
                       statuses: dict) -> None:
    """Poll the board as often as a phone's script does: a call counts as seen when a poll sent after it answered
    with the call; when the ticket is served or ends, fetch its live part once."""
    from portal_plugins.queue.views import POLL_SECONDS

    etag, state = None, "waiting"
    await asyncio.sleep(random.uniform(0, POLL_SECONDS))
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            status, answer, body, sent, answered = await fetch(
                port, board, headers | ({"If-None-Match": etag} if etag else {}))
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                etag = answer.get("etag", etag)
                if answer.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                now_state = phone_state(json.loads(body), label)
                if now_state != state and now_state.startswith("called"):
                    seen.append((sent, answered))  # the script shows the call from the board
                elif now_state != state:
                    part, *_rest = await fetch(port, f"/{LANG}/queue/t/{token}/live", headers)
                    statuses[f"live part {part}"] = statuses.get(f"live part {part}", 0) + 1
                state = now_state
        except OSError:
            statuses["error"] = statuses.get("error", 0) + 1
        await asyncio.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - started)))


async def probe(port: int, path: str, headers: dict, until: float, latencies: list, statuses: dict) -> None:
    """Time a page again and again, with a short pause between loads, until the run ends (after the warm-up)."""
    await asyncio.sleep(WARM_UP_SECONDS)
    while time.monotonic() < until:
        status, _answer, _body, sent, answered = await fetch(port, path, headers)
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append((answered - sent) * 1000)
        await asyncio.sleep(PROBE_PAUSE_SECONDS)


async def call_loop(desks: Desks, until: float) -> None:
    """Let each desk call every CALL_EVERY_SECONDS, the desks spread evenly over that time."""
    spacing = CALL_EVERY_SECONDS / DESKS
    await asyncio.sleep(WARM_UP_SECONDS)  # every phone and display holds its first answer's ETag by then
    started = time.monotonic()
    turn = 0
    while True:
        due = started + turn * spacing
        if due >= until:
            return
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        await asyncio.to_thread(desks.call, EIGHT_DESKS[turn % DESKS]["slug"])
        turn += 1


def seen_within(change_at: float, seen: list) -> bool:
    """Tell whether a changed answer to a poll sent after the change arrived within SEEN_WITHIN_SECONDS."""
    return any(sent >= change_at and answered - change_at <= SEEN_WITHIN_SECONDS for sent, answered in seen)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1) if ordered else 0.0


def server_cpu_seconds(master_pid: int) -> float:
    """Return the CPU seconds (user and system) the gunicorn master and its workers have used."""
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    total = 0
    for pid in [str(master_pid), *children]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / tick


def sign_in(url: str) -> str:
    """Sign the caseworker in and return the session cookie for the desk page."""
    host = url.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request("GET", f"/{LANG}/staff/login", headers={"X-Forwarded-For": address(60_000)})
    answer = connection.getresponse()
    page = answer.read().decode()
    cookie = "; ".join(header.split(";")[0] for header in answer.msg.get_all("Set-Cookie") or [])
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    body = urlencode({"email": CASEWORKER, "password": PASSWORD, "csrf_token": token})
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request("POST", f"/{LANG}/staff/login", body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "X-Forwarded-For": address(60_000)})
    answer = connection.getresponse()
    answer.read()
    if answer.status not in (302, 303):
        raise RuntimeError(f"the caseworker's sign-in answered {answer.status} (cookie {cookie!r})")
    return "; ".join(header.split(";")[0] for header in answer.msg.get_all("Set-Cookie"))


async def run(port: int, tokens: list[tuple[str, str]], location_slug: str, desks: Desks, cookie: str,
              seconds: int) -> dict:
    until = time.monotonic() + seconds
    phone_seen = [[] for _ in tokens]
    display_seen = [[] for _ in range(DISPLAYS)]
    statuses = {"phones": {}, "displays": {}, "lookup": {}, "desk": {}}
    latencies = {"lookup": [], "desk": []}
    tasks = [follow_board(port, f"/{LANG}/queue/board/{location_slug}", token, label,
                          PHONE | {"X-Forwarded-For": address(number)}, until, phone_seen[number], statuses["phones"])
             for number, (token, label) in enumerate(tokens)]
    tasks += [follow(port, f"/{LANG}/queue/display/{location_slug}/board",
                     PHONE | {"X-Forwarded-For": address(50_000 + number)}, until, display_seen[number],
                     statuses["displays"]) for number in range(DISPLAYS)]
    tasks.append(probe(port, LOOKUP, PHONE | {"X-Forwarded-For": address(60_001)}, until, latencies["lookup"],
                       statuses["lookup"]))
    tasks.append(probe(port, f"/{LANG}/staff/queue/desk/{EIGHT_DESKS[0]['slug']}",
                       PHONE | {"Cookie": cookie, "X-Forwarded-For": address(60_000)}, until, latencies["desk"],
                       statuses["desk"]))
    tasks.append(call_loop(desks, until - SEEN_WITHIN_SECONDS - WARM_UP_SECONDS))  # the last calls can still be seen
    await asyncio.gather(*tasks)
    index = {token: number for number, (token, _label) in enumerate(tokens)}
    # The demo's own waiting clients have no phone following them: only the displays see their calls.
    followers = [seen_within(call["at"], phone_seen[index[call["token"]]]) for call in desks.calls
                 if call["token"] in index]
    displays = [seen_within(call["at"], seen) for call in desks.calls for seen in display_seen]
    return {
        "calls": len(desks.calls), "calls_of_followed_tickets": len(followers),
        "follower_saw_call_within_5s_share": round(sum(followers) / len(followers), 4) if followers else None,
        "displays_saw_call_within_5s_share": round(sum(displays) / len(displays), 4) if displays else None,
        "statuses": {name: {str(key): value for key, value in sorted(counts.items(), key=str)}
                     for name, counts in statuses.items()},
        "lookup_ms": {"p50": percentile(latencies["lookup"], 0.5), "p99": percentile(latencies["lookup"], 0.99),
                      "count": len(latencies["lookup"])},
        "desk_ms": {"p50": percentile(latencies["desk"], 0.5), "p99": percentile(latencies["desk"], 0.99),
                    "count": len(latencies["desk"])},
    }


def in_app_costs(installation: Installation, token: str, location_slug: str) -> dict:
    """Time polls inside the app (CPU and wall milliseconds): the board unchanged and changed, and a ticket's own live
    part unchanged (what every phone polled before the board)."""
    from portal import create_app, toolkit

    app = create_app({"instance_path": str(installation.root), **installation.settings})
    toolkit.limiter.enabled = False  # thousands of polls from one address: the cost, not the limit, is measured here
    figures = {}
    for name, path in (("board", f"/{LANG}/queue/board/{location_slug}"),
                       ("ticket_live_part", f"/{LANG}/queue/t/{token}/live")):
        etag = app.test_client().get(path, headers=PHONE).headers["ETag"]
        figures[f"{name}_unchanged"] = per_request(app.wsgi_app, path, PHONE | {"If-None-Match": etag})
    board = f"/{LANG}/queue/board/{location_slug}"
    # A phone's poll after a change: its older tag gets the answer the process kept for the version (before the
    # pipeline); a first load without a tag goes through the pipeline and takes the body kept for the version.
    figures["board_changed_kept_answer"] = per_request(app.wsgi_app, board, PHONE | {"If-None-Match": 'W/"older"'})
    figures["board_first_load_kept_body"] = per_request(app.wsgi_app, board, PHONE)
    toolkit.limiter.enabled = True
    app.extensions["portal.db"].engine.dispose()
    return figures


def forget_copied_version(redis_url: str | None, location: str) -> None:
    """Drop Redis's copy of the location's version: an earlier run's higher one would hide this run's calls."""
    import redis
    from portal_plugins.queue import service

    from portal.live import KEY_PREFIX

    if redis_url:
        redis.Redis.from_url(redis_url).delete(KEY_PREFIX + service.topic(location))


def measure(root: Path, plugins: list[str], redis_url: str | None, seconds: int = 60) -> dict:
    """Run the waiting room for `seconds` (one call per desk every 30 s) and return its figures."""
    from portal_plugins.queue import display_views, views

    plugins = with_queue(plugins)
    settings = {"behind_proxy": True, "ratelimit_storage_url": redis_url or "memory://",
                "plugin_settings": {"queue": {"desks": EIGHT_DESKS}}}
    installation = Installation(root, "sqlite", plugins, settings)
    print("waiting room: issuing tickets", file=sys.stderr)
    tokens, location, location_slug = prepare(installation)
    forget_copied_version(redis_url, location)
    desks = Desks(installation)
    with installation.process(workers=WORKERS) as portal:
        cookie = sign_in(portal.url)
        port = int(portal.url.rsplit(":", 1)[1])
        cpu_before = server_cpu_seconds(portal.process.pid)
        load_before = os.getloadavg()
        client_cpu_before = time.process_time()
        print(f"waiting room: {PHONES} phones, {DISPLAYS} displays, {DESKS} desks for {seconds} s", file=sys.stderr)
        results = asyncio.run(run(port, tokens, location_slug, desks, cookie, seconds))
        server_cpu = server_cpu_seconds(portal.process.pid) - cpu_before
        load_after = os.getloadavg()
        client_cpu = time.process_time() - client_cpu_before
    desks.app.extensions["portal.db"].engine.dispose()
    answered = sum(value for counts in results["statuses"].values() for key, value in counts.items()
                   if key.isdigit())
    unchanged = sum(counts.get("304", 0) for counts in results["statuses"].values())
    results.update({
        "seconds": seconds, "phones": PHONES, "displays": DISPLAYS, "desks": DESKS, "gunicorn_workers": WORKERS,
        "poll_seconds": {"phones": views.POLL_SECONDS, "displays": display_views.POLL_SECONDS},
        "call_every_seconds_per_desk": CALL_EVERY_SECONDS,
        "live_versions": "redis" if redis_url else "database",
        # The machine is shared: the load around the run says how much of its two cores the portal could have.
        "load_average": {"before": [round(value, 2) for value in load_before],
                         "after": [round(value, 2) for value in load_after]},
        "server_cpu_seconds": round(server_cpu, 2),
        # The phones, displays, desks and probe are this process, on the same two cores.
        "client_cpu_seconds": round(client_cpu, 2), "requests_answered": answered, "unchanged_304": unchanged,
        "server_cpu_ms_per_request": round(server_cpu / answered * 1000, 3) if answered else None,
        "in_app": in_app_costs(installation, tokens[-1][0], location_slug),
    })
    print(f"  {results}", file=sys.stderr)
    return results
