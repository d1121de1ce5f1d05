"""Live updates: what a follower's "nothing changed" poll costs, and why followers poll instead of streaming.

A followed board (tests/live_app.py: a public live_view, the same board through the whole pipeline,
and server-sent events) on SQLite with all plugins, its versions in the database or in Redis.
"""

from __future__ import annotations

import http.client
import statistics
import sys
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

from tests.support import AppProcess

from .load import Request, run_wrk
from .throughput import bare_process, with_ratios

BOARD = "/de/fake_live/board/hall-a"
THROUGH_PIPELINE = "/de/fake_live/plain/hall-a"
STREAM = "/de/fake_live/stream/hall-a"
PHONE = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "de-DE,de;q=0.9"}
ROUNDS, COUNT = 5, 500
REPOSITORY = str(Path(__file__).resolve().parent.parent)


def per_request(wsgi_app, path: str, headers: dict) -> dict:
    """Return the median over a few rounds of CPU and wall milliseconds per request, calling the WSGI app as
    gunicorn does (no test client in between)."""
    environ = EnvironBuilder(path=path, headers=headers).get_environ()

    def start_response(_status, _headers, _exc_info=None):
        return None

    def once():
        body = wsgi_app(dict(environ), start_response)
        for _chunk in body:
            pass
        if hasattr(body, "close"):
            body.close()

    for _ in range(50):
        once()
    cpu, wall = [], []
    for _ in range(ROUNDS):
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        for _ in range(COUNT):
            once()
        cpu.append((time.process_time() - cpu_started) / COUNT * 1000)
        wall.append((time.perf_counter() - wall_started) / COUNT * 1000)
    return {"cpu_ms": round(statistics.median(cpu), 3), "wall_ms": round(statistics.median(wall), 3)}


def settings_for(root: Path, plugins: list[str], redis_url: str | None) -> dict:
    return {"database_url": f"sqlite:///{root / 'portal.sqlite3'}", "secret_key": "benchmark-secret-key",
            "plugins": plugins, "behind_proxy": True, "ratelimit_storage_url": redis_url or "memory://"}


def costs(root: Path, plugins: list[str], storages: dict[str, str | None]) -> dict:
    """Time one poll inside the app: bare hello, unchanged poll answered early or by the pipeline, a changed one."""
    from portal.migrate import upgrade_all
    from tests.live_app import create

    from .bare_app import app as bare_app

    results = {"bare_hello": per_request(bare_app.wsgi_app, "/", PHONE)}
    for storage, redis_url in storages.items():
        app = create({"instance_path": str(root / storage), **settings_for(root / storage, plugins, redis_url)})
        with app.app_context():
            upgrade_all()
        etag = app.test_client().get(BOARD, headers=PHONE).headers["ETag"]
        unchanged = PHONE | {"If-None-Match": etag}
        results[f"unchanged_poll_early ({storage})"] = per_request(app.wsgi_app, BOARD, unchanged)
        results[f"unchanged_poll_through_pipeline ({storage})"] = per_request(app.wsgi_app, THROUGH_PIPELINE,
                                                                              unchanged)
        results[f"changed_poll_rendered ({storage})"] = per_request(app.wsgi_app, BOARD, PHONE)
        app.extensions["portal.db"].engine.dispose()
    for name, figures in results.items():
        print(f"  {name}: {figures['cpu_ms']} ms CPU, {figures['wall_ms']} ms wall", file=sys.stderr)
    return results


def board_process(root: Path, plugins: list[str], redis_url: str | None) -> AppProcess:
    """Return gunicorn (deployment settings, two sync workers) serving the followed board, not started."""
    return AppProcess(root, settings_for(root, plugins, redis_url), wsgi="tests.live_app:create()",
                      extra_args=("--pythonpath", REPOSITORY))


def streams_hold_workers(url: str, workers: int = 2, wait_seconds: float = 3) -> dict:
    """Open one event stream per worker, then time a poll of the board: does anybody else get served?"""
    streams = []
    for _ in range(workers):
        connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=10)
        connection.request("GET", f"{STREAM}?seconds=8", headers=PHONE)
        answer = connection.getresponse()
        answer.fp.readline()  # the first event: this stream holds a worker now
        streams.append(answer)  # the answer holds the socket: dropping it would end the stream
    started = time.perf_counter()
    poll = http.client.HTTPConnection(url.removeprefix("http://"), timeout=wait_seconds)
    try:
        poll.request("GET", BOARD, headers=PHONE)
        poll.getresponse().read()
        waited, served = time.perf_counter() - started, True
    except TimeoutError:
        waited, served = wait_seconds, False
    finally:
        poll.close()
        for answer in streams:
            answer.close()
    print(f"  poll while {workers} followers stream: {'served' if served else 'not served'} after "
          f"{waited:.2f} s", file=sys.stderr)
    return {"streams": workers, "poll_served": served, "waited_seconds": round(waited, 2)}


def throughput(root: Path, plugins: list[str], storages: dict[str, str | None], seconds: int) -> dict:
    """Measure unchanged polls under wrk, each right after the bare app, and event streams against sync workers."""
    results: dict = {}
    with bare_process(root) as bare:
        for storage, redis_url in storages.items():
            process = board_process(root / f"served-{storage}", plugins, redis_url)
            process.flask("db", "upgrade")
            with process as portal:
                etag = portal_etag(portal.url)
                unchanged = [Request(BOARD, headers=PHONE | {"If-None-Match": etag})]
                pipeline = [Request(THROUGH_PIPELINE, headers=PHONE | {"If-None-Match": etag})]
                for name, requests in ((f"unchanged_poll_early ({storage})", unchanged),
                                       (f"unchanged_poll_through_pipeline ({storage})", pipeline)):
                    baseline = run_wrk(bare.url, [Request("/", headers=PHONE)], seconds=max(2, seconds // 2))
                    results[name] = with_ratios(run_wrk(portal.url, requests, seconds=seconds), baseline)
                    print(f"  {name}: {results[name]['requests_per_second']} req/s "
                          f"(ratio {results[name]['throughput_ratio']}), {results[name]['statuses']}", file=sys.stderr)
                if "sse" not in results:
                    results["sse"] = streams_hold_workers(portal.url)
    return results


def portal_etag(url: str) -> str:
    connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=10)
    connection.request("GET", BOARD, headers=PHONE)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer.getheader("ETag")


def measure(root: Path, plugins: list[str], redis_url: str | None, seconds: int, with_wrk: bool) -> dict:
    """Measure the cost of unchanged polls inside the app and, with wrk, through gunicorn."""
    storages = {"database": None} | ({"redis": redis_url} if redis_url else {})
    result = {"storages": list(storages), "milliseconds_per_request": costs(root / "costs", plugins, storages)}
    if with_wrk:
        result["throughput"] = throughput(root / "served", plugins, storages, seconds)
    return result
