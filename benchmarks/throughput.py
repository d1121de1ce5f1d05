"""Throughput and latency of the main pages and the status lookup, as ratios to a bare Flask app."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

from tests.support import AppProcess

from . import seed
from .browser import Browser, links
from .installation import Installation
from .load import Request, run_wrk

LANG = "de"
LOOKUP_API = f"/{LANG}/appointments/api/v1/lookup"
LOOKUP_FORM = f"/{LANG}/appointments/"
# Every request carries what a phone's browser sends, so the figures include what real visits cost.
COMMON_HEADERS = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "de-DE,de;q=0.9"}
# The portal runs behind the proxy (behind_proxy = true) and each request comes from one of this many
# client addresses, as in the office's rush: the per-address rate limits are counted, not run into.
CLIENT_ADDRESSES = 1024
# Pages measured once more with the page cache off, to show in the same run what it brings.
UNCACHED_TARGETS = ("home", "checklist", "notices")
# The interpreter of another installation of the portal (say main's .venv/bin/python): when set, these targets
# are measured once more with its code, to show in the same run what this code changes.
BEFORE_PYTHON = os.environ.get("PORTAL_BENCH_BEFORE_PYTHON")
BEFORE_TARGETS = ("home", "lookup_api", "lookup_form_page", "lookup_form_post", "result_page", "emergency_form",
                  "ticket_page")


def visitor(number: int) -> dict[str, str]:
    """Return the headers of the number-th visitor's phone."""
    return COMMON_HEADERS | {"X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"}


def bare_process(root: Path) -> AppProcess:
    """Return the bare Flask app under the same gunicorn settings (not started)."""
    repository = str(Path(__file__).resolve().parent.parent)
    return AppProcess(root / "bare", {}, wsgi="benchmarks.bare_app:app", extra_args=("--pythonpath", repository))


def many_visitors(path: str) -> list[Request]:
    """Return the same page asked for by every visitor."""
    return [Request(path, headers=visitor(number)) for number in range(CLIENT_ADDRESSES)]


def bare_targets() -> dict[str, list[Request]]:
    return {"bare_hello": many_visitors("/"), "bare_template": many_visitors("/page")}


def lookup_api_requests(pairs: list[tuple[str, str]]) -> list[Request]:
    """Return JSON lookups for stored appointments (successful lookups never use up the rate limits)."""
    json_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    return [Request(LOOKUP_API, "POST", json.dumps({"reference": ref, "birth_date": born}),
                    visitor(number) | json_headers) for number, (ref, born) in enumerate(pairs)]


def lookup_form_requests(url: str, pairs: list[tuple[str, str]]) -> list[Request]:
    """Return lookups through the HTML form, as a browser without JavaScript sends them (one session)."""
    browser = Browser(url)
    token = browser.csrf_token(LOOKUP_FORM)
    form_headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": browser.cookie_header()}
    requests = []
    for number, (ref, born) in enumerate(pairs):
        year, month, day = born.split("-")
        body = urlencode({"csrf_token": token, "reference": ref, "day": day, "month": month, "year": year})
        requests.append(Request(LOOKUP_FORM, "POST", body, visitor(number) | form_headers))
    return requests


def result_pages(url: str, pairs: list[tuple[str, str]]) -> list[str]:
    """Look appointments up once and return the addresses of their result pages."""
    browser = Browser(url)
    paths = []
    for ref, born in pairs:
        answer = browser.post_json(LOOKUP_API, {"reference": ref, "birth_date": born})
        if answer.status != 200:
            raise RuntimeError(f"lookup of {ref} answered {answer.status}: {answer.text[:300]}")
        paths.append(answer.json()["print_url"].split(url, 1)[-1])
    return paths


def first_checklist(overview_html: str) -> str:
    """Return the address of the first checklist the checklists overview links to."""
    found = [href for href in links(overview_html, f"/{LANG}/checklists/") if href.rstrip("/").count("/") == 3]
    if not found:
        raise RuntimeError("the checklists overview links to no checklist")
    return found[0]


def checklist_page(url: str) -> str:
    """Return the address of a checklist of the portal served at url."""
    return first_checklist(Browser(url).get(f"/{LANG}/checklists/").text)


def checklist_page_in(client) -> str:
    """Return the address of a checklist, asking a Flask test client."""
    return first_checklist(client.get(f"/{LANG}/checklists/").get_data(as_text=True))


def first_notice(url: str) -> str:
    """Return the address of the first notice the notices list links to."""
    found = [href for href in links(Browser(url).get(f"/{LANG}/notices/").text, f"/{LANG}/notices/")
             if href.rstrip("/").rsplit("/", 1)[-1].isdigit()]
    if not found:
        raise RuntimeError("the notices list links to no notice")
    return found[0]


def public_pages(url: str, plugins: list[str]) -> dict[str, str]:
    """Return every kind of public page an anonymous visitor reads, by target name (address)."""
    pages = {"home": f"/{LANG}/"}
    if "appointments" in plugins:
        pages["lookup_form_page"] = LOOKUP_FORM
    if "checklists" in plugins:
        pages["checklists"] = f"/{LANG}/checklists/"
        pages["checklist"] = checklist_page(url)
    if "hygiene" in plugins:
        pages["hygiene_rules"] = f"/{LANG}/hygiene/"
    if "notices" in plugins:
        pages["notices"] = f"/{LANG}/notices/"
        pages["notice"] = first_notice(url)
    if "interpreters" in plugins:
        pages["interpreters"] = f"/{LANG}/interpreters/"
        pages["glossary"] = f"/{LANG}/interpreters/glossary"
    if "emergency" in plugins:
        pages["emergency_form"] = f"/{LANG}/emergency/"
    return pages


def portal_targets(url: str, plugins: list[str], appointments: int) -> dict[str, list[Request]]:
    """Return the measured requests for the portal: every public page kind, pages with a client's data, lookups."""
    targets = {name: many_visitors(path) for name, path in public_pages(url, plugins).items()}
    if "appointments" in plugins:
        pairs = seed.sample(appointments)
        targets["lookup_api"] = lookup_api_requests(pairs)
        targets["lookup_form_post"] = lookup_form_requests(url, pairs)
        targets["result_page"] = [Request(path, headers=visitor(number))
                                  for number, path in enumerate(result_pages(url, pairs[:50]))]
    return targets


def measure_waiting_room_pages(root: Path, backend: str, plugins: list[str], bare_url: str, seconds: float,
                               connections: int) -> dict[str, dict]:
    """Measure the call display and ticket pages on an installation of their own, since the waiting room is opt-in.

    On PostgreSQL it empties the one database, so it runs after every other measurement of the backend. With
    BEFORE_PYTHON the earlier code then serves the same tickets, as this code migrated them.
    """
    from .waiting_room import prepare, with_queue

    installation = Installation(root / "waiting-room", backend, with_queue(plugins), {"behind_proxy": True})
    print(f"{backend}: issuing waiting-room tickets", file=sys.stderr)
    tokens, _location, location_slug = prepare(installation)
    targets = {"call_display": many_visitors(f"/{LANG}/queue/display/{location_slug}"),
               "ticket_page": [Request(f"/{LANG}/queue/t/{token}", headers=visitor(number))
                               for number, (token, _label) in enumerate(tokens[:50])]}
    with installation.process() as portal:
        figures = measure(bare_url, portal.url, targets, seconds, connections)
    if BEFORE_PYTHON:
        before = Installation(root / "waiting-room", backend, installation.plugins, {"behind_proxy": True},
                              python=BEFORE_PYTHON)
        with before.process() as portal:
            figures |= measure(bare_url, portal.url, before_targets(targets), seconds, connections)
    return figures


def before_targets(targets: dict[str, list[Request]]) -> dict[str, list[Request]]:
    """Return the BEFORE_TARGETS among `targets`, each named `<target>_before`."""
    return {f"{name}_before": requests for name, requests in targets.items() if name in BEFORE_TARGETS}


def lookup_yardstick_process(root: Path, installation: Installation) -> AppProcess:
    """Return the minimal lookup app (benchmarks/lookup_app.py) on the installation's database (not started)."""
    repository = str(Path(__file__).resolve().parent.parent)
    settings = {"database_url": installation.database_url, "secret_key": installation.settings["secret_key"]}
    return AppProcess(root / "lookup-yardstick", settings, wsgi="benchmarks.lookup_app:app",
                      extra_args=("--pythonpath", repository))


def lookup_yardstick_targets(pairs: list[tuple[str, str]]) -> dict[str, list[Request]]:
    """Return the minimal app's lookup (JSON) and its small page with one query, for the same appointments."""
    json_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    return {
        "yardstick_lookup_api": [Request("/lookup", "POST", json.dumps({"reference": ref, "birth_date": born}),
                                         visitor(number) | json_headers) for number, (ref, born) in enumerate(pairs)],
        "yardstick_lookup_page": [Request(f"/page/{ref}/{born}", headers=visitor(number))
                                  for number, (ref, born) in enumerate(pairs)],
    }


def _report(name: str, figures: dict) -> None:
    print(f"  {name}: {figures['requests_per_second']} req/s (ratio {figures.get('throughput_ratio', 1)}), "
          f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, {figures['statuses']}", file=sys.stderr)


def with_ratios(figures: dict, baseline: dict) -> dict:
    """Add a target's throughput and latency as ratios to the bare app's, measured just before it."""
    figures["bare_requests_per_second"] = baseline["requests_per_second"]
    figures["throughput_ratio"] = round(figures["requests_per_second"] / baseline["requests_per_second"], 3)
    figures["p50_ratio"] = round(figures["p50_ms"] / baseline["p50_ms"], 2)
    figures["p99_ratio"] = round(figures["p99_ms"] / baseline["p99_ms"], 2)
    return figures


def measure(bare_url: str, url: str, targets: dict[str, list[Request]], seconds: float,
            connections: int) -> dict[str, dict]:
    """Run wrk on each target in turn, each right after the bare app, so both see the same machine."""
    # Other work on a shared machine comes and goes; a yardstick measured minutes earlier would drift.
    warm_up = [request for requests in targets.values() for request in requests[:5]]
    run_wrk(url, warm_up, connections=connections, seconds=2)
    results = {}
    for name, requests in targets.items():
        load_before = os.getloadavg()[0]
        baseline = run_wrk(bare_url, bare_targets()["bare_hello"], connections=connections,
                           seconds=max(2, round(seconds / 2)))
        results[name] = with_ratios(run_wrk(url, requests, connections=connections, seconds=seconds), baseline)
        results[name]["load_average_before"] = round(load_before, 2)
        _report(name, results[name])
    return results


def measure_before(root: Path, installation: Installation, appointments: int, bare_url: str, seconds: float,
                   connections: int) -> dict[str, dict]:
    """Measure BEFORE_TARGETS served by the code of BEFORE_PYTHON's installation: before and after, same run.

    On SQLite that code prepares a database of its own with its own migrations; PostgreSQL has one database,
    which the earlier code then serves as this code migrated it. Either serves its installation's own instance
    folder, whose arrival keys sign the passes that the result pages show.
    """
    before = Installation(root / "before" if installation.backend == "sqlite" else root, installation.backend,
                          installation.plugins, {"behind_proxy": True}, python=BEFORE_PYTHON)
    if installation.backend == "sqlite":
        print(f"sqlite: preparing {appointments} appointments with the code before", file=sys.stderr)
        before.prepare(appointments)
    with before.process() as portal:
        targets = before_targets(portal_targets(portal.url, installation.plugins, appointments))
        return measure(bare_url, portal.url, targets, seconds, connections)


def run_backend(root: Path, backend: str, plugins: list[str], seconds: float, connections: int, growth_to: int,
                appointments: int = 10_000, redis_url: str | None = None) -> dict:
    """Measure one database backend: bare app, portal at 10,000 appointments, lookups at growth_to."""
    installation = Installation(root, backend, plugins, {"behind_proxy": True})
    print(f"{backend}: preparing {appointments} appointments", file=sys.stderr)
    result: dict = {"plugins": installation.plugins, "seeding": [installation.prepare(appointments)]}
    with bare_process(root) as bare:
        bare_figures = {name: run_wrk(bare.url, requests, connections=connections, seconds=seconds)
                        for name, requests in bare_targets().items()}
        result["bare"] = {name: with_ratios(figures, bare_figures["bare_hello"])
                          for name, figures in bare_figures.items()}
        if "appointments" in installation.plugins:
            with lookup_yardstick_process(root, installation) as yardstick:
                result["yardstick"] = measure(bare.url, yardstick.url,
                                              lookup_yardstick_targets(seed.sample(appointments)), seconds, connections)
        with installation.process() as portal:
            targets = portal_targets(portal.url, installation.plugins, appointments)
            result["portal"] = measure(bare.url, portal.url, targets, seconds, connections)
        # The same pages rendered for every request, as before the page cache: what the cache brings, same run.
        uncached = Installation(root, backend, plugins, {"behind_proxy": True, "page_cache_seconds": 0})
        with uncached.process(instance=root / f"{backend}-uncached") as portal:
            pages = public_pages(portal.url, installation.plugins)
            targets = {f"{name}_page_cache_off": many_visitors(pages[name]) for name in UNCACHED_TARGETS
                       if name in pages}
            result["portal"] |= measure(bare.url, portal.url, targets, seconds, connections)
        if BEFORE_PYTHON and "appointments" in installation.plugins:
            result["portal"] |= measure_before(root, installation, appointments, bare.url, seconds, connections)
        if redis_url and "appointments" in installation.plugins:
            shared = Installation(root, backend, plugins, {"behind_proxy": True, "ratelimit_storage_url": redis_url})
            with shared.process(instance=root / f"{backend}-redis") as portal:
                targets = {"lookup_api_redis_limits": lookup_api_requests(seed.sample(appointments))}
                result["portal"] |= measure(bare.url, portal.url, targets, seconds, connections)
        if growth_to > appointments and "appointments" in installation.plugins:
            print(f"{backend}: growing to {growth_to} appointments", file=sys.stderr)
            result["seeding"].append(installation.add_in_bulk(growth_to))
            with installation.process() as portal:
                pairs = seed.sample(growth_to)
                targets = {"lookup_api": lookup_api_requests(pairs),
                           "lookup_form_post": lookup_form_requests(portal.url, pairs)}
                result["growth"] = {"appointments": {"small": appointments, "large": growth_to},
                                    "large": measure(bare.url, portal.url, targets, seconds, connections)}
        result["portal"] |= measure_waiting_room_pages(root, backend, plugins, bare.url, seconds, connections)
    return result
