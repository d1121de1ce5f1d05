"""Where a request's time goes: the app's own work per request, without server or network (Flask test client)."""

from __future__ import annotations

import functools
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from .installation import Installation
from .throughput import LOOKUP_API, LOOKUP_FORM, checklist_page_in

ROUNDS = 5


def per_request_ms(client, method: str, path: str, count: int = 200, **kwargs) -> float:
    """Return the median over a few rounds of the mean CPU time per request, in milliseconds.

    CPU time of this process, not wall time: on a shared machine other work stretches the wall clock.
    """
    for _ in range(20):
        client.open(path, method=method, **kwargs)
    rounds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(count):
            client.open(path, method=method, **kwargs)
        rounds.append((time.process_time() - started) / count * 1000)
    return round(statistics.median(rounds), 3)


def slot_costs(portal, client, path: str, count: int = 50) -> dict[str, float]:
    """Return the milliseconds each plugin spends per request of a page answering template slots."""
    totals: dict[str, float] = defaultdict(float)
    answers = portal.extensions["portal.slots"].answers
    originals = {slot: list(entries) for slot, entries in answers.items()}

    def timed(slot, plugin, answer):
        @functools.wraps(answer)
        def call(**context):
            started = time.perf_counter()
            try:
                return answer(**context)
            finally:
                totals[f"{plugin}: {slot}"] += time.perf_counter() - started

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


def measure(root: Path, plugins: list[str]) -> dict:
    """Time the bare app and the portal's steps from the least to the most work, in this process."""
    from portal import create_app

    from . import seed
    from .bare_app import app as bare_app

    installation = Installation(root, "sqlite", plugins)
    installation.prepare(1_000)
    portal = create_app({"instance_path": str(installation.root), **installation.settings})
    bare, client = bare_app.test_client(), portal.test_client()
    browser = {"Accept-Encoding": "gzip", "Accept-Language": "de"}
    reference, born = seed.sample(1_000)[0]
    results = {
        "bare_hello": per_request_ms(bare, "GET", "/"),
        "bare_template": per_request_ms(bare, "GET", "/page"),
        "core_without_database (theme.css)": per_request_ms(client, "GET", "/theme.css", headers=browser),
        "core_with_one_query (healthz)": per_request_ms(client, "GET", "/healthz", headers=browser),
    }
    if "appointments" in plugins:
        results["lookup_api"] = per_request_ms(
            client, "POST", LOOKUP_API, json={"reference": reference, "birth_date": born},
            headers=browser | {"Accept": "application/json"})
        results["lookup_form_page"] = per_request_ms(client, "GET", LOOKUP_FORM, count=50, headers=browser)
        found = client.post(LOOKUP_API, json={"reference": reference, "birth_date": born},
                            headers={"Accept": "application/json"}).get_json()
        results["result_page"] = per_request_ms(client, "GET", urlsplit(found["print_url"]).path, count=50,
                                                headers=browser)
    if "emergency" in plugins:
        results["emergency_form"] = per_request_ms(client, "GET", "/de/emergency/", count=50, headers=browser)
    # A visitor of the public pages: the language cookie, no session (kept pages; portal/pagecache.py).
    visitor = portal.test_client()
    results["home"] = per_request_ms(visitor, "GET", "/de/", count=50, headers=browser)
    if "checklists" in plugins:
        results["checklist"] = per_request_ms(visitor, "GET", checklist_page_in(visitor), count=50, headers=browser)
    # Rendered for every request: the page cache off, the slots' kept fragments still used.
    rendering = create_app({"instance_path": str(installation.root), **installation.settings,
                            "page_cache_seconds": 0})
    rendered = rendering.test_client()
    results["home_page_cache_off"] = per_request_ms(rendered, "GET", "/de/", count=50, headers=browser)
    if "checklists" in plugins:
        results["checklist_page_cache_off"] = per_request_ms(rendered, "GET", checklist_page_in(rendered), count=50,
                                                             headers=browser)
    slots = {"home": slot_costs(rendering, rendered, "/de/")}
    for app in (portal, rendering):
        app.extensions["portal.db"].engine.dispose()
    for name, milliseconds in results.items():
        print(f"  {name}: {milliseconds} ms", file=sys.stderr)
    return {"milliseconds_per_request": results, "slot_milliseconds_per_request": slots}
