"""Run the benchmarks and write benchmarks/results/latest.json and latest.md (`make bench`).

    python -m benchmarks [--quick] [--only costs,instructions,startup,import,throughput,live,weight,lighthouse,
                                   arrival,waiting_room]

Every server listens on loopback; wrk is the load generator. Figures are
reported as ratios to a bare Flask app measured in the same run, because the
load generator and the servers share the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from . import (
    arrival,
    costs,
    importing,
    instructions,
    lighthouse,
    live,
    report,
    seed,
    startup,
    throughput,
    waiting_room,
    weight,
)
from .installation import Installation, available_plugins, postgres_reachable
from .load import wrk_available

HERE = Path(__file__).resolve().parent
SECTIONS = ("costs", "instructions", "startup", "import", "throughput", "live", "weight", "lighthouse", "arrival",
            "waiting_room")
# Live updates get a short run of their own (about a minute): the poll is tiny, its figures settle fast.
LIVE_SECONDS = 3
# The waiting room runs two minutes of a day at its own pace (each desk calls about three times).
WAITING_ROOM_SECONDS = 120
REDIS_URL = os.environ.get("PORTAL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")


def redis_reachable() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False
    return True


def machine() -> dict:
    """Describe where and when the figures were taken."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE)
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True) if wrk_available() else None
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "commit": commit.stdout.strip(),
            "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
            "wrk": (wrk.stdout or wrk.stderr).splitlines()[0] if wrk else None}


def default_output(sections: list[str], quick: bool) -> Path:
    """Return where a run's report goes: latest.json only for a whole run, so a part never replaces it."""
    name = "latest" if set(sections) == set(SECTIONS) else "only-" + "-".join(sections)
    return HERE / "results" / (f"quick-{name}.json" if quick else f"{name}.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs and small data, to try the harness")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections to run")
    parser.add_argument("--output", type=Path, help="the report's JSON file, its Markdown beside it (default: "
                        "latest.json for the whole run, a name of its own for part of it or a quick one)")
    args = parser.parse_args()
    sections = [name.strip() for name in args.only.split(",") if name.strip()]
    args.output = args.output or default_output(sections, args.quick)
    # 6 s per target (after its 3 s of the bare app): twice the targets of the first edition in about the same time.
    seconds, growth_to, import_sizes = (3, 100_000, (1_000, 10_000)) if args.quick else \
        (6, 1_000_000, (10_000, 100_000))
    plugins = available_plugins()
    backends = ["sqlite"] + (["postgresql"] if postgres_reachable() else [])
    results: dict = {"machine": machine(), "plugins": plugins, "backends": backends, "quick": args.quick,
                     "settings": {"connections": 32, "threads": 2, "seconds": seconds, "gunicorn_workers": 2,
                                  "client_addresses": throughput.CLIENT_ADDRESSES}}
    started = time.monotonic()

    # A section that fails loses only itself: the report of those before it is written all the same.
    try:
        with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
            root = Path(folder)
            if "costs" in sections:
                print("time per request in the app", file=sys.stderr)
                results["costs"] = costs.measure(root / "costs", plugins)
            if "instructions" in sections:
                print("instructions per request (callgrind)", file=sys.stderr)
                missing = instructions.missing_tools()
                results["instructions"] = ({"skipped": f"not installed: {missing} (apt-get install valgrind gcc)"}
                                           if missing else instructions.measure(root / "instructions", plugins))
            if "startup" in sections:
                print("start-up and memory", file=sys.stderr)
                results["startup"] = startup.measure(root / "startup", plugins)
            if "import" in sections and "appointments" in plugins:
                print("CSV import", file=sys.stderr)
                results["import"] = importing.measure(root, backends, import_sizes)
            if "throughput" in sections:
                if not wrk_available():
                    results["throughput"] = {"skipped": "wrk is not installed (apt-get install wrk)"}
                else:
                    redis_url = REDIS_URL if redis_reachable() else None
                    results["throughput"] = {
                        backend: throughput.run_backend(root / "throughput", backend, plugins, seconds, 32, growth_to,
                                                        redis_url=redis_url if backend == "postgresql" else None)
                        for backend in backends}
            if "live" in sections:
                print("live updates: unchanged polls", file=sys.stderr)
                results["live"] = live.measure(root / "live", plugins, REDIS_URL if redis_reachable() else None,
                                               seconds=2 if args.quick else LIVE_SECONDS, with_wrk=wrk_available())
            if "arrival" in sections and "arrival" in plugins:
                print("arrival passes", file=sys.stderr)
                results["arrival"] = arrival.measure(root / "arrival", plugins, seconds=seconds)
            if "waiting_room" in sections:
                print("waiting room", file=sys.stderr)
                results["waiting_room"] = waiting_room.measure(root / "waiting_room", plugins,
                                                               REDIS_URL if redis_reachable() else None,
                                                               seconds=20 if args.quick else WAITING_ROOM_SECONDS)
            if {"weight", "lighthouse"} & set(sections):
                installation = Installation(root / "pages", "sqlite", plugins)
                installation.prepare(1_000)
                with installation.process() as portal:
                    pages = main_pages(portal.url, plugins)
                    if "weight" in sections:
                        print("page weight", file=sys.stderr)
                        results["weight"] = weight.measure(portal.url, {name: pages[name] for name in
                                                                        ("home", "result") if name in pages})
                    if "lighthouse" in sections:
                        print("lighthouse", file=sys.stderr)
                        results["lighthouse"] = lighthouse.measure(portal.url, pages)
                if "weight" in sections:
                    print("page weight: the ticket page", file=sys.stderr)
                    results["weight"] |= waiting_room.ticket_page_weight(root / "ticket-weight", plugins)
    finally:
        results["goals"] = report.goals(results)
        results["minutes"] = round((time.monotonic() - started) / 60, 1)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        args.output.with_suffix(".md").write_text(report.markdown(results), encoding="utf-8")
    print(f"written {args.output} and {args.output.with_suffix('.md')}", file=sys.stderr)


def main_pages(url: str, plugins: list[str]) -> dict[str, str]:
    """Return every kind of public page a client reads and a result page, by name, in German and in Arabic."""
    pages = throughput.public_pages(url, plugins)
    if "appointments" in plugins:
        pages["result"] = throughput.result_pages(url, seed.sample(1_000)[:1])[0]
    # Every public address starts with its language, /de/…: the same page in Arabic, right to left.
    return pages | {f"{name}_arabic": "/ar/" + path.split("/", 2)[2] for name, path in pages.items()}


if __name__ == "__main__":
    main()
