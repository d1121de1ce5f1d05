"""The MDN HTTP Observatory's rules, checked here: the portal as served per docs/deployment.md grades A+.

The npm scanner (@mdn/mdn-http-observatory) only scans public hosts over the
internet, so its tests are restated below with its score modifiers (version
1.4, src/analyzer/tests and src/grader/charts.js). The portal runs with
https = true and behind_proxy = true behind the reverse proxy of
docs/deployment.md, which answers plain HTTP with a redirect to HTTPS.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.http import parse_set_header

DEPLOYMENT_GUIDE = Path(__file__).resolve().parent.parent / "docs" / "deployment.md"
HOST = "portal.example"
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": HOST, "X-Forwarded-For": "203.0.113.7",
                 "Origin": "https://attacker.example"}
BROAD = {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
BROAD_OR_INLINE = BROAD | {"'unsafe-inline'", "data:"}
PRIVATE_REFERRERS = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
SIX_MONTHS = 15_552_000


def parse_csp(header: str) -> dict[str, set[str]]:
    policy: dict[str, set[str]] = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            policy.setdefault(tokens[0].lower(), {token for token in tokens[1:]})
    return policy


def csp_modifier(headers) -> tuple[int, str]:
    if "Content-Security-Policy" not in headers:
        return -25, "no CSP"
    csp = parse_csp(headers["Content-Security-Policy"])
    default = csp.get("default-src")
    script = csp.get("script-src", default) or {"*"}
    style = csp.get("style-src", default) or {"*"}
    objects = csp.get("object-src", default) or {"*"}
    active = [source for name, sources in csp.items() if name not in ("img-src", "media-src") for source in sources]
    passive = [source for name in ("img-src", "media-src") for source in csp.get(name, default or set())]
    if script & BROAD_OR_INLINE or objects & BROAD:
        return -20, "unsafe-inline, data: or a broad source for scripts or objects"
    if any(source.startswith(("http:", "ftp:")) for source in active):
        return -20, "active content over http"
    if "'unsafe-eval'" in script | style:
        return -10, "unsafe-eval"
    if any(source.startswith(("http:", "ftp:")) for source in passive):
        return -10, "images or media over http"
    if style & BROAD_OR_INLINE:
        return 0, "unsafe styles"
    if default == {"'none'"}:
        return 10, "default-src 'none'"
    return 5, "CSP without unsafe sources"


def cookie_modifier(set_cookies: list[str]) -> tuple[int, str]:
    if not set_cookies:
        return 0, "no cookies"
    samesite_everywhere = True
    for raw in set_cookies:
        name = raw.split("=", 1)[0].strip().lower()
        attributes = {part.strip().split("=")[0].lower(): part.strip() for part in raw.split(";")[1:]}
        samesite = attributes.get("samesite", "").partition("=")[2].lower()
        session_like = "sess" in name or "login" in name
        if samesite and samesite not in ("strict", "lax", "none"):
            return -20, f"{name}: invalid SameSite"
        if session_like and "secure" not in attributes:
            return -40, f"{name}: session cookie without Secure"
        if session_like and "httponly" not in attributes:
            return -30, f"{name}: session cookie without HttpOnly"
        if "csrf" in name and not samesite:
            return -20, f"{name}: anti-CSRF cookie without SameSite"
        if "secure" not in attributes:
            return -20, f"{name}: cookie without Secure"
        samesite_everywhere &= bool(samesite)
    return (5, "secure cookies with SameSite") if samesite_everywhere else (0, "secure cookies")


def cors_modifier(headers) -> tuple[int, str]:
    allowed = headers.get("Access-Control-Allow-Origin")
    if allowed and allowed != "*" and "attacker.example" in allowed \
            and headers.get("Access-Control-Allow-Credentials", "").lower() == "true":
        return -50, "any origin may read answers with credentials"
    return 0, "no universal CORS"


def referrer_modifier(headers) -> tuple[int, str]:
    values = [value.strip().lower() for value in headers.get("Referrer-Policy", "").split(",") if value.strip()]
    if not values:
        return 0, "no Referrer-Policy"
    return (5, "private Referrer-Policy") if values[-1] in PRIVATE_REFERRERS else (-5, "leaky Referrer-Policy")


def hsts_modifier(headers) -> tuple[int, str]:
    match = re.search(r"max-age=(\d+)", headers.get("Strict-Transport-Security", ""))
    if not match:
        return -20, "no HSTS"
    return (0, "HSTS for six months or more") if int(match.group(1)) >= SIX_MONTHS else (-10, "short HSTS")


def sri_modifier(html: str) -> tuple[int, str]:
    for tag in re.findall(r"<script\b[^>]*>", html):
        source = re.search(r'src="([^"]+)"', tag)
        if source and urlsplit(source.group(1)).netloc not in ("", HOST) and "integrity=" not in tag:
            return (-5, "external script without integrity") if source.group(1).startswith("https:") \
                else (-50, "external script over http")
    return 0, "scripts only from this site"


def nosniff_modifier(headers) -> tuple[int, str]:
    return (0, "nosniff") if headers.get("X-Content-Type-Options", "").lower() == "nosniff" else (-5, "sniffing")


def framing_modifier(headers) -> tuple[int, str]:
    ancestors = parse_csp(headers.get("Content-Security-Policy", "")).get("frame-ancestors")
    if ancestors is not None and not ancestors & BROAD:
        return 5, "frame-ancestors in CSP"
    if headers.get("X-Frame-Options", "").upper() in ("DENY", "SAMEORIGIN"):
        return 0, "X-Frame-Options"
    return -20, "no protection from framing"


def corp_modifier(headers) -> tuple[int, str]:
    value = headers.get("Cross-Origin-Resource-Policy", "").lower()
    if not value:
        return 0, "no CORP"
    return {"same-origin": (10, "CORP same-origin"), "same-site": (10, "CORP same-site"),
            "cross-origin": (0, "CORP cross-origin")}.get(value, (-5, "invalid CORP"))


def grade(headers, set_cookies: list[str], html: str) -> tuple[int, str, dict]:
    """Return score, grade and the modifier of each test, as the Observatory computes them."""
    results = {"content-security-policy": csp_modifier(headers), "cookies": cookie_modifier(set_cookies),
               "cross-origin-resource-sharing": cors_modifier(headers), "redirection": (0, "by the proxy"),
               "referrer-policy": referrer_modifier(headers), "strict-transport-security": hsts_modifier(headers),
               "subresource-integrity": sri_modifier(html), "x-content-type-options": nosniff_modifier(headers),
               "x-frame-options": framing_modifier(headers), "cross-origin-resource-policy": corp_modifier(headers)}
    penalties = 100 + sum(modifier for modifier, _ in results.values() if modifier < 0)
    score = 100 + sum(modifier for modifier, _ in results.values()) if penalties >= 90 else penalties
    letter = "A+" if score >= 100 else "A" if score >= 90 else "A-" if score >= 85 else "below A-"
    return score, letter, results


@pytest.fixture
def deployed(make_app):
    """The portal with every plugin, configured as docs/deployment.md says."""
    from portal.config import DEFAULTS

    return make_app(plugins=list(DEFAULTS["plugins"]), https=True, behind_proxy=True, trusted_hosts=[HOST])


@pytest.mark.parametrize("path", ["/", "/de/appointments/", "/de/emergency/", "/de/staff/login",
                                  "/de/checklists/", "/de/no-such-page"])
def test_served_as_deployed_the_portal_grades_a_plus(deployed, path):
    client = deployed.test_client()
    response = client.get(path, base_url=f"http://{HOST}", headers=PROXY_HEADERS, follow_redirects=True)
    set_cookies = [value for history in (*response.history, response)
                   for value in history.headers.getlist("Set-Cookie")]
    score, letter, results = grade(response.headers, set_cookies, response.get_data(as_text=True))
    assert letter == "A+", f"{path}: {score} {results}"
    assert results["content-security-policy"][0] > 0 and results["cookies"][0] >= 0
    assert "X-XSS-Protection" not in response.headers, "the header is obsolete and can open holes in old browsers"
    for cookie in set_cookies:
        if cookie.startswith("__Host-"):
            assert "Secure" in cookie and "Path=/" in cookie and "Domain=" not in cookie


def test_a_form_page_sets_the_session_cookie_hardened(deployed):
    response = deployed.test_client().get("/de/staff/login", base_url=f"http://{HOST}", headers=PROXY_HEADERS)
    session = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("__Host-portal="))
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= {part.strip() for part in session.split(";")}
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert "nosniff" == response.headers["X-Content-Type-Options"]
    assert "Accept-Encoding" in parse_set_header(response.headers["Vary"])


def test_the_grader_fails_weak_headers():
    weak = {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'",
            "X-Frame-Options": "DENY"}
    score, letter, results = grade(weak, ["portal_session=abc; Path=/"], '<script src="http://cdn.example/x.js"></script>')
    assert letter == "below A-" and score < 50
    assert results["content-security-policy"][0] == -20 and results["cookies"][0] == -40
    assert results["strict-transport-security"][0] == -20


def test_the_deployment_guide_redirects_plain_http_to_https():
    guide = DEPLOYMENT_GUIDE.read_text(encoding="utf-8")
    assert re.search(r"listen 80;.*?return 301 https://\$host\$request_uri;", guide, re.S)
    assert "https = true" in guide and "behind_proxy = true" in guide


def test_the_deployment_guide_refuses_other_hosts_and_hides_versions():
    guide = DEPLOYMENT_GUIDE.read_text(encoding="utf-8")
    nginx = re.search(r"```nginx\n(.*?)```", guide, re.S).group(1)
    assert re.search(r"^server_tokens off;", nginx, re.M)
    refusing = re.search(r"server \{\n(?:\s*listen [^\n]*default_server;\n)+(.*?)\n\}", nginx, re.S)
    assert refusing and "return 400;" in refusing.group(1) and "server_name" not in refusing.group(1)
    assert {"listen 80 default_server;", "listen 443 ssl http2 default_server;"} <= set(
        line.strip() for line in refusing.group(0).splitlines())
    assert re.search(r'^trusted_hosts = \["termine\.stadt\.example"\]', guide, re.M)
