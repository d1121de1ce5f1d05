"""Import a made-up export into a fresh database and print time and memory as JSON (run in its own process).

    python -m benchmarks.import_probe --rows 100000 --database-url URL --instance DIR [--trace]

Without --trace it reports wall time and the process's peak resident memory;
with --trace it reports the peak of Python allocations during the import
(tracemalloc slows the import, so time is taken from the other run).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from . import seed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()

    from portal_plugins.appointments.importer import import_appointments

    from portal import create_app
    from portal.migrate import upgrade_all

    app = create_app({"instance_path": args.instance, "database_url": args.database_url,
                      "secret_key": "benchmark", "plugins": ["appointments"]})
    with tempfile.TemporaryDirectory(prefix="portal-import-") as folder:
        export = seed.write_csv(Path(folder) / "export.csv", args.rows)
        with app.app_context():
            upgrade_all()
            session = app.extensions["portal.db"].session
            baseline_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if args.trace:
                tracemalloc.start()
            started = time.perf_counter()
            with export.open("rb") as stream:
                report = import_appointments(stream)
            session.commit()
            seconds = time.perf_counter() - started
            traced_peak = tracemalloc.get_traced_memory()[1] if args.trace else None
            tracemalloc.stop()
    if not report.ok or report.created != args.rows:
        raise SystemExit(f"import failed: {report.errors[:3]}, created {report.created}")
    result = {"rows": args.rows, "seconds": round(seconds, 3), "rows_per_second": round(args.rows / seconds),
              "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
              "rss_before_import_mib": round(baseline_rss_kib / 1024, 1)}
    if traced_peak is not None:
        result["peak_python_allocations_mib"] = round(traced_peak / 2**20, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
