"""Arrival passes: what verifying one costs on the server and in the door's browser, check-ins per second
through the door's JSON address, and the size of a pass's QR code.

The door's page keeps its verify function private, so the browser figure runs the same steps it runs
(Base32 decoding, importing the raw key, WebCrypto's Ed25519 verify) in a page of the portal.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date
from datetime import time as clock
from pathlib import Path

from sqlalchemy import create_engine, text

from .installation import Installation
from .load import Request, run_wrk

DOOR = "/de/staff/arrival/"
DOOR_EMAIL, DOOR_PASSWORD = "einlass@demo.example", "Demo-Zugang-2026"
ROUNDS, COUNT = 5, 1_000
BROWSER_PASSES = 300
# The seed's 500 clients of the first hours, a hundred times over: 50,000 arrivals in about three hours.
CLIENTS_FIRST_HOURS, HUNDREDFOLD_PER_SECOND = 500, 50_000 / (3 * 3600)
EXAMPLE_ADDRESS = "HTTPS://TERMINE.MUSTERSTADT.DE/P/"

BROWSER_VERIFY = """async ({codes, key}) => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const base32 = (text) => {
    const out = []; let bits = 0, value = 0;
    for (const letter of text) {
      value = (value << 5) | alphabet.indexOf(letter); bits += 5;
      if (bits >= 8) { bits -= 8; out.push((value >> bits) & 255); }
    }
    return new Uint8Array(out);
  };
  const raw = Uint8Array.from(atob(key), (letter) => letter.charCodeAt(0));
  const started = performance.now();
  let valid = 0;
  for (const code of codes) {
    const bytes = base32(code);
    const data = bytes.subarray(0, bytes.length - 64), signature = bytes.subarray(bytes.length - 64);
    const imported = await crypto.subtle.importKey("raw", raw, {name: "Ed25519"}, false, ["verify"]);
    if (await crypto.subtle.verify({name: "Ed25519"}, imported, signature, data)) valid += 1;
  }
  return {valid, microseconds: (performance.now() - started) * 1000 / codes.length};
}"""


def make_passes(installation: Installation, count: int) -> tuple[list[str], str, dict]:
    """Issue count passes for today, the whole day long; return them, the public key and a sample's facts."""
    from portal_plugins.arrival import keys
    from portal_plugins.arrival.door import issue
    from portal_plugins.arrival.passes import PassFacts

    from portal import create_app, toolkit

    app = create_app({"instance_path": str(installation.root), **installation.settings})
    with app.app_context():
        today = toolkit.office_today()
        key_id, private_key = keys.signing_key_made_if_none(today)
        codes = []
        for number in range(count):
            facts = PassFacts(key_id=key_id, public_id=number.to_bytes(16, "big"), day=today,
                              window_start=clock(0), window_end=clock(23, 59), persons=2)
            codes.append(issue(facts, private_key, "residence"))
        toolkit.session().commit()
        public_key = [record for record in keys.records() if record.key_id == key_id][0].public_key
    app.extensions["portal.db"].engine.dispose()
    return codes, public_key, {"key_id": key_id}


def server_verify(codes: list[str], public_key: str) -> dict:
    """Return the median over rounds of microseconds to verify and parse one pass with passes.read."""
    from portal_plugins.arrival.keys import KeyRecord
    from portal_plugins.arrival.passes import read

    keys = {1: KeyRecord(key_id=1, public_key=public_key, created_on=date(2020, 1, 1)).public()}
    sample = codes[:COUNT]
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for code in sample:
            read(code, keys)
        rounds.append((time.perf_counter() - started) / len(sample) * 1e6)
    return {"microseconds_per_pass": round(statistics.median(rounds), 1), "passes": len(sample), "rounds": ROUNDS}


def qr_sizes(code: str) -> dict:
    """Return the QR version and size, as the portal draws them, of a pass and of its address."""
    from portal.qr import BORDER, qr_modules

    found = {}
    for name, content in (("pass", code), ("address", EXAMPLE_ADDRESS + code)):
        side, _ = qr_modules(content)
        found[name] = {"characters": len(content), "bytes": len(content.encode("ascii")), "version": (side - 17) // 4,
                       "modules_with_quiet_zone": side + 2 * BORDER}
    return found


def measure(root: Path, plugins: list[str], seconds: int = 10, passes: int = 20_000) -> dict:
    """Run the arrival section on SQLite with all plugins."""
    from playwright.sync_api import sync_playwright

    installation = Installation(root, "sqlite", plugins)
    installation.reset()
    cli = installation.process()
    cli.flask("db", "upgrade")
    cli.flask("demo")
    print("arrival: issuing passes", file=sys.stderr)
    codes, public_key, _ = make_passes(installation, passes)
    results = {"qr": qr_sizes(codes[0]), "server_verify": server_verify(codes, public_key)}
    with installation.process() as portal, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{portal.url}/de/staff/login")
        page.fill("input[name=email]", DOOR_EMAIL)
        page.fill("input[name=password]", DOOR_PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_url(lambda url: "/staff/login" not in url)
        page.goto(portal.url + DOOR)
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        browser_runs = [page.evaluate(BROWSER_VERIFY, {"codes": codes[:BROWSER_PASSES], "key": public_key})
                        for _ in range(ROUNDS)]
        results["browser_verify"] = {
            "microseconds_per_pass": round(statistics.median(run["microseconds"] for run in browser_runs), 1),
            "valid": browser_runs[0]["valid"], "passes": BROWSER_PASSES, "rounds": ROUNDS,
            "browser": browser.version}
        # One check-in first, so the session already holds the device's name and wrk's cookie stays current.
        headers = {"Content-Type": "application/json", "X-CSRFToken": token}
        body = {"code": codes[-1], "device": "benchmark"}
        assert context.request.post(portal.url + DOOR + "check", data=json.dumps(body), headers=headers).ok
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        browser.close()
        print("arrival: check-ins through gunicorn", file=sys.stderr)
        requests = [Request(DOOR + "check", "POST", json.dumps({"code": code, "device": "benchmark"}),
                            {**headers, "Cookie": cookie}) for code in codes[:-1]]
        # One wrk thread: each thread walks the list from its start, and a second would repeat the first's passes.
        served = run_wrk(portal.url, requests, connections=8, threads=1, seconds=seconds)
    served["distinct_passes"] = len(requests)
    engine = create_engine(installation.database_url)
    with engine.connect() as connection:
        # Each answered request stored a check-in of its own (plus the one made first), or the figure means little.
        served["stored_check_ins"] = connection.scalar(
            text("SELECT count(*) FROM arrival_pass WHERE checked_in_at IS NOT NULL"))
    engine.dispose()
    results["check_ins"] = served
    results["needed_per_second"] = round(HUNDREDFOLD_PER_SECOND, 1)
    results["factor_over_hundredfold"] = round(served["requests_per_second"] / HUNDREDFOLD_PER_SECOND, 1)
    return results
