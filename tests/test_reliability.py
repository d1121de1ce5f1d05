"""The portal as deployed: gunicorn processes sharing database and Redis, under load and through outages.

Outages of the database, of Redis and of the mail server are each cut and
restored while the processes run. Every server here listens on loopback only
and is stopped by its own process group. The processes use the test database
of the pass (SQLite or PostgreSQL); Redis is database 5 of the local server
unless PORTAL_TEST_REDIS_URL names another, and it is emptied before and
after each test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy.engine import make_url

from portal.config import DEFAULTS
from portal.testing import TEST_PASSWORD, SmtpServer, free_port, require_tool
from tests.support import AppProcess, DatabaseOutage, TcpProxy

pytestmark = pytest.mark.slow

ALL_PLUGINS = list(DEFAULTS["plugins"])
SECRET_KEY = "test-secret-key"
EMERGENCY_EMAIL = DEFAULTS["office"]["emergency_email"]
# Known appointments (reference, date of birth) imported through the plugin's own command.
APPOINTMENTS = [(f"R-{number:05d}", f"19{50 + number % 50}-0{1 + number % 9}-1{number % 10}") for number in range(40)]


@pytest.fixture(scope="module")
def portal_app(make_app):
    """Return the portal with every plugin, migrated in the pass's test database (the processes share it)."""
    return make_app(plugins=ALL_PLUGINS)


@pytest.fixture
def settings(portal_app, database_url):
    """Yield the settings every app process of a test gets, and empty the tables afterwards."""
    from portal.testing import empty_tables

    yield {"database_url": database_url, "secret_key": SECRET_KEY, "plugins": ALL_PLUGINS}
    empty_tables(portal_app)



@pytest.fixture
def processes(tmp_path):
    """Yield a function that starts app processes, and stop every one of them after the test."""
    started: list[AppProcess] = []

    def start(settings: dict, name: str, workers: int = 2) -> AppProcess:
        process = AppProcess(tmp_path / name, settings, workers=workers)
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.stop()


def form_token(html: str) -> str:
    """Return the CSRF token of a page's forms."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def sign_in(browser: requests.Session, base_url: str, email: str, password: str = TEST_PASSWORD):
    """Post the staff login form and return the answer (not followed)."""
    token = form_token(browser.get(f"{base_url}/de/staff/login").text)
    return browser.post(f"{base_url}/de/staff/login", data={"email": email, "password": password,
                                                            "csrf_token": token}, allow_redirects=False)


def asset_addresses(html: str) -> list[str]:
    """Return the addresses of the static files a page loads, sorted."""
    return sorted(re.findall(r'(?:href|src)="(/(?:static|theme\.css)[^"]+)"', html))


def test_two_processes_share_sessions_rate_limits_and_data(settings, redis_url, processes, make_staff):
    shared = settings | {"ratelimit_storage_url": redis_url}
    first, second = processes(shared, "first"), processes(shared, "second")
    admin = make_staff("admin")

    browser = requests.Session()
    assert sign_in(browser, first.url, admin.email).status_code == 302
    dashboard = browser.get(f"{second.url}/de/staff/", allow_redirects=False)
    assert dashboard.status_code == 200, "a staff session begun on one process must hold on the other"

    # An account made through one process is listed at once by the other: nothing is cached per process.
    token = form_token(browser.get(f"{first.url}/de/staff/accounts").text)
    created = browser.post(f"{first.url}/de/staff/accounts", allow_redirects=False, data={
        "csrf_token": token, "email": "neu.kollegin@amt.example", "display_name": "Neue Kollegin",
        "role": "editor", "password": "Lange-sichere-Passphrase-7"})
    assert created.status_code == 302
    assert "neu.kollegin@amt.example" in browser.get(f"{second.url}/de/staff/accounts").text

    # Static files carry the same fingerprints everywhere, so a page from one process finds its files on the other.
    home_first, home_second = browser.get(f"{first.url}/de/").text, browser.get(f"{second.url}/de/").text
    assert asset_addresses(home_first) == asset_addresses(home_second) != []
    for address in asset_addresses(home_first):
        assert browser.get(first.url + address).content == browser.get(second.url + address).content

    # Logging out on one process ends the session on both.
    token = form_token(dashboard.text)
    assert browser.post(f"{second.url}/de/staff/logout", data={"csrf_token": token},
                        allow_redirects=False).status_code == 302
    assert browser.get(f"{first.url}/de/staff/", allow_redirects=False).status_code == 302

    # Failed logins for one account are counted once across both processes: the sixth is refused.
    statuses = [sign_in(requests.Session(), process.url, admin.email, "falsches-Passwort-123").status_code
                for process in (first, second) * 3]
    assert statuses == [422] * 5 + [429]
    assert sign_in(requests.Session(), first.url, admin.email).status_code == 429


@pytest.mark.parametrize("shared_by", ["redis", "database"])
def test_a_staff_edit_on_one_process_shows_on_the_next_page_of_another(settings, redis_url, processes, make_staff,
                                                                       shared_by):
    """Both processes keep the home page for anonymous visitors; the content version they share ends it."""
    shared = settings | ({"ratelimit_storage_url": redis_url} if shared_by == "redis" else {})
    first, second = processes(shared, "first"), processes(shared, "second")
    visitor = requests.Session()
    for _ in range(4):  # every worker of the second process keeps the page
        assert "Zweigstelle eröffnet" not in visitor.get(f"{second.url}/de/").text
    editor = requests.Session()
    assert sign_in(editor, first.url, make_staff("editor").email).status_code == 302
    token = form_token(editor.get(f"{first.url}/de/staff/notices/new").text)
    created = editor.post(f"{first.url}/de/staff/notices/new", allow_redirects=False, data={
        "csrf_token": token, "category": "location", "priority": "normal", "starts_at": "2026-01-05T08:00",
        "ends_at": "", "titles-de": "Zweigstelle eröffnet", "bodies-de": "Am Markt 3.", "action": "publish"})
    assert created.status_code == 302
    assert "Zweigstelle eröffnet" in visitor.get(f"{second.url}/de/").text
    assert "Zweigstelle eröffnet" in requests.get(f"{second.url}/de/", timeout=30).text


def test_a_pass_shows_and_opens_alike_on_every_app_server(settings, processes):
    """The signing keys are the installation's, not one server's: each server has an instance folder of its own."""
    first, second = processes(settings, "first"), processes(settings, "second")
    install_content(first)  # the import on the first server makes the first key
    keys = [requests.get(f"{server.url}/de/arrival/keys.json", timeout=30).json()["keys"] for server in (first, second)]
    assert keys[0] == keys[1] and len(keys[0]) == 1
    reference, born = APPOINTMENTS[0]
    found = requests.post(f"{second.url}/de/appointments/api/v1/lookup", timeout=30,
                          json={"reference": reference, "birth_date": born}, headers={"Accept": "application/json"})
    result = requests.get(found.json()["print_url"], timeout=30).text
    assert "Ihre Einlasskarte für den Eingang" in result
    path = re.search(r'href="[^"]*(/de/arrival/p/[^"]+)"', result).group(1)
    for server in (first, second):
        page = requests.get(server.url + path, timeout=30)
        assert page.status_code == 200 and "nicht gültig" not in page.text


def install_content(process: AppProcess) -> None:
    """Load the shipped checklists and import the known appointments, with the commands an installation uses."""
    process.flask("checklists", "load-defaults")
    lines = ["reference,birth_date,service,status,date,time,building,room,persons"]
    day = time.strftime("%Y-%m-%d", time.localtime(time.time() + 7 * 86400))
    lines += [f"{ref},{born},residence-permit-extension,scheduled,{day},09:30,Wacker Hof,2.14,1"
              for ref, born in APPOINTMENTS]
    export = process.instance / "export.csv"
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    process.flask("appointments", "import", str(export))


LOAD_SCRIPT = r"""
local specs = %(specs)s
local index = 0
local threads = {}
statuses = {}
sent = 0
mistyped = 0
function setup(thread) table.insert(threads, thread) end
function request()
  index = index %% #specs + 1
  local spec = specs[index]
  sent = sent + 1
  if spec[5] then mistyped = mistyped + 1 end
  return wrk.format(spec[1], spec[2], spec[3], spec[4])
end
function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary)
  local merged, parts, total_sent, total_mistyped = {}, {}, 0, 0
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do merged[code] = (merged[code] or 0) + count end
    total_sent = total_sent + thread:get("sent")
    total_mistyped = total_mistyped + thread:get("mistyped")
  end
  for code, count in pairs(merged) do table.insert(parts, string.format('"%%d": %%d', code, count)) end
  local e = summary.errors
  io.write(string.format('RESULT {"sent": %%d, "mistyped": %%d, "socket_errors": %%d, "statuses": {%%s}}\n',
    total_sent, total_mistyped, e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""
ADDRESS_LIMIT = 30  # the appointments plugin's default: 30 failed lookups per address in 10 minutes


def lua_request(method: str, path: str, headers: dict, body: str | None = None, mistyped: bool = False) -> str:
    header_table = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
    body_value = json.dumps(body) if body else "nil"
    return f"{{{json.dumps(method)}, {json.dumps(path)}, {{{header_table}}}, {body_value}, {str(mistyped).lower()}}}"


def test_load_of_pages_and_lookups_from_64_connections_gives_no_errors(settings, processes):
    require_tool(shutil.which("wrk"), "wrk is not installed (apt-get install wrk)")
    # Behind the proxy every visitor has an address of their own; the mistyped lookups all come from one.
    process = processes(settings | {"behind_proxy": True}, "load")
    install_content(process)
    visitor = {"Accept-Encoding": "gzip", "Accept-Language": "de"}
    pages = ["/de/", "/de/appointments/", "/de/checklists/", "/de/checklists/residence-permit-extension",
             "/de/notices/", "/de/emergency/", "/de/interpreters/", "/de/accessibility", "/de/staff/login"]
    pages += re.findall(r'(?:href|src)="(/static/[^"]+)"', requests.get(f"{process.url}/de/").text)
    specs = []
    for number, (ref, born) in enumerate(APPOINTMENTS):
        address = {"X-Forwarded-For": f"10.0.{number // 200}.{number % 200 + 1}"}
        json_body = visitor | {"Content-Type": "application/json"}
        specs.append(lua_request("POST", "/de/appointments/api/v1/lookup", json_body | {"X-Forwarded-For": "10.9.9.9"},
                                 json.dumps({"reference": ref, "birth_date": "2001-01-01"}), mistyped=True))
        specs.append(lua_request("GET", pages[number % len(pages)], visitor | address))
        specs.append(lua_request("POST", "/de/appointments/api/v1/lookup", json_body | address,
                                 json.dumps({"reference": ref, "birth_date": born})))
        specs.append(lua_request("GET", pages[(number + 1) % len(pages)], visitor | address))
    with tempfile.TemporaryDirectory(prefix="portal-load-") as folder:
        script = Path(folder) / "load.lua"
        script.write_text(LOAD_SCRIPT % {"specs": "{\n" + ",\n".join(specs) + "\n}"}, encoding="utf-8")
        completed = subprocess.run(["wrk", "-t2", "-c64", "-d5s", "--timeout", "10s", "-s", str(script), process.url],
                                   capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(next(line for line in completed.stdout.splitlines()
                             if line.startswith("RESULT ")).removeprefix("RESULT "))
    statuses = {int(code): count for code, count in result["statuses"].items()}
    answered = sum(statuses.values())
    assert result["socket_errors"] == 0, completed.stdout
    assert answered > 0 and set(statuses) <= {200, 404, 429}, statuses
    # Only mistyped lookups answer 404, and only until the address has used up its tries in each of two workers;
    # every later one is refused (those still on the way when wrk stopped are not answered).
    assert statuses.get(404, 0) <= 2 * ADDRESS_LIMIT
    unanswered = result["sent"] - answered
    assert statuses.get(429, 0) >= result["mistyped"] - unanswered - 2 * ADDRESS_LIMIT
    assert "Traceback" not in process.log()


def get(url: str, **kwargs) -> requests.Response:
    return requests.get(url, allow_redirects=False, timeout=30, **kwargs)


def test_database_outage_answers_503_where_needed_and_recovers_without_restart(settings, database_url, tmp_path,
                                                                               processes, make_staff):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("a database server that goes away is a PostgreSQL case; tests/test_web.py covers SQLite "
                    "in-process")
    outage = DatabaseOutage(database_url, tmp_path)
    process = processes(settings | {"database_url": outage.url}, "outage")
    install_content(process)
    admin = make_staff("admin")
    staff = requests.Session()
    assert sign_in(staff, process.url, admin.email).status_code == 302
    ref, born = APPOINTMENTS[0]
    lookup = {"reference": ref, "birth_date": born}
    needing = ["/en/notices/", "/en/checklists/", "/en/checklists/residence-permit-extension"]
    working = ["/en/", "/en/accessibility", "/en/easy-language", "/en/emergency/"]
    static = re.findall(r'(?:href|src)="(/static/[^"]+)"', get(f"{process.url}/en/").text)
    for path in needing + working:
        assert get(process.url + path).status_code == 200, path
    workers = process.worker_pids()
    try:
        outage.start()
        for path in needing:
            answer = get(process.url + path)
            assert answer.status_code == 503, path
            assert "Temporarily unavailable" in answer.text and f"mailto:{EMERGENCY_EMAIL}" in answer.text, path
            assert answer.headers["Retry-After"]
        assert staff.get(f"{process.url}/en/staff/", allow_redirects=False).status_code == 503
        api = requests.post(f"{process.url}/en/appointments/api/v1/lookup", json=lookup, timeout=30,
                            headers={"Accept": "application/json"})
        assert api.status_code == 503 and api.json()["status"] == 503
        assert get(f"{process.url}/healthz").status_code == 503
        for path in working + static:
            assert get(process.url + path).status_code == 200, path
    finally:
        outage.end()
    for path in needing:
        assert get(process.url + path).status_code == 200, path
    assert staff.get(f"{process.url}/en/staff/", allow_redirects=False).status_code == 200
    answer = requests.post(f"{process.url}/en/appointments/api/v1/lookup", json=lookup, timeout=30)
    assert answer.status_code == 200 and answer.json()["reference"] == ref
    assert process.worker_pids() == workers, "the service must come back without a restart"
    outage.close()


def test_redis_outage_falls_back_to_limits_in_memory(settings, redis_url, processes, make_staff):
    real = make_url(redis_url)
    proxy = TcpProxy(real.host, real.port or 6379)
    through_proxy = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    process = processes(settings | {"ratelimit_storage_url": through_proxy}, "redis", workers=1)
    account = make_staff("editor")
    store = redis.Redis.from_url(redis_url)

    def failed_login() -> int:
        return sign_in(requests.Session(), process.url, account.email, "falsches-Passwort-123").status_code

    assert [failed_login(), failed_login()] == [422, 422]
    assert store.dbsize() > 0, "the counts live in Redis while it answers"
    try:
        proxy.cut()
        counted = store.dbsize()
        assert get(f"{process.url}/de/").status_code == 200
        # In memory the count starts afresh: five more failures, then the limit holds again.
        assert [failed_login() for _ in range(6)] == [422] * 5 + [429]
        assert get(f"{process.url}/de/staff/login").status_code == 200
        assert store.dbsize() == counted
    finally:
        proxy.restore()
    assert get(f"{process.url}/de/").status_code == 200
    assert "Traceback" not in process.log()
    proxy.close()


def test_emergency_requests_wait_for_the_mail_server_and_go_out_once(settings, processes):
    mail = SmtpServer("127.0.0.1", free_port())  # not started yet: the mail server is down
    process = processes(settings | {"mail": {"host": mail.host, "port": mail.port,
                                             "sender": "portal@amt.example"}}, "mail")
    browser = requests.Session()
    form = browser.get(f"{process.url}/de/emergency/").text
    token = form_token(form)
    category = re.search(r'name="category"[^>]*value="([^"]+)"', form).group(1)
    sent = browser.post(f"{process.url}/de/emergency/", allow_redirects=False, timeout=30, data={
        "csrf_token": token, "category": category, "language": "de", "email": "klientin@example.org",
        "matter": "Mein Aufenthaltstitel läuft übermorgen ab und ich habe noch keinen Termin."})
    assert sent.status_code == 302, "a mail server that is down must not fail the client's request"
    confirmation = re.search(r"NF-[0-9A-Z]{4}-[0-9A-Z]{4}", browser.get(process.url + sent.headers["Location"]).text)
    assert confirmation
    assert "sent 0" in process.flask("mail", "deliver", "--all")
    mail.start()
    try:
        assert "sent 1" in process.flask("mail", "deliver", "--all")
        assert "sent 0" in process.flask("mail", "deliver", "--all")
    finally:
        mail.stop()
    assert len(mail.messages) == 1
    assert confirmation.group(0) in mail.messages[0].as_string()


def test_gunicorn_names_neither_itself_nor_a_version(settings, processes):
    process = processes(settings, "banner", workers=1)
    for path in ("/de/", "/healthz", "/no-such-page"):
        response = requests.get(f"{process.url}{path}", allow_redirects=False)
        assert response.headers["Server"] == "portal", path
        assert "gunicorn" not in str(response.headers).lower() and "python" not in str(response.headers).lower()
