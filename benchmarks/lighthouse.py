"""Lighthouse in mobile mode with Debian's Chromium: the four category scores and what costs points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RUNS = 3
# Without the networking flags Chromium tries to reach the internet, which fails on this machine.
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage")


def install() -> str | None:
    """Install Lighthouse from benchmarks/package-lock.json when missing; return why it is unavailable."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing"
    if not CLI.exists():
        completed = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
                                   capture_output=True, text=True, timeout=600)
        if completed.returncode != 0:
            return f"npm ci failed: {completed.stderr[-500:]}"
    return None


def audit(url: str) -> dict:
    """Run Lighthouse once on a page and return its category scores and every audit that lost points."""
    with tempfile.TemporaryDirectory(prefix="portal-lighthouse-") as folder:
        report_path = Path(folder) / "report.json"
        command = ["node", str(CLI), url, "--form-factor=mobile", "--output=json", f"--output-path={report_path}",
                   f"--only-categories={','.join(CATEGORIES)}", "--quiet",
                   f"--chrome-flags={CHROME_FLAGS} --user-data-dir={Path(folder) / 'profile'}"]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=300,
                                   env=os.environ | {"CHROME_PATH": CHROMIUM})
        if completed.returncode != 0 or not report_path.exists():
            raise RuntimeError(f"lighthouse failed on {url}: {completed.stderr[-1500:]}")
        report = json.loads(report_path.read_text(encoding="utf-8"))
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    weighted = {ref["id"] for category in report["categories"].values() for ref in category["auditRefs"]
                if ref.get("weight")}
    lost = {audit_id: {"title": item["title"], "score": item["score"], "display": item.get("displayValue", "")}
            for audit_id, item in report["audits"].items()
            if audit_id in weighted and item["score"] is not None and item["score"] < 1}
    metrics = {key: round(report["audits"][key]["numericValue"])
               for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                           "speed-index") if key in report["audits"]}
    metrics["cumulative-layout-shift"] = report["audits"]["cumulative-layout-shift"]["numericValue"]
    return {"scores": scores, "lost_points": lost, "metrics_ms": metrics,
            "lighthouse_version": report["lighthouseVersion"]}


def median_audit(url: str) -> dict:
    """Audit a page RUNS times and return the run with the median performance score, with all runs' scores.

    Lighthouse's own advice: its performance score varies from run to run, more
    so on a busy machine, and the median of several runs is the stable figure.
    A run that fails to record the page is repeated, at most twice.
    """
    runs, failures = [], []
    while len(runs) < RUNS and len(failures) <= 2:
        try:
            runs.append(audit(url))
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            failures.append(str(exc))
    if not runs:
        raise RuntimeError(failures[-1])
    runs.sort(key=lambda run: run["scores"]["performance"])
    return runs[len(runs) // 2] | {"runs": [run["scores"] for run in runs]}


def measure(base_url: str, pages: dict[str, str]) -> dict:
    """Audit each named page; a page that cannot be audited is recorded with the reason."""
    reason = install()
    if reason:
        return {"skipped": reason}
    results = {}
    for name, path in pages.items():
        try:
            results[name] = median_audit(base_url + path)
        except RuntimeError as exc:
            results[name] = {"error": str(exc)}
        print(f"  lighthouse {name}: {results[name].get('scores', results[name].get('error'))}", file=sys.stderr)
    return results
