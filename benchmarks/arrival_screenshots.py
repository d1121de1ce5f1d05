"""Take the screenshots of docs/arrival.md: each verdict of the real door page on a 360 px phone.

    python -m benchmarks.arrival_screenshots

A demo installation on SQLite in a temporary folder, served by gunicorn; PNGs in docs/images/arrival/.
"""

from __future__ import annotations

import io
import sys
import tempfile
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from .arrival import DOOR, DOOR_EMAIL, DOOR_PASSWORD
from .installation import Installation, available_plugins

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images" / "arrival"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True,
         "locale": "de-DE"}
# Shown in this order, each after the code that gets it: the already checked-in one scans the valid pass again.
VERDICTS = ("valid_now", "too_early", "another_day", "changed", "not_genuine", "already_checked_in")


def verdict_codes(installation: Installation) -> dict[str, str]:
    """Issue a pass for each verdict and return them by verdict."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from portal_plugins.arrival import keys
    from portal_plugins.arrival.door import issue, revoke
    from portal_plugins.arrival.passes import PassFacts, sign

    from portal import create_app, toolkit

    app = create_app({"instance_path": str(installation.root), **installation.settings})
    with app.app_context():
        today = toolkit.office_today()
        key_id, private_key = keys.signing_key_made_if_none(today)

        def facts(number, **changes):
            return PassFacts(**{"key_id": key_id, "public_id": bytes([200 + number] * 16), "day": today,
                                "window_start": clock(0), "window_end": clock(23, 59), "persons": 2, **changes})

        codes = {"valid_now": issue(facts(0), private_key),
                 "too_early": issue(facts(1, window_start=clock(23, 45)), private_key),
                 "another_day": issue(facts(2, day=today + timedelta(days=1)), private_key),
                 "changed": issue(facts(3), private_key),
                 "not_genuine": sign(facts(4), Ed25519PrivateKey.generate())}
        revoke(facts(3).public_id, toolkit.utcnow())
        codes["already_checked_in"] = codes["valid_now"]
        toolkit.session().commit()
    app.extensions["portal.db"].engine.dispose()
    return codes


def optimised_png(png: bytes) -> bytes:
    """Return the screenshot as a palette PNG of at most 64 colours (flat page colours survive it)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-shots-") as folder:
        installation = Installation(Path(folder), "sqlite", available_plugins())
        installation.reset()
        cli = installation.process()
        cli.flask("db", "upgrade")
        cli.flask("demo")
        codes = verdict_codes(installation)
        with installation.process() as portal, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_context(**PHONE).new_page()
            page.goto(f"{portal.url}/de/staff/login")
            page.fill("input[name=email]", DOOR_EMAIL)
            page.fill("input[name=password]", DOOR_PASSWORD)
            page.click("form.form button[type=submit]")
            page.wait_for_url(lambda url: "/staff/login" not in url)
            page.goto(portal.url + DOOR)
            for kind in VERDICTS:
                page.evaluate("document.getElementById('arrival-verdict-area').replaceChildren()")
                page.fill("#code", codes[kind])
                page.press("#code", "Enter")
                verdict = page.locator(f".arrival-verdict--{kind}")
                verdict.wait_for()
                path = IMAGES / f"{kind.replace('_', '-')}.png"
                path.write_bytes(optimised_png(verdict.screenshot(animations="disabled")))
                print(f"{path.name}: {path.stat().st_size} bytes", file=sys.stderr)
            browser.close()


if __name__ == "__main__":
    main()
