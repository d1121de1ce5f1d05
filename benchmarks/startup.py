"""Start-up time and memory per gunicorn worker with all plugins, with the app preloaded in the master or not."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.support import AppProcess

from .browser import BROWSER_HEADERS
from .installation import Installation
from .load import Request, run_wrk

BUILD_SNIPPET = """
import json, time
started = time.perf_counter()
from portal import create_app
imported = time.perf_counter()
create_app()
built = time.perf_counter()
print(json.dumps({"import_seconds": imported - started, "build_seconds": built - imported,
                  "cpu_seconds": time.process_time()}))
"""
WARM_UP_PAGES = ("/de/", "/de/appointments/", "/de/checklists/", "/de/notices/", "/de/emergency/", "/ar/",
                 "/de/staff/login")


def memory_of(pid: int) -> dict:
    """Return resident and proportional memory of a process in MiB (PSS shares copy-on-write pages fairly)."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss", "Private_Dirty"):
            values[name.lower()] = round(int(rest.split()[0]) / 1024, 1)
    return values


def build_time(process: AppProcess, runs: int = 3) -> dict:
    """Return the median time to import the portal and to build the app, each in a fresh interpreter."""
    samples = []
    for _ in range(runs):
        completed = subprocess.run([sys.executable, "-c", BUILD_SNIPPET], env=process.environment(),
                                   cwd=process.instance, capture_output=True, text=True, timeout=120, check=True)
        samples.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    return {key: round(statistics.median(sample[key] for sample in samples), 3) for key in samples[0]}


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user and system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)


def serve_and_weigh(process: AppProcess) -> dict:
    """Start gunicorn, warm every worker up with the main pages and return start time and memory."""
    process.start()
    # From launching gunicorn (not from asking which version it is) to the first answer.
    seconds = time.monotonic() - process.launched_at
    # What the start cost in CPU; on a shared machine the wall clock also counts the waits for a core.
    start_cpu = {"master": cpu_seconds(process.process.pid),
                 "workers": [cpu_seconds(pid) for pid in process.worker_pids()]}
    try:
        # Concurrent requests, so that every worker serves every page, not whichever accepts first.
        run_wrk(process.url, [Request(page, headers=BROWSER_HEADERS) for page in WARM_UP_PAGES],
                connections=8, seconds=3)
        return {"seconds_to_first_answer": round(seconds, 2), "cpu_seconds_to_first_answer": start_cpu,
                "master": memory_of(process.process.pid),
                "workers": [memory_of(pid) for pid in process.worker_pids()]}
    finally:
        process.stop()


def compile_bytecode() -> None:
    """Compile the portal's and the plugins' modules, as installing the package does on a server."""
    import compileall

    import portal_plugins

    import portal

    # Without this every start of a checkout compiles them again wherever PYTHONDONTWRITEBYTECODE is set.
    for package in (portal, portal_plugins):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)


def measure(root: Path, plugins: list[str]) -> dict:
    """Measure start-up and memory of the portal with the given plugins, on SQLite."""
    compile_bytecode()
    installation = Installation(root, "sqlite", plugins)
    installation.prepare(100)
    result = {"plugins": plugins, "build": build_time(installation.process())}
    result["gunicorn_preload"] = serve_and_weigh(installation.process())
    result["gunicorn"] = serve_and_weigh(AppProcess(installation.root, installation.settings, config=None))
    for variant in ("gunicorn_preload", "gunicorn"):
        print(f"  {variant}: {result[variant]['seconds_to_first_answer']} s "
              f"({result[variant]['cpu_seconds_to_first_answer']['master']} s CPU in the master), workers "
              f"{[worker['pss'] for worker in result[variant]['workers']]} MiB PSS", file=sys.stderr)
    return result
