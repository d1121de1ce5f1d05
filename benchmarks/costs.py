"""Where a request's time goes: the app's own work per request, without server or network (Flask test client)."""

from __future__ import annotations

import functools
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from .installation import Installation
from .throughput import BEFORE_PYTHON, LOOKUP_API, LOOKUP_FORM, checklist_page_in

ROUNDS = 5


def per_request_ms(request: Request) -> float:
    """Return the median over a few rounds of the mean CPU time per request, in milliseconds.

    CPU time of this process, not wall time: on a shared machine other work stretches the wall clock.
    """
    for _ in range(20):
        request.send()
    rounds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(request.count):
            request.send()
        rounds.append((time.process_time() - started) / request.count * 1000)
    return round(statistics.median(rounds), 3)


def slot_costs(portal, client, path: str, count: int = 50) -> dict[str, float]:
    """Return the milliseconds of CPU each plugin spends per request of a page answering template slots."""
    totals: dict[str, float] = defaultdict(float)
    answers = portal.extensions["portal.slots"].answers
    originals = {slot: list(entries) for slot, entries in answers.items()}

    def timed(slot, plugin, answer):
        @functools.wraps(answer)
        def call(**context):
            started = time.process_time()
            try:
                return answer(**context)
            finally:
                totals[f"{plugin}: {slot}"] += time.process_time() - started

        return call

    for slot, entries in originals.items():
        answers[slot] = [(plugin, timed(slot, plugin, answer)) for plugin, answer in entries]
    try:
        for _ in range(count):
            client.get(path, headers={"Accept-Encoding": "gzip"})
    finally:
        answers.update(originals)
    return {name: round(total / count * 1000, 3) for name, total in sorted(totals.items(), key=lambda item: -item[1])
            if total / count >= 0.01e-3}


@dataclass
class Request:
    """One request measured again and again: `count` of them per round."""

    name: str
    client: FlaskClient
    method: str
    path: str
    count: int = 200
    options: dict = field(default_factory=dict)

    def send(self):
        return self.client.open(self.path, method=self.method, **self.options)


@dataclass
class Requests:
    """The requests to measure, from the least to the most work, and the apps that answer them."""

    portal: Flask
    rendering: Flask  # the page cache off: what every request paid before it
    requests: list[Request]
    result_path: str | None

    def dispose(self) -> None:
        for app in (self.portal, self.rendering):
            app.extensions["portal.db"].engine.dispose()


def requests_to_measure(root: Path, plugins: list[str]) -> Requests:
    """Prepare an installation with 1,000 appointments and return the requests both sections measure in it."""
    from portal import create_app

    from . import seed
    from .bare_app import app as bare_app

    installation = Installation(root, "sqlite", plugins)
    installation.prepare(1_000)
    portal = create_app({"instance_path": str(installation.root), **installation.settings})
    bare, client = bare_app.test_client(), portal.test_client()
    browser = {"headers": {"Accept-Encoding": "gzip", "Accept-Language": "de"}}
    reference, born = seed.sample(1_000)[0]
    requests = [Request("bare_hello", bare, "GET", "/"), Request("bare_template", bare, "GET", "/page"),
                Request("core_without_database (theme.css)", client, "GET", "/theme.css", options=browser),
                Request("core_with_one_query (healthz)", client, "GET", "/healthz", options=browser)]
    result_path = None
    if "appointments" in plugins:
        found = client.post(LOOKUP_API, json={"reference": reference, "birth_date": born},
                            headers={"Accept": "application/json"}).get_json()
        result_path = urlsplit(found["print_url"]).path
        # The lookup form's post without JavaScript, one visitor's session and token: the result page in its answer.
        from portal.testing import csrf_token

        year, month, day = born.split("-")
        form = {"csrf_token": csrf_token(client, LOOKUP_FORM), "reference": reference, "day": day, "month": month,
                "year": year}
        requests += [
            Request("lookup_api", client, "POST", LOOKUP_API, options={
                "json": {"reference": reference, "birth_date": born},
                "headers": browser["headers"] | {"Accept": "application/json"}}),
            Request("lookup_form_page", client, "GET", LOOKUP_FORM, 50, browser),
            Request("result_page", client, "GET", result_path, 50, browser),
            Request("lookup_form_post", client, "POST", LOOKUP_FORM, 50, {"data": form, **browser})]
    if "emergency" in plugins:
        requests.append(Request("emergency_form", client, "GET", "/de/emergency/", 50, browser))
    # A visitor of the public pages: the language cookie, no session (kept pages; portal/pagecache.py).
    visitor = portal.test_client()
    requests.append(Request("home", visitor, "GET", "/de/", 50, browser))
    if "checklists" in plugins:
        requests.append(Request("checklist", visitor, "GET", checklist_page_in(visitor), 50, browser))
    # Rendered for every request: the page cache off, the slots' kept fragments still used.
    rendering = create_app({"instance_path": str(installation.root), **installation.settings,
                            "page_cache_seconds": 0})
    rendered = rendering.test_client()
    requests.append(Request("home_page_cache_off", rendered, "GET", "/de/", 50, browser))
    if "checklists" in plugins:
        requests.append(Request("checklist_page_cache_off", rendered, "GET", checklist_page_in(rendered), 50,
                                browser))
    return Requests(portal, rendering, requests, result_path)


def measure(root: Path, plugins: list[str]) -> dict:
    """Time the bare app and the portal's steps from the least to the most work, in this process."""
    prepared = requests_to_measure(root, plugins)
    results = {request.name: per_request_ms(request) for request in prepared.requests}
    rendered = prepared.rendering.test_client()
    slots = {"home": slot_costs(prepared.rendering, rendered, "/de/")}
    if prepared.result_path:
        slots["result page"] = slot_costs(prepared.portal, prepared.portal.test_client(), prepared.result_path)
    prepared.dispose()
    for name, milliseconds in results.items():
        print(f"  {name}: {milliseconds} ms", file=sys.stderr)
    measured = {"milliseconds_per_request": results, "slot_milliseconds_per_request": slots}
    if BEFORE_PYTHON and "--before" not in sys.argv:
        measured["before"] = measure_before(root, plugins)
    return measured


def before_source(outside: Path) -> Path:
    """Return the folder of BEFORE_PYTHON's `portal`, asked from `outside` this code's folder."""
    where = "import pathlib, portal; print(pathlib.Path(portal.__file__).parents[1])"
    return Path(subprocess.run([BEFORE_PYTHON, "-c", where], capture_output=True, text=True, check=True,
                               cwd=outside).stdout.strip())


def measure_before(root: Path, plugins: list[str]) -> dict:
    """Measure the same with the code of BEFORE_PYTHON's installation, in a process of its own, in the same run.

    That installation's own portal and plugins serve, measured by this harness; its database is made by its
    own migrations.
    """
    source = before_source(root.parent)
    # The earlier code's own `portal` (its folder as the working directory) imported first, then this harness.
    program = (f"import sys, json, pathlib; import portal; sys.path.insert(0, {str(Path(__file__).parents[1])!r}); "
               f"from benchmarks import costs; print(json.dumps(costs.measure(pathlib.Path({str(root / 'before')!r}), "
               f"{plugins!r})))")
    print(f"time per request in the app, code before ({source})", file=sys.stderr)
    completed = subprocess.run([BEFORE_PYTHON, "-c", program, "--before"], capture_output=True, text=True,
                               check=True, cwd=source)
    sys.stderr.write(completed.stderr)
    measured = json.loads(completed.stdout.strip().splitlines()[-1])
    return {**measured["milliseconds_per_request"], "slots": measured["slot_milliseconds_per_request"]}
