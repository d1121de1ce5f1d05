"""Hostile input against every public form: random and malicious values, huge bodies, wrong encodings and types.

The forms are found by crawling the public pages of the portal with every
plugin, so a plugin's new form is fuzzed without changes here. No answer may
be a server error and no page, public or staff, may carry a submitted script.
The JSON lookup API is fuzzed against its OpenAPI description by the
appointments plugin's own tests (schemathesis); here it only meets wrong
content types and sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.config import DEFAULTS
from portal.extensions import limiter
from portal.testing import sign_in

MARKER = "pwn3d"
# Submitted values that would run as script if a page printed them unescaped.
SCRIPTS = [f"<script>alert('{MARKER}')</script>", f'"><img src=x onerror=alert("{MARKER}")>',
           f"<svg onload=alert('{MARKER}')>", f"javascript:alert('{MARKER}')"]
# Values that break careless code: format strings, templates, SQL, control and direction characters, sizes.
NASTY = SCRIPTS + ["%(name)s %s {0} {{7*7}} ${7*7} #{7*7}", "' OR '1'='1' --", "Robert'); DROP TABLE x;--",
                   "\x00", "a\x00b", "\u202egnp.exe\u202c", "\ufeff", "\ud7ff\ue000\uffff", "😀" * 50, "é" * 3000,
                   "../../../../etc/passwd", "line\r\nSet-Cookie: evil=1", "-1", "0", "99999999999999999999",
                   "2026-02-30", "31.13.2026", "NaN", "[]", "{}", "null", " " * 40, "A" * 10_000]
PLAIN_FORM = "application/x-www-form-urlencoded"
PUBLIC_PAGES_LIMIT = 60


@dataclass
class Form:
    """A form as a browser sees it: where it goes and what it sends."""

    page: str
    method: str
    action: str
    fields: dict[str, dict] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return self.method, self.action, tuple(sorted(self.fields))


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            action = urlsplit(urljoin(self.page, a.get("action") or self.page)).path
            self.forms.append(Form(self.page, (a.get("method") or "get").upper(), action))
        elif self.forms and tag in ("input", "textarea", "select") and a.get("name"):
            kind = a.get("type", "text") if tag == "input" else tag
            entry = self.forms[-1].fields.setdefault(a["name"], {"kind": kind, "options": [], "value": ""})
            if kind in ("radio", "checkbox"):
                entry["options"].append(a.get("value", "on"))
            else:
                entry["value"] = a.get("value", "")
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self.forms and self._select:
            self.forms[-1].fields[self._select]["options"].append(a.get("value", ""))


def parse(page: str, html: str) -> _FormParser:
    """Return the forms and links of a page."""
    parser = _FormParser(page)
    parser.feed(html)
    return parser


def crawl(client, start: str, prefix: str, limit: int,
          exclude: str = "/de/staff/") -> tuple[dict[str, str], list[Form]]:
    """Visit pages under prefix (not under exclude) reachable from start; return their HTML and their forms."""
    pages, forms, queue = {}, {}, [start]
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in pages:
            continue
        response = client.get(path)
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        parsed = parse(path, html)
        for form in parsed.forms:
            forms.setdefault(form.key, form)
        for link in parsed.links:
            parts = urlsplit(link)
            if not parts.netloc or parts.netloc == "localhost":
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                wanted = parts.path.startswith(prefix) and not (exclude and parts.path.startswith(exclude))
                if wanted and local not in pages:
                    queue.append(local)
    return pages, list(forms.values())


@pytest.fixture(scope="module")
def portal(make_app):
    """Yield the portal with every plugin and the demo content, so that every page has something to show."""
    from portal.plugins import call_each
    from portal.testing import empty_tables

    app = make_app(plugins=list(DEFAULTS["plugins"]))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        session = app.extensions["portal.db"].session
        list(call_each(app.extensions["portal.plugins"], "portal_demo_data", session=session))
        session.commit()
        session.remove()
    yield app
    empty_tables(app)
    with app.app_context():
        limiter.reset()


def distinct(portal, forms: list[Form]) -> list[Form]:
    """Keep one form per view and method (the same form on many pages is fuzzed once)."""
    adapter = portal.url_map.bind("localhost")
    kept = {}
    for form in forms:
        endpoint = adapter.match(form.action, method=form.method)[0]
        kept.setdefault((form.method, endpoint), form)
    return list(kept.values())


@pytest.fixture(scope="module")
def public_forms(portal) -> list[Form]:
    """Return the distinct forms of the public pages, and the staff login."""
    client = portal.test_client()
    _pages, forms = crawl(client, "/de/", "/de/", PUBLIC_PAGES_LIMIT)
    login = parse("/de/staff/login", client.get("/de/staff/login").get_data(as_text=True)).forms
    return distinct(portal, [form for form in forms if "/staff/" not in form.action] + login)


def token_of(client, form: Form) -> str | None:
    """Return the CSRF token the form's page gives this client, or None for a form without one."""
    if "csrf_token" not in form.fields:
        return None
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(form.page).get_data(as_text=True))
    return match.group(1)


def values_for(name: str, spec: dict) -> st.SearchStrategy[str]:
    """Return what a hostile visitor might send in one field: mostly malicious, sometimes a valid choice."""
    hostile = st.one_of(st.sampled_from(NASTY), st.text(max_size=200),
                        st.builds(lambda a, b: a + " " * 20 + b, st.sampled_from(NASTY), st.text(max_size=30)))
    if spec["options"]:
        return st.one_of(st.sampled_from(spec["options"]), hostile)
    return hostile


def assert_answered_sanely(response, what: str) -> None:
    """Fail on a server error or on a submitted script printed unescaped."""
    assert response.status_code < 500, f"{what}: {response.status_code}\n{response.get_data(as_text=True)[:2000]}"
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        for script in SCRIPTS[:3]:
            assert script not in body, f"{what}: the answer prints a submitted script unescaped"


def fuzz(portal, client, form: Form) -> None:
    """Send a form many hostile variants of its fields (some left out) and check every answer."""
    fuzzed = [name for name in form.fields if name != "csrf_token"]
    token = token_of(client, form)

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(st.fixed_dictionaries({name: values_for(name, form.fields[name]) for name in fuzzed}),
           st.sets(st.sampled_from(fuzzed or ["-"])))
    def submit(values, dropped):
        data = {name: value for name, value in values.items() if name not in dropped}
        if token:
            data["csrf_token"] = token
        with portal.app_context():
            limiter.reset()
        if form.method == "GET":
            response = client.get(f"{form.action}?{urlencode(data)}")
        else:
            response = client.post(form.action, data=data)
        assert_answered_sanely(response, f"{form.method} {form.action}")

    submit()


def test_fuzzing_every_public_form_gives_no_server_error_and_no_script(portal, public_forms):
    client = portal.test_client()
    forms = public_forms
    actions = {form.action for form in forms}
    # The crawl must have found the forms we know of; a plugin's new form joins by itself.
    assert {"/de/appointments/", "/de/emergency/", "/de/naturalisation/", "/de/staff/login"} <= actions, actions

    for form in forms:
        fuzz(portal, client, form)

    assert_no_page_shows_a_script(portal, client)


def admin_client(portal):
    """Return a test client of the portal signed in as a new administrator."""
    from portal.staff.auth import hash_password
    from portal.staff.models import StaffAccount
    from portal.testing import TEST_PASSWORD

    with portal.app_context():
        session = portal.extensions["portal.db"].session
        admin = StaffAccount(email=f"fuzz-{len(session.query(StaffAccount).all())}@amt.example",
                             display_name="Fuzz", role="admin", password_hash=hash_password(TEST_PASSWORD))
        session.add(admin)
        session.commit()
        session.remove()
    client = portal.test_client()
    sign_in(client, admin)
    return client


def assert_no_page_shows_a_script(portal, client) -> None:
    """Crawl the public pages and, as an administrator, the staff area: no submitted script may appear raw."""
    pages, _forms = crawl(client, "/de/", "/de/", PUBLIC_PAGES_LIMIT)
    staff_pages, _forms = crawl(admin_client(portal), "/de/staff/", "/de/staff/", 100, exclude="")
    for path, html in {**pages, **staff_pages}.items():
        for script in SCRIPTS[:3]:
            assert script not in html, f"{path} shows a submitted script unescaped"


@pytest.fixture(scope="module")
def post_forms(public_forms) -> list[Form]:
    """Return the public forms that are posted."""
    return [form for form in public_forms if form.method == "POST"]


def test_oversized_bodies_get_a_clear_413_page(portal, post_forms):
    client = portal.test_client()
    for form in post_forms:
        token = token_of(client, form) or ""
        big_field = client.post(form.action, data={"csrf_token": token, "x": "A" * 600_000})
        huge_body = client.post(form.action, data=b"x=" + b"A" * (21 * 1024 * 1024),
                                content_type=PLAIN_FORM)
        for response in (big_field, huge_body):
            assert response.status_code == 413, form.action
            page = response.get_data(as_text=True)
            assert "Zu viele Daten" in page and "mailto:" in page
    api = client.post("/de/appointments/api/v1/lookup", data=b"{" + b" " * (21 * 1024 * 1024) + b"}",
                      content_type="application/json", headers={"Accept": "application/json"})
    assert api.status_code == 413 and api.json["status"] == 413


WRONG_BODIES = [
    ("application/json", b'{"reference": "<script>", "csrf_token": 1}'),
    ("text/plain", b"reference=M-100001&day=1"),
    ("multipart/form-data; boundary=nothing-like-this", b"--other\r\nContent-Disposition: form-data\r\n\r\nx"),
    ("multipart/form-data", b"no boundary at all"),
    (PLAIN_FORM, b"reference=%FF%FE%00&day=%E0%80%80&month=%C0%AF&year=%"),
    (PLAIN_FORM + "; charset=iso-8859-1", "reference=M-100001&matter=Äöü".encode("latin-1")),
    (PLAIN_FORM, b"\xff\xfe\xfd=\x80\x81"),
    ("application/xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"),
    ("", b"\x00\x01\x02"),
]


@pytest.mark.parametrize("content_type, body", WRONG_BODIES, ids=[f"body{n}" for n in range(len(WRONG_BODIES))])
def test_wrong_encodings_and_content_types_get_clear_errors(portal, post_forms, content_type, body):
    client = portal.test_client()
    for form in post_forms:
        response = client.post(form.action, data=body, content_type=content_type or None)
        assert_answered_sanely(response, f"{content_type} to {form.action}")
        assert response.status_code in (400, 415, 422), f"{content_type} to {form.action}: {response.status_code}"
    api = client.post("/de/appointments/api/v1/lookup", data=body, content_type=content_type or None,
                      headers={"Accept": "application/json"})
    assert api.status_code in (400, 415, 422) and "message" in api.json


def upload_forms(client) -> list[Form]:
    """Return the staff area's forms with a file field."""
    _pages, forms = crawl(client, "/de/staff/", "/de/staff/", 100, exclude="")
    return [form for form in forms if any(spec["kind"] == "file" for spec in form.fields.values())]


def table_counts(portal) -> dict[str, int]:
    """Return the number of rows of every table but the staff's own."""
    from sqlalchemy import func, inspect, select

    from portal.db import Base

    with portal.app_context():
        session = portal.extensions["portal.db"].session
        # The metadata holds the models of every plugin this test process imported, not only this portal's.
        existing = set(inspect(session.get_bind()).get_table_names())
        counts = {table.name: session.scalar(select(func.count()).select_from(table))
                  for table in Base.metadata.sorted_tables
                  if table.name in existing and not table.name.startswith("staff_")}
        session.remove()
    return counts


HOSTILE_FILES = {
    "binary.csv": bytes(range(256)) * 40,
    "latin1.csv": "reference;birth_date\nM-1;01.01.1980\nÄ-2;02.02.1980\n".encode("latin-1"),
    "empty.csv": b"",
    "nul.csv": b"reference,birth_date\x00,service\nM-1\x00,1980-01-01,x\n",
    "one-long-line.csv": b"reference," + b"A" * 2_000_000 + b"\n",
    "quotes.csv": b'reference,birth_date\n"M-1,"1980\n"unterminated\n',
    "script.csv": f"reference,birth_date\n{SCRIPTS[0]},{SCRIPTS[1]}\n".encode(),
}


def test_hostile_uploads_change_nothing_and_get_clear_answers(portal):
    from io import BytesIO

    client = admin_client(portal)
    forms = upload_forms(client)
    assert forms, "the staff area offers CSV imports"
    before = table_counts(portal)
    for form in forms:
        token = token_of(client, form)
        file_field = next(name for name, spec in form.fields.items() if spec["kind"] == "file")
        for filename, content in HOSTILE_FILES.items():
            response = client.post(form.action, content_type="multipart/form-data", data={
                "csrf_token": token, file_field: (BytesIO(content), filename)})
            assert_answered_sanely(response, f"{filename} to {form.action}")
            assert response.status_code in (400, 422), f"{filename} to {form.action}: {response.status_code}"
        oversized = client.post(form.action, content_type="multipart/form-data", data={
            "csrf_token": token, file_field: (BytesIO(b"a" * (21 * 1024 * 1024)), "big.csv")})
        assert oversized.status_code == 413 and "Zu viele Daten" in oversized.get_data(as_text=True)
    after = table_counts(portal)
    assert {name: count for name, count in after.items() if not name.endswith("audit_log")} == \
        {name: count for name, count in before.items() if not name.endswith("audit_log")}


@pytest.mark.parametrize("method, path, kwargs", [
    ("GET", "/de/interpreters/glossary?q=a%00b", {}),
    ("GET", "/de/checklists/%00", {}),
    ("POST", "/de/emergency/", {"data": {"matter": "Bitte dringend melden\x00"}}),
    ("POST", "/de/appointments/api/v1/lookup", {"json": {"reference": "M-1\x00", "birth_date": "1980-01-01"}}),
])
def test_nul_characters_are_refused_with_a_clear_400(portal, method, path, kwargs):
    response = portal.test_client().open(path, method=method, **kwargs)
    assert response.status_code == 400
    assert "Die Anfrage war fehlerhaft" in response.get_data(as_text=True)


# Route parts and query values that broke views before: numbers beyond every integer type, dates at the
# calendar's ends, url_for's own option names, and the usual overlong, control and direction characters.
HOSTILE_NUMBERS = ["0", "-1", "2147483647", "2147483648", "9223372036854775808", "100000000000000000000",
                   "1180591620717411303424", "1e999", "NaN", "0x10", "١٢٣"]
HOSTILE_DATES = ["9999-12-31", "0001-01-01", "0000-00-00", "99999-01-01", "2026-02-30", "2026-1-1"]
HOSTILE_TEXTS = ["x", "A" * 5000, "é" * 300, "😀", "\u202egnp.exe", "..", "%2e%2e", "<x>", "a b", "POST", "1"]
HOSTILE_VALUES = HOSTILE_NUMBERS + HOSTILE_DATES + HOSTILE_TEXTS
# Query keys url_for takes as options, and the ones the portal's views read; keys of crawled links join them.
HOSTILE_KEYS = ["endpoint", "_method", "_external", "_anchor", "_scheme", "values", "lang", "page", "day", "q",
                "a", "b", "next", "v", "ref", "term", "location", "language", "bilingual", "filename", "plugin"]


def sample_urls(portal, client, prefix: str) -> dict[str, list[str]]:
    """Return, per endpoint, up to three real addresses found by crawling (so hostile queries meet real rows)."""
    pages, forms = crawl(client, prefix, prefix, 150, exclude="" if "/staff/" in prefix else "/de/staff/")
    adapter = portal.url_map.bind("localhost")
    found: dict[str, list[str]] = {}
    for path in pages:
        endpoint = adapter.match(urlsplit(path).path)[0]
        found.setdefault(endpoint, [])
        if len(found[endpoint]) < 3:
            found[endpoint].append(urlsplit(path).path)
    for form in forms:
        if form.method == "GET":
            HOSTILE_KEYS.extend(name for name in form.fields if name not in HOSTILE_KEYS)
    return found


def hostile_paths(rule, real: list[str]) -> list[str]:
    """Return addresses of a rule with each path part replaced by hostile values, plus the real ones."""
    from werkzeug.routing import AnyConverter, IntegerConverter

    def build(values: dict) -> str | None:
        try:
            return rule.build(values, append_unknown=False)[1]
        except Exception:  # a value the rule itself cannot carry is no address a client could send
            return None

    def plain(name: str) -> str:
        converter = rule._converters[name]
        return "de" if name == "lang" else min(converter.items) if isinstance(converter, AnyConverter) else "1"

    base = {name: plain(name) for name in rule.arguments}
    paths = list(real) or [build(base)]
    for name in rule.arguments - {"lang"}:
        integer = isinstance(rule._converters[name], IntegerConverter)
        values = HOSTILE_NUMBERS if integer else HOSTILE_VALUES
        for value in values:
            path = build({**base, name: value}) if not integer else build(base)
            if integer and path is not None:
                # The converter refuses these before the view sees them; send them raw anyway.
                path = path.replace("/1", f"/{value}", 1) if f"/{base[name]}" in path else None
            paths.append(path)
    return [path for path in dict.fromkeys(paths) if path]


def hostile_queries() -> list[str]:
    """Return query strings in which every key meets every hostile value once, in shifting combinations."""
    count = len(HOSTILE_VALUES)
    queries = [urlencode({key: HOSTILE_VALUES[(shift + n) % count] for n, key in enumerate(HOSTILE_KEYS)})
               for shift in range(count)]
    return queries + ["_external=1&_scheme=https", "page=1&page=100000000000000000000", "%ff=%fe"]


def fuzz_routes(portal, client, real: dict[str, list[str]], staff: bool) -> int:
    """Send every GET route of one area hostile path parts, and its first address hostile queries; return the count."""
    sent = 0
    for rule in portal.url_map.iter_rules():
        if rule.rule.startswith("/<lang:lang>/staff") != staff or "GET" not in rule.methods:
            continue
        with portal.app_context():
            limiter.reset()
        paths = hostile_paths(rule, real.get(rule.endpoint, []))
        for address in paths + [f"{paths[0]}?{query}" for query in hostile_queries()]:
            response = client.get(address)
            assert response.status_code < 500, f"GET {address}: {response.status_code}"
            sent += 1
    return sent


def test_fuzzing_every_public_route_path_and_query_gives_no_server_error(portal):
    client = portal.test_client()
    real = sample_urls(portal, client, "/de/")
    assert fuzz_routes(portal, client, real, staff=False) > 1000


def test_fuzzing_every_staff_route_path_and_query_gives_no_server_error(portal):
    client = admin_client(portal)
    real = sample_urls(portal, client, "/de/staff/")
    assert fuzz_routes(portal, client, real, staff=True) > 1000
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get("/de/staff/accounts").get_data(as_text=True)).group(1)
    for rule in portal.url_map.iter_rules():
        if "POST" not in rule.methods or not rule.arguments - {"lang"}:
            continue
        for path in hostile_paths(rule, []):
            response = client.post(path, data={"csrf_token": token})
            assert response.status_code < 500, f"POST {path}: {response.status_code}"


@pytest.mark.parametrize("query", ["endpoint=x", "_method=POST", "_external=1", "_anchor=x", "_scheme=ftp",
                                   "values=x", "lang=ar", "slug=other"])
def test_query_keys_never_reach_url_for_and_language_links_keep_the_query(portal, query):
    client = portal.test_client()
    for path in ("/de/", "/de/checklists/", "/de/notices/", "/de/appointments/", "/de/interpreters/glossary"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, f"{path}?{query}"
        page = response.get_data(as_text=True)
        assert f'hreflang="tr" href="http://localhost{path.replace("/de/", "/tr/", 1)}?{query}"' in page
        assert "http://localhosthttp" not in page


def test_a_failing_error_page_still_answers_with_the_emergency_contact(portal, monkeypatch):
    from portal import templating

    app = portal

    def broken():
        raise RuntimeError("language links unavailable")

    monkeypatch.setattr(templating, "_address_in_languages", broken)
    response = app.test_client().get("/de/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Seite nicht gefunden" in page and 'href="mailto:notfall@musterstadt.example"' in page


def test_json_nested_too_deep_gets_the_promised_400(portal):
    client = portal.test_client()
    for depth in (1_000, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post("/de/appointments/api/v1/lookup", data=body, content_type="application/json",
                               headers={"Accept": "application/json"})
        assert response.status_code == 400 and response.json["status"] == 400, depth
    nested = {"reference": "M-100001", "birth_date": "1980-01-01", "x": [[[[["a\x00"]]]]]}
    deep = client.post("/de/appointments/api/v1/lookup", json=nested, headers={"Accept": "application/json"})
    assert deep.status_code == 400


@pytest.mark.parametrize("path", ["/de/notices/1180591620717411303424", "/de/notices/9223372036854775808",
                                  "/de/notices/2147483648"])
def test_ids_beyond_the_database_range_are_not_found(portal, path):
    assert portal.test_client().get(path).status_code == 404


def test_out_of_range_numbers_and_days_in_staff_queries_show_the_page(portal):
    client = admin_client(portal)
    assert client.get("/de/staff/appointments/day?day=9999-12-31").status_code == 200
    # A year before 1000 is a typing error (staff's CSV files refuse it too): named, and today shown.
    response = client.get("/de/staff/appointments/day?day=0001-01-01")
    assert response.status_code == 422 and "zum Beispiel 31.07.2026" in response.get_data(as_text=True)
    # A page number no list can reach is a page that is not there, as for any other missing page.
    for address in ("/de/staff/appointments/?page=100000000000000000000", "/de/staff/audit?page=100000000000000000000",
                    "/de/staff/emergency/?page=-100000000000000000000",
                    "/de/staff/appointments/9223372036854775808", "/de/staff/notices/18446744073709551616/delete"):
        assert client.get(address).status_code == 404, address


def test_an_overflowing_year_in_the_lookup_gets_a_clear_message(portal):
    client = portal.test_client()
    form = Form("/de/appointments/", "POST", "/de/appointments/", {"csrf_token": {}})
    response = client.post("/de/appointments/", data={
        "csrf_token": token_of(client, form), "reference": "M-100001", "day": "1", "month": "1",
        "year": "99999999999999999999"})
    assert response.status_code == 422
    assert "Dieses Datum gibt es nicht" in response.get_data(as_text=True)


def test_an_upload_whose_file_name_holds_a_nul_is_refused(portal):
    from io import BytesIO

    client = admin_client(portal)
    # Found first: the crawl downloads the mail-merge export, which the audit log records.
    forms = upload_forms(client)
    before = table_counts(portal)
    for form in forms:
        file_field = next(name for name, spec in form.fields.items() if spec["kind"] == "file")
        response = client.post(form.action, content_type="multipart/form-data", data={
            "csrf_token": token_of(client, form), file_field: (BytesIO(b"reference\nM-1\n"), "a\x00b.csv")})
        assert response.status_code == 400, form.action
    assert table_counts(portal) == before


def test_big_multipart_bodies_are_read_only_by_the_import_views(portal, post_forms):
    from io import BytesIO

    client = portal.test_client()
    two_megabytes = b"a" * (2 * 1024 * 1024)
    for form in post_forms:
        response = client.post(form.action, content_type="multipart/form-data", data={
            "csrf_token": token_of(client, form) or "", "x": (BytesIO(two_megabytes), "big.csv")})
        assert response.status_code == 413 and "Zu viele Daten" in response.get_data(as_text=True), form.action
    staff = admin_client(portal)
    for form in upload_forms(staff):
        file_field = next(name for name, spec in form.fields.items() if spec["kind"] == "file")
        response = staff.post(form.action, content_type="multipart/form-data", data={
            "csrf_token": token_of(staff, form), file_field: (BytesIO(two_megabytes), "big.csv")})
        assert response.status_code == 422, form.action
