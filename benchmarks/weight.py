"""Page weight: bytes on the wire for a first and a repeat visit, as a phone's browser fetches them.

Web fonts are listed apart (fonts_on_demand_kib): a browser fetches one only to draw text in it. The portal's only
one, the Ethiopic subset, is fetched when Tigrinya text shows (a Tigrinya page, the opened language list) on a phone
without a Ge'ez font of its own.
"""

from __future__ import annotations

import re

from .browser import Browser, stylesheet_references, subresources

ONE_YEAR = 365 * 24 * 3600
GOALS = {"first_visit_kib": 40, "repeat_visit_kib": 6}


def cached_for_a_year(cache_control: str) -> bool:
    """Tell whether a browser may reuse the answer for a year without asking again."""
    match = re.search(r"max-age=(\d+)", cache_control or "")
    return bool(match) and int(match.group(1)) >= ONE_YEAR and "no-store" not in cache_control


def visit(browser: Browser, path: str) -> dict:
    """Fetch a page and everything it loads; return the bytes of a first and of a repeat visit."""
    page = browser.get(path, compressed=True)
    if page.status != 200:
        raise RuntimeError(f"{path} answered {page.status}")
    page_url = f"{browser.base_url}{path}"
    html = Browser(browser.base_url).get(path).text if page.headers.get("Content-Encoding") else page.text
    queue = subresources(page_url, html)
    files = [{"url": path, "bytes": page.wire_bytes, "encoding": page.headers.get("Content-Encoding", "identity"),
              "cache_control": page.headers.get("Cache-Control", ""), "reused": False, "on_demand": False}]
    fonts: list[str] = []
    while queue:
        url = queue.pop(0)
        local = url.removeprefix(browser.base_url)
        if local == url:
            raise RuntimeError(f"{path} loads {url} from another site")
        answer = browser.get(local, compressed=True)
        cache_control = answer.headers.get("Cache-Control", "")
        files.append({"url": local, "bytes": answer.wire_bytes, "status": answer.status,
                      "encoding": answer.headers.get("Content-Encoding", "identity"), "cache_control": cache_control,
                      "reused": cached_for_a_year(cache_control), "on_demand": url in fonts})
        if answer.headers.get_content_type() == "text/css":
            plain = Browser(browser.base_url).get(local).text
            fonts += font_face_sources(url, plain)
            queue += [ref for ref in stylesheet_references(url, plain) if ref not in queue]
    loaded = [item for item in files if not item["on_demand"]]
    first = sum(item["bytes"] for item in loaded)
    # A repeat visit asks for the page again with the cookies the first one set (the page's own Set-Cookie headers
    # of a first visit are not sent again) and takes from the cache what it may keep for a year.
    again = browser.get(path, compressed=True)
    repeat = again.wire_bytes + sum(item["bytes"] for item in loaded[1:] if not item["reused"])
    return {"first_visit_bytes": first, "repeat_visit_bytes": repeat, "repeat_page_bytes": again.wire_bytes,
            "first_visit_kib": round(first / 1024, 1), "repeat_visit_kib": round(repeat / 1024, 1),
            "fonts_on_demand_kib": round(sum(item["bytes"] for item in files if item["on_demand"]) / 1024, 1),
            "goals_met": first / 1024 < GOALS["first_visit_kib"] and repeat / 1024 < GOALS["repeat_visit_kib"],
            "files": files}


def font_face_sources(css_url: str, css: str) -> list[str]:
    """Return the web fonts a stylesheet declares: a browser fetches one only for text drawn in it."""
    return [url for block in re.findall(r"@font-face\s*{[^}]*}", css) for url in stylesheet_references(css_url, block)]


def measure(base_url: str, pages: dict[str, str]) -> dict:
    """Return first and repeat visit weights of named pages (each visit starts with an empty cache)."""
    return {"goals": GOALS} | {name: visit(Browser(base_url), path) for name, path in pages.items()}
