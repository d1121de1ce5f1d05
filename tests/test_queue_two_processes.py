"""The whole path on two app servers sharing PostgreSQL (or SQLite) and Redis: door and desk on one, the phone on the
other, which sees the call."""

import re
import time

import pytest
import requests
from sqlalchemy import text

from portal.testing import TEST_PASSWORD
from tests.support import AppProcess

PLUGINS = ["appointments", "arrival", "queue"]
SECRET_KEY = "test-secret-key-at-least-32-bytes"
# A deadline for the follower, not a measurement: the call shows within a poll or two.
FOLLOW_DEADLINE_SECONDS = 60



def signed_in(base: str, account) -> requests.Session:
    """Return an HTTP session signed in on one app server through its login form."""
    browser = requests.Session()
    page = browser.get(f"{base}/de/staff/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = browser.post(f"{base}/de/staff/login", timeout=10, allow_redirects=False,
                          data={"email": account.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    return browser


def form_token(browser: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.get(url, timeout=10).text).group(1)


@pytest.mark.portal_config({"plugins": PLUGINS})
def test_a_call_on_one_app_server_reaches_the_phone_following_on_the_other(app, data, database_url, redis_url,
                                                                           make_staff, tmp_path, today):
    export = tmp_path / "export.csv"
    # At midnight: the arrival window opens with the day, so the door lets the client in at any hour of the run.
    export.write_text("reference;birth_date;service;status;date;time;building;room;persons\n"
                      f"M-100001;27.03.1985;eu-blue-card;scheduled;{today:%d.%m.%Y};00:00;Wacker Hof;1.07;1\n")
    assert app.test_cli_runner().invoke(args=["appointments", "import", str(export)]).exit_code == 0
    public_id = data(lambda s: s.scalar(text("SELECT public_id FROM arrival_pass")))
    door_account, caseworker = make_staff("door"), make_staff("caseworker")
    settings = {"database_url": database_url, "secret_key": SECRET_KEY, "plugins": PLUGINS,
                "ratelimit_storage_url": redis_url}
    office, phones = AppProcess(tmp_path / "a", settings), AppProcess(tmp_path / "b", settings)
    with office, phones:
        door = signed_in(office.url, door_account)
        door_page = f"{office.url}/de/staff/arrival/"
        short_code = f"{public_id[:4]}-{public_id[4:8]}-{public_id[8:12]}"
        checked = door.post(door_page, timeout=10, data={"csrf_token": form_token(door, door_page),
                                                         "code": short_code, "device": "Eingang"})
        assert checked.status_code == 200 and "A 001" in checked.text
        token = data(lambda s: s.scalar(text("SELECT token FROM queue_ticket")))

        live = f"{phones.url}/de/queue/t/{token}/live"
        first = requests.get(live, timeout=10)
        assert first.status_code == 200 and "A 001" in first.text and "Raum 2.14" not in first.text
        etag = first.headers["ETag"]
        assert requests.get(live, headers={"If-None-Match": etag}, timeout=10).status_code == 304
        # What the page's script follows: the location's board, shared by every phone there.
        board = f"{phones.url}/de/queue/board/office"
        board_first = requests.get(board, timeout=10)
        assert board_first.json()["queues"]["termine"]["waiting"] == ["A 001"]
        assert requests.get(board, headers={"If-None-Match": board_first.headers["ETag"]},
                            timeout=10).status_code == 304

        desk = signed_in(office.url, caseworker)
        desk_page = f"{office.url}/de/staff/queue/desk/raum-2-14"
        called = desk.post(f"{desk_page}/next", data={"csrf_token": form_token(desk, desk_page)}, timeout=10)
        assert called.status_code == 200 and "A 001" in called.text

        deadline = time.monotonic() + FOLLOW_DEADLINE_SECONDS
        answer = requests.get(live, headers={"If-None-Match": etag}, timeout=10)
        while answer.status_code == 304 and time.monotonic() < deadline:
            time.sleep(0.5)
            answer = requests.get(live, headers={"If-None-Match": etag}, timeout=10)
        assert answer.status_code == 200
        assert "Bitte gehen Sie jetzt in Raum 2.14." in answer.text
        called = requests.get(board, headers={"If-None-Match": board_first.headers["ETag"]}, timeout=10)
        assert called.status_code == 200 and called.json()["called"]["A 001"]["room"] == "2.14"
        assert "Traceback" not in office.log() + phones.log()
