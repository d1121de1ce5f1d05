"""CSV import through the appointments plugin's importer: rows per second and peak memory at two sizes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .installation import Installation


def probe(root: Path, backend: str, rows: int, trace: bool) -> dict:
    """Import `rows` made-up appointments into an empty database in a fresh process and return its report."""
    installation = Installation(root, backend, ["appointments"])
    installation.reset()
    command = [sys.executable, "-m", "benchmarks.import_probe", "--rows", str(rows),
               "--database-url", installation.database_url, "--instance", str(installation.root)]
    completed = subprocess.run(command + (["--trace"] if trace else []), capture_output=True, text=True,
                               timeout=3600, cwd=Path(__file__).resolve().parent.parent)
    if completed.returncode != 0:
        raise RuntimeError(f"import of {rows} rows failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


TIMED_RUNS = 2


def measure(root: Path, backends: list[str], sizes: tuple[int, int]) -> dict:
    """Time each size (the faster of two runs) and measure its memory in a separate, traced run."""
    # Other work on the machine only ever slows an import down, so the faster run is the truer one;
    # tracing allocations slows it down too, so memory gets a run of its own.
    results = {}
    for backend in backends:
        results[backend] = {}
        for rows in sizes:
            runs = [probe(root / "import", backend, rows, trace=False) for _ in range(TIMED_RUNS)]
            timed = max(runs, key=lambda run: run["rows_per_second"])
            timed["rows_per_second_of_each_run"] = [run["rows_per_second"] for run in runs]
            traced = probe(root / "import", backend, rows, trace=True)
            timed["peak_python_allocations_mib"] = traced["peak_python_allocations_mib"]
            results[backend][str(rows)] = timed
            print(f"  import {backend} {rows}: {timed['rows_per_second']} rows/s, peak "
                  f"{timed['peak_python_allocations_mib']} MiB allocated, {timed['peak_rss_mib']} MiB RSS",
                  file=sys.stderr)
        small, large = (results[backend][str(rows)] for rows in sizes)
        results[backend]["time_per_row_ratio"] = round(small["rows_per_second"] / large["rows_per_second"], 2)
        results[backend]["memory_ratio"] = round(large["peak_python_allocations_mib"]
                                                 / small["peak_python_allocations_mib"], 2)
    return results
