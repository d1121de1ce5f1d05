"""Plain HTTP the way a phone's browser does it: cookies, CSRF tokens, compressed answers, sizes on the wire."""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36",
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "de-DE,de;q=0.9",
}


@dataclass
class Answer:
    """One response as it came over the wire."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes
    wire_bytes: int

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)


class Browser:
    """A client with one cookie jar for one loopback server."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        if parts.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError("only loopback servers are visited")
        self.base_url = base_url
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                compressed: bool = False) -> Answer:
        """Send one request; the body stays as sent (compressed when asked and offered)."""
        all_headers = dict(BROWSER_HEADERS) if compressed else {
            k: v for k, v in BROWSER_HEADERS.items() if k != "Accept-Encoding"}
        if self.cookies:
            all_headers["Cookie"] = self.cookie_header()
        all_headers.update(headers or {})
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        head = f"HTTP/1.1 {response.status} {response.reason}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in response.headers.items()) + "\r\n"
        return Answer(response.status, response.headers, data, len(head.encode("latin-1")) + len(data))

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post_json(self, path: str, payload) -> Answer:
        return self.request("POST", path, body=json.dumps(payload).encode(),
                            headers={"Content-Type": "application/json", "Accept": "application/json"})

    def csrf_token(self, path: str) -> str:
        """Load a form page and return its CSRF token."""
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path).text)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)


class _Subresources(HTMLParser):
    """Collect what a browser fetches to show a page: stylesheets, scripts, images, icons and icon sprites."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") in {"stylesheet", "icon", "preload", "modulepreload"}:
            self.urls.append(attributes.get("href"))
        elif tag in {"script", "img", "source", "video", "audio"} and attributes.get("src"):
            self.urls.append(attributes["src"])
        elif tag == "use" and attributes.get("href", "").partition("#")[0]:
            self.urls.append(attributes["href"].partition("#")[0])


def subresources(page_url: str, html: str) -> list[str]:
    """Return the same-site addresses a page loads, without duplicates, in document order."""
    parser = _Subresources()
    parser.feed(html)
    found = []
    for url in parser.urls:
        absolute = urljoin(page_url, url or "")
        if url and absolute not in found:
            found.append(absolute)
    return found


def stylesheet_references(css_url: str, css: str) -> list[str]:
    """Return the addresses a stylesheet loads through url(), except inline data."""
    found = []
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css):
        if not url.startswith("data:") and urljoin(css_url, url) not in found:
            found.append(urljoin(css_url, url))
    return found


def links(html: str, prefix: str) -> list[str]:
    """Return the addresses of links that start with prefix."""
    return [href for href in re.findall(r'href="([^"#?]+)"', html) if href.startswith(prefix)]
