"""Staff sign-in: passwords, throttling, enumeration resistance, server-side sessions, accounts, the CLI."""

from datetime import timedelta

import lxml.html
import pytest
from sqlalchemy import func, select

from portal.staff import auth
from portal.staff.models import AuditEntry, StaffAccount, StaffSession
from portal.testing import TEST_PASSWORD, audit_log, csrf_token, sign_in, utcnow
from tests.support import ALL_PLUGINS

LOGIN = "/de/staff/login"
# Every 401 says how to authenticate (RFC 9110): with the sign-in form.
CHALLENGE = 'Cookie realm="staff", form-action="/de/staff/login"'
DASHBOARD = "/de/staff/"


@pytest.fixture
def db(app):
    """The database session, without an app context: requests in one app context would share flask.g."""
    session = app.extensions["portal.db"].session
    yield session
    session.remove()


def post_login(client, email, password, *, ip="127.0.0.1", next_url=None):
    token = csrf_token(client, LOGIN)
    url = f"{LOGIN}?next={next_url}" if next_url else LOGIN
    return client.post(url, data={"email": email, "password": password, "csrf_token": token},
                        environ_base={"REMOTE_ADDR": ip})


def without_token(page: str) -> str:
    """Return a page's text with its CSRF token blanked, for comparing two answers."""
    import re

    return re.sub(r'value="[^"]{40,}"', 'value=""', page)


def sessions_of(db, account) -> list[StaffSession]:
    db.expire_all()
    return db.scalars(select(StaffSession).filter_by(account_id=account.id)).all()


def test_login_starts_a_server_session_and_returns_to_the_page_asked_for(client, make_staff, db):
    editor = make_staff("editor")
    assert client.get("/de/staff/accounts").status_code == 302
    # Capitals, and the space a phone's autocompletion adds, are no mistake of the person signing in.
    response = post_login(client, editor.email.upper() + " ", TEST_PASSWORD, next_url="/de/staff/")
    assert response.status_code == 302 and response.headers["Location"] == "/de/staff/"
    assert len(sessions_of(db, editor)) == 1
    page = client.get(DASHBOARD).get_data(as_text=True)
    assert "Angemeldet als Test editor" in page


def test_a_sign_in_left_empty_or_mistyped_is_answered_in_the_pages_language(client):
    # WTForms has no Tigrinya catalog of its own: the portal's messages are used, never its English ones.
    login = "/ti/staff/login"
    response = client.post(login, data={"csrf_token": csrf_token(client, login), "email": "", "password": ""})
    errors = [node.text_content() for node in lxml.html.fromstring(response.get_data(as_text=True))
              .xpath("//p[@class='error']")]
    assert response.status_code == 422 and errors == ["በጃኹም ኣድራሻ ኢመይል ኣእትዉ።", "በጃኹም መሕለፊ ቃል ኣእትዉ።"]
    response = client.post(login, data={"csrf_token": csrf_token(client, login), "email": "anna", "password": "x"})
    assert "name@example.org" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "staff"])
def test_login_never_sends_to_another_site(client, make_staff, target):
    editor = make_staff("editor")
    response = post_login(client, editor.email, TEST_PASSWORD, next_url=target)
    assert response.headers["Location"] == DASHBOARD


def test_signing_in_again_replaces_the_session(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    first = sessions_of(db, editor)[0].id
    sign_in(client, editor)
    assert [record.id for record in sessions_of(db, editor)] != [first]
    assert len(sessions_of(db, editor)) == 1


def test_unknown_account_wrong_password_and_locked_account_get_the_same_answer_and_work(
        client, make_staff, monkeypatch):
    known = make_staff("editor")
    locked = make_staff("editor", active=False)
    verifications = []

    class CountingHasher:
        def __init__(self, real):
            self.real = real

        def verify(self, hashed, password):
            verifications.append(hashed)
            return self.real.verify(hashed, password)

        def check_needs_rehash(self, hashed):
            return self.real.check_needs_rehash(hashed)

    monkeypatch.setattr(auth, "_hasher", CountingHasher(auth._hasher))

    answers = []
    for email, password in [("nobody@amt.example", TEST_PASSWORD), (known.email, "falsches-Passwort-123"),
                            (locked.email, TEST_PASSWORD)]:
        response = post_login(client, email, password)
        answers.append((response.status_code, without_token(response.get_data(as_text=True)).replace(email, "")))
    # Each attempt ran exactly one argon2 verification, so none is measurably faster.
    assert len(verifications) == 3
    assert answers[0][0] == 422
    assert answers[0] == answers[1] == answers[2]
    assert "E-Mail-Adresse oder Passwort ist falsch" in answers[0][1]


def test_the_hash_verified_for_an_unknown_account_costs_what_a_password_hash_costs_and_matches_nothing():
    from argon2 import extract_parameters
    from argon2.exceptions import VerifyMismatchError

    assert extract_parameters(auth._DUMMY_HASH) == extract_parameters(auth.hash_password(TEST_PASSWORD))
    with pytest.raises(VerifyMismatchError):
        auth._hasher.verify(auth._DUMMY_HASH, TEST_PASSWORD)


def test_login_is_throttled_per_account_and_address(client, make_staff):
    editor = make_staff("editor")
    other = make_staff("editor")
    for _attempt in range(5):
        assert post_login(client, editor.email, "falsches-Passwort-123", ip="10.0.0.1").status_code == 422
    blocked = post_login(client, editor.email, TEST_PASSWORD, ip="10.0.0.1")
    assert blocked.status_code == 429
    assert "Zu viele Anfragen" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers
    # Whoever guessed from one address does not lock the owner out elsewhere, nor other accounts there.
    assert post_login(client, editor.email, TEST_PASSWORD, ip="10.0.1.1").status_code == 302
    assert post_login(client, other.email, TEST_PASSWORD, ip="10.0.0.1").status_code == 302
    # The same limit guards an address that has no account, so 429 tells nothing either.
    for _attempt in range(5):
        post_login(client, "nobody@amt.example", "falsches-Passwort-123", ip="10.0.2.1")
    assert post_login(client, "nobody@amt.example", "x", ip="10.0.2.1").status_code == 429


def test_login_is_throttled_per_account_from_all_addresses_at_a_higher_count(client, make_staff):
    editor = make_staff("editor")
    for attempt in range(30):
        assert post_login(client, editor.email, "falsches-Passwort-123",
                          ip=f"10.0.{attempt // 4}.{attempt}").status_code == 422
    assert post_login(client, editor.email, TEST_PASSWORD, ip="10.0.99.1").status_code == 429
    for attempt in range(30):
        post_login(client, "nobody@amt.example", "falsches-Passwort-123", ip=f"10.1.{attempt // 4}.{attempt}")
    assert post_login(client, "nobody@amt.example", "x", ip="10.1.99.1").status_code == 429


def test_guessing_from_many_addresses_does_not_lock_out_a_browser_that_signed_in_before(app, make_staff):
    editor = make_staff("editor")
    office = app.test_client()
    assert post_login(office, editor.email, TEST_PASSWORD, ip="10.5.0.1").status_code == 302
    device = office.get_cookie("portal_staff_device")
    assert device is not None and device.http_only and editor.email not in device.value
    office.post("/de/staff/logout", data={"csrf_token": csrf_token(office, DASHBOARD)})
    attacker = app.test_client()
    for attempt in range(30):
        post_login(attacker, editor.email, "falsches-Passwort-123", ip=f"10.6.{attempt // 4}.{attempt}")
    assert post_login(attacker, editor.email, TEST_PASSWORD, ip="10.6.99.1").status_code == 429
    # The office's browser signed in to this account before: it still gets in, and guessing from it stays limited.
    assert post_login(office, editor.email, TEST_PASSWORD, ip="10.5.0.1").status_code == 302
    office.post("/de/staff/logout", data={"csrf_token": csrf_token(office, DASHBOARD)})
    # For another account, or with the cookie forged, the count from all addresses holds.
    other = make_staff("admin")
    for attempt in range(30):
        post_login(attacker, other.email, "falsches-Passwort-123", ip=f"10.7.{attempt // 4}.{attempt}")
    assert post_login(office, other.email, TEST_PASSWORD, ip="10.5.0.1").status_code == 429
    attacker.set_cookie("portal_staff_device", device.value[:-2] + "xx")
    assert post_login(attacker, editor.email, TEST_PASSWORD, ip="10.6.99.2").status_code == 429


def test_login_is_throttled_per_address(client, make_staff):
    editor = make_staff("editor")
    for attempt in range(20):
        assert post_login(client, f"guess{attempt}@amt.example", "falsches-Passwort-123",
                          ip="10.9.9.9").status_code == 422
    assert post_login(client, editor.email, TEST_PASSWORD, ip="10.9.9.9").status_code == 429
    assert post_login(client, editor.email, TEST_PASSWORD, ip="10.9.9.10").status_code == 302


def test_successful_logins_do_not_use_up_the_limit(app, make_staff):
    editor = make_staff("editor")
    for _ in range(7):
        client = app.test_client()
        assert post_login(client, editor.email, TEST_PASSWORD).status_code == 302


def test_logout_ends_the_session_on_the_server(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    stolen_cookie = client.get_cookie("portal").value
    token = csrf_token(client, DASHBOARD)
    response = client.post("/de/staff/logout", data={"csrf_token": token})
    assert response.headers["Location"] == LOGIN
    assert sessions_of(db, editor) == []
    # Replaying the cookie from before the logout leads to the login page, not into the staff area.
    client.set_cookie("portal", stolen_cookie)
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.headers["Location"].startswith(LOGIN)


def age_session(db, account, *, idle: timedelta = timedelta(0), age: timedelta = timedelta(0)) -> None:
    record = sessions_of(db, account)[0]
    record.last_seen_at = utcnow() - idle
    record.created_at = utcnow() - age
    db.commit()


def test_idle_timeout_ends_the_session(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    age_session(db, editor, idle=timedelta(minutes=29))
    assert client.get(DASHBOARD).status_code == 200
    assert sessions_of(db, editor)[0].last_seen_at > utcnow() - timedelta(minutes=1)
    age_session(db, editor, idle=timedelta(minutes=31))
    assert client.get(DASHBOARD).headers["Location"].startswith(LOGIN)
    assert sessions_of(db, editor) == []


def test_absolute_timeout_ends_an_active_session(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    age_session(db, editor, age=timedelta(hours=9, minutes=59))
    assert client.get(DASHBOARD).status_code == 200
    age_session(db, editor, age=timedelta(hours=10, minutes=1))
    assert client.get(DASHBOARD).headers["Location"].startswith(LOGIN)


def test_the_page_announces_the_end_and_offers_to_extend(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    age_session(db, editor, idle=timedelta(minutes=26))
    page = client.get(DASHBOARD).get_data(as_text=True)
    assert 'id="session-status"' in page and 'data-warning-seconds="300"' in page
    assert "Sitzung verlängern" in page
    age_session(db, editor, idle=timedelta(minutes=28))
    token = csrf_token(client, DASHBOARD)
    age_session(db, editor, idle=timedelta(minutes=28))
    response = client.post("/de/staff/session", data={"csrf_token": token, "next": "/de/staff/"})
    assert response.headers["Location"] == DASHBOARD
    assert sessions_of(db, editor)[0].last_seen_at > utcnow() - timedelta(minutes=1)
    fragment = client.post("/de/staff/session", data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<form id="session-status"')


def test_admin_deactivates_an_account_and_ends_its_sessions(app, make_staff, staff_client, db):
    editor = make_staff("editor")
    editor_client = app.test_client()
    sign_in(editor_client, editor)
    admin = staff_client("admin")
    token = csrf_token(admin, "/de/staff/accounts")
    response = admin.post(f"/de/staff/accounts/{editor.id}/active", data={"csrf_token": token, "active": "0"})
    assert response.status_code == 302
    assert sessions_of(db, editor) == []
    assert editor_client.get(DASHBOARD).headers["Location"].startswith(LOGIN)
    entry = db.scalars(select(AuditEntry).filter_by(action="deactivate")).one()
    assert entry.target_id == str(editor.id) and entry.before == {"active": True}
    assert entry.actor.startswith("admin-")
    assert post_login(app.test_client(), editor.email, TEST_PASSWORD).status_code == 422


def test_admin_cannot_lock_themselves_out(make_staff, app, db):
    admin = make_staff("admin")
    client = app.test_client()
    sign_in(client, admin)
    token = csrf_token(client, "/de/staff/accounts")
    client.post(f"/de/staff/accounts/{admin.id}/active", data={"csrf_token": token, "active": "0"})
    db.expire_all()
    assert db.get(StaffAccount, admin.id).active


@pytest.mark.parametrize("password, reason", [
    ("kurz-123", "mindestens 12 Zeichen"),
    ("passwort1234", "zu verbreitet"),
    ("aaaaaaaaaaaaab", "zu wenige verschiedene Zeichen"),
    ("maria.schmidt-2026!", "den Teil der E-Mail-Adresse vor dem @"),
    ("Sonnenblume-Akte-77", None),
])
def test_password_rules_each_say_their_reason(app, password, reason):
    with app.test_request_context("/de/"):
        problem = auth.password_problem(password, "maria.schmidt@amt.example")
    assert problem is None if reason is None else reason in problem


def test_new_account_form_refuses_weak_passwords_and_keeps_the_input(staff_client, db):
    admin = staff_client("admin")
    token = csrf_token(admin, "/de/staff/accounts")
    response = admin.post("/de/staff/accounts", data={"csrf_token": token, "display_name": "Ayşe Demir",
                                                      "email": "a.demir@amt.example", "role": "editor",
                                                      "password": "passwort1234"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "zu verbreitet" in page and 'value="Ayşe Demir"' in page and 'value="a.demir@amt.example"' in page
    assert db.scalar(select(StaffAccount).filter_by(email="a.demir@amt.example")) is None


def test_the_new_account_form_chooses_no_role_and_asks_for_one(staff_client, db):
    admin = staff_client("admin")
    page = lxml.html.fromstring(admin.get("/de/staff/accounts").get_data(as_text=True))
    assert page.xpath("//select[@name='role']/option[@selected]/@value") in ([], [""])
    assert page.xpath("//select[@name='role']/option[1]/@value") == [""]
    response = admin.post("/de/staff/accounts", data={
        "csrf_token": csrf_token(admin, "/de/staff/accounts"), "display_name": "Ayşe Demir",
        "email": "a.demir@amt.example", "role": "", "password": "Sonnenblume-Akte-77"})
    assert response.status_code == 422 and "Bitte wählen Sie eine Rolle." in response.get_data(as_text=True)
    assert db.scalar(select(StaffAccount).filter_by(email="a.demir@amt.example")) is None


def test_admin_creates_an_account_and_the_log_records_it(staff_client, db):
    admin = staff_client("admin")
    token = csrf_token(admin, "/de/staff/accounts")
    response = admin.post("/de/staff/accounts", data={"csrf_token": token, "display_name": "Ayşe Demir",
                                                      "email": "A.Demir@amt.example", "role": "caseworker",
                                                      "password": "Sonnenblume-Akte-77"})
    assert response.status_code == 302
    account = db.scalar(select(StaffAccount).filter_by(email="a.demir@amt.example"))
    assert account.role == "caseworker" and account.password_hash.startswith("$argon2id$")
    # The log tells it in the reader's language: what happened, and each field by its label and value.
    assert audit_log(admin)[0].what == f"Konto angelegt {account.id}"
    entry = audit_log(admin, "en")[0]
    assert entry.summary == "a.demir@amt.example"
    assert entry.changes == ["Email address | After: a.demir@amt.example", "Name | After: Ayşe Demir",
                             "Role | After: Caseworker"]


NEW_ACCOUNT = {"display_name": "Ayşe Demir", "email": "a.demir@amt.example", "role": "caseworker",
               "password": "Sonnenblume-Akte-77"}


def test_the_new_account_page_sent_twice_makes_one_account(staff_client, db, form_values):
    admin = staff_client("admin")
    values = form_values(admin.get("/de/staff/accounts")).to_dict() | NEW_ACCOUNT
    first, again = (admin.post("/de/staff/accounts", data=values) for _ in range(2))
    assert (first.status_code, again.status_code) == (302, 303)
    assert "Das Konto für a.demir@amt.example wurde angelegt." in admin.get("/de/staff/accounts").get_data(
        as_text=True)
    assert len(db.scalars(select(StaffAccount).filter_by(email="a.demir@amt.example")).all()) == 1
    assert db.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="create")) == 1
    # The same page sent again for another person makes that person's account: the answer names what exists. The
    # space a phone's autocompletion adds after the address is no mistake of the admin's.
    other = values | {"display_name": "Jonas Berg", "email": " J.Berg@amt.example "}
    assert admin.post("/de/staff/accounts", data=other).status_code == 302
    assert "Das Konto für j.berg@amt.example wurde angelegt." in admin.get("/de/staff/accounts").get_data(
        as_text=True)
    assert db.scalar(select(StaffAccount.display_name).filter_by(email="j.berg@amt.example")) == "Jonas Berg"


def test_two_admins_giving_one_address_at_once_make_one_account_and_tell_the_second(app, staff_client, db,
                                                                                     twice_at_once):
    from portal.staff import views

    first, second = staff_client("admin"), staff_client("admin")
    forms = [{"csrf_token": csrf_token(client, "/de/staff/accounts"), **NEW_ACCOUNT} for client in (first, second)]
    _overlapped, one, other = twice_at_once(
        views, "hash_password", lambda: first.post("/de/staff/accounts", data=forms[0]),
        lambda: second.post("/de/staff/accounts", data=forms[1]))
    # On PostgreSQL both may pass the check for the address before either writes; whichever writes second is told.
    made, told = sorted((one, other), key=lambda answer: answer.status_code)
    assert (made.status_code, told.status_code) == (302, 422)
    assert "Für diese E-Mail-Adresse gibt es schon ein Konto." in told.get_data(as_text=True)
    assert len(db.scalars(select(StaffAccount).filter_by(email="a.demir@amt.example")).all()) == 1


@pytest.mark.portal_config({"plugins": ALL_PLUGINS})
def test_a_role_with_a_single_task_starts_on_its_page(app, make_staff):
    # The door's only page is the check-in: a phone at the entrance needs it without the overview.
    door = make_staff("door")
    response = post_login(app.test_client(), door.email, TEST_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/de/staff/arrival/"
    # Roles with several tasks start on the overview; a page asked for wins over both.
    editor = make_staff("editor")
    assert post_login(app.test_client(), editor.email, TEST_PASSWORD).headers["Location"] == DASHBOARD
    asked = post_login(app.test_client(), door.email, TEST_PASSWORD, next_url="/de/staff/password")
    assert asked.headers["Location"] == "/de/staff/password"


def test_an_admin_gives_a_colleague_another_role_which_counts_at_once(app, make_staff, staff_client, db):
    colleague = make_staff("editor")
    signed_in = app.test_client()
    sign_in(signed_in, colleague)
    assert signed_in.get("/de/staff/accounts").status_code == 403
    admin = staff_client("admin")
    url = f"/de/staff/accounts/{colleague.id}/role"
    assert f'href="{url}"' in admin.get("/de/staff/accounts").get_data(as_text=True)
    refused = admin.post(url, data={"csrf_token": csrf_token(admin, url), "role": "owner"})
    assert refused.status_code == 422 and "Bitte aus der Liste wählen." in refused.get_data(as_text=True)
    done = admin.post(url, data={"csrf_token": csrf_token(admin, url), "role": "admin"}, follow_redirects=True)
    assert f"{colleague.email} hat jetzt die Rolle: Administration." in done.get_data(as_text=True)
    # The new role counts with the colleague's next request, without signing in again.
    assert signed_in.get("/de/staff/accounts").status_code == 200
    entry = audit_log(admin, "en")[0]
    assert entry.what.startswith("Role changed") and entry.summary == colleague.email
    assert entry.changes == ["Role | Before: Editorial team | After: Administration"]
    # Nobody changes their own role: an office could lose its last administrator.
    own_id = db.scalar(select(StaffAccount.id).filter(StaffAccount.role == "admin", StaffAccount.id != colleague.id))
    own = admin.get(f"/de/staff/accounts/{own_id}/role", follow_redirects=True)
    assert "Ihre eigene Rolle kann nur eine andere Person" in own.get_data(as_text=True)


def test_a_new_account_form_reports_every_error_at_once(staff_client, db):
    admin = staff_client("admin")
    token = csrf_token(admin, "/de/staff/accounts")
    response = admin.post("/de/staff/accounts", data={"csrf_token": token, "display_name": "", "email": "kein-at",
                                                      "role": "", "password": "kurz"})
    assert response.status_code == 422
    errors = {link.get("href"): link.text_content() for link in lxml.html.fromstring(
        response.get_data(as_text=True)).xpath("//div[@id='error-summary']//a")}
    assert set(errors) == {"#email", "#display_name", "#role", "#password"}
    # A weak password and an address already taken, both at once.
    taken = db.scalar(select(StaffAccount.email).filter_by(role="admin"))
    response = admin.post("/de/staff/accounts", data={"csrf_token": token, "display_name": "Zweite",
                                                      "email": taken, "role": "caseworker",
                                                      "password": "kurz"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Für diese E-Mail-Adresse gibt es schon ein Konto." in page
    assert 'id="password-error"' in page


def test_audit_log_is_for_admins_only(staff_client):
    refused = staff_client("editor").get("/de/staff/audit")
    assert refused.status_code == 403
    # The refusal keeps the staff area around it: its menu, the sign-out and the way back to the overview.
    page = refused.get_data(as_text=True)
    assert 'aria-label="Mitarbeiterbereich"' in page and "Abmelden" in page
    assert 'href="/de/staff/">Zur Übersicht</a>' in page
    # The footer names the emergency address once; the public error page's own box for it is not repeated here.
    assert page.count('class="emergency-contact"') == 1 and "error-emergency-contact" not in page
    assert staff_client("admin").get("/de/staff/audit").status_code == 200


def test_cli_creates_an_account_with_the_password_from_standard_input(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "create-account", "--email", "Leitung@Amt.example", "--name", "Leitung",
                                 "--role", "admin"], input="Sonnenblume-Akte-77\n")
    assert result.exit_code == 0, result.output
    account = db.scalar(select(StaffAccount).filter_by(email="leitung@amt.example"))
    assert account.role == "admin" and account.password_hash.startswith("$argon2id$")
    entry = db.scalar(select(AuditEntry).filter_by(target_type="staff_account"))
    assert entry.actor == "command line" and entry.after == {"email": "leitung@amt.example", "role": "admin"}
    client = app.test_client()
    assert post_login(client, "leitung@amt.example", "Sonnenblume-Akte-77").status_code == 302

    again = runner.invoke(args=["staff", "create-account", "--email", "leitung@amt.example", "--name", "L",
                                "--role", "editor"], input="Sonnenblume-Akte-78\n")
    assert again.exit_code != 0 and "exists already" in again.output


@pytest.mark.parametrize("stdin", ["", "kurz\n", "passwort1234\n"])
def test_cli_refuses_a_missing_or_weak_password(app, db, stdin):
    result = app.test_cli_runner().invoke(args=["staff", "create-account", "--email", "neu@amt.example", "--name",
                                                "Neu", "--role", "editor"], input=stdin)
    assert result.exit_code != 0
    assert db.scalar(select(StaffAccount).filter_by(email="neu@amt.example")) is None


POLL = {"Portal-Poll": "1"}


def test_a_poll_shows_the_page_without_extending_the_session(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    age_session(db, editor, idle=timedelta(minutes=20))
    assert client.get(DASHBOARD, headers=POLL).status_code == 200
    assert sessions_of(db, editor)[0].last_seen_at < utcnow() - timedelta(minutes=19)
    # The person's own request counts as activity.
    assert client.get(DASHBOARD).status_code == 200
    assert sessions_of(db, editor)[0].last_seen_at > utcnow() - timedelta(minutes=1)


def test_a_poll_of_an_ended_session_gets_401_and_a_page_request_the_login(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    age_session(db, editor, idle=timedelta(minutes=31))
    poll = client.get(DASHBOARD, headers=POLL)
    assert poll.status_code == 401 and poll.headers["WWW-Authenticate"] == CHALLENGE
    assert sessions_of(db, editor) == []
    assert client.get(DASHBOARD).headers["Location"].startswith(LOGIN)


def test_a_poll_still_needs_the_role(client, make_staff):
    sign_in(client, make_staff("editor"))
    assert client.get("/de/staff/accounts", headers=POLL).status_code == 403


def hidden_fields(page: str, xpath: str) -> list[tuple[str, str]]:
    """Return the hidden fields of the page's form that xpath finds, in order."""
    form = lxml.html.fromstring(page).xpath(xpath)[0]
    return [(field.name, field.value) for field in form.inputs if field.get("type") == "hidden"]


SIGN_IN_FORM = "//form[.//input[@name='kept_form']]"
SEND_AGAIN_FORM = "//form[@id='send-again']"


def test_a_form_sent_after_the_session_ended_is_kept_through_signing_in(client, make_staff, db):
    admin = make_staff("admin")
    sign_in(client, admin)
    token = csrf_token(client, "/de/staff/accounts")
    age_session(db, admin, idle=timedelta(minutes=31))
    sent = {"csrf_token": token, "email": "neu@amt.example", "display_name": "Zeynep Kaya\nSprachmittlung",
            "role": "editor", "password": "ein-langes-Passwort-2026"}
    response = client.post("/de/staff/accounts?tab=neu", data=sent)
    # Nothing was saved; the sign-in page answers in place and carries what was typed, except the password.
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == CHALLENGE
    assert db.scalar(select(StaffAccount).filter_by(email="neu@amt.example")) is None
    page = response.get_data(as_text=True)
    assert "Ihre Eingaben sind nicht verloren" in page
    kept = dict(hidden_fields(page, SIGN_IN_FORM))["kept_form"]
    assert "ein-langes-Passwort-2026" not in page and token not in kept

    # A mistyped password keeps it too.
    login = {"email": admin.email, "csrf_token": csrf_token(client, LOGIN), "kept_form": kept}
    retry = client.post(LOGIN, data=login | {"password": "falsch-getippt-2026"})
    assert retry.status_code == 422
    assert dict(hidden_fields(retry.get_data(as_text=True), SIGN_IN_FORM))["kept_form"] == kept
    again = client.post(LOGIN, data=login | {"password": TEST_PASSWORD})
    assert again.status_code == 200 and len(sessions_of(db, admin)) == 1
    page = again.get_data(as_text=True)
    assert "Ihre Eingaben sind erhalten" in page and "Passwörter und Dateien werden nicht aufbewahrt" in page
    fields = hidden_fields(page, SEND_AGAIN_FORM)
    assert [name for name, _value in fields[:2]] == ["csrf_token", "sent_again"]
    assert fields[2:] == [("email", "neu@amt.example"), ("display_name", "Zeynep Kaya\nSprachmittlung"),
                          ("role", "editor")]

    # Sending them again reaches the form, which asks for the password alone and shows the rest.
    answer = client.post("/de/staff/accounts?tab=neu", data=dict(fields))
    assert answer.status_code == 422
    form = answer.get_data(as_text=True)
    assert 'value="neu@amt.example"' in form and "Zeynep Kaya" in form
    assert db.scalar(select(StaffAccount).filter_by(email="neu@amt.example")) is None


def test_signing_in_with_a_kept_form_sends_nothing_by_itself(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    token = csrf_token(client, DASHBOARD)
    age_session(db, editor, idle=timedelta(minutes=31))
    page = client.post("/de/staff/session", data={"csrf_token": token, "next": "/de/staff/audit"}).get_data(
        as_text=True)
    kept = dict(hidden_fields(page, SIGN_IN_FORM))["kept_form"]
    answer = client.post(LOGIN, data={"email": editor.email, "password": TEST_PASSWORD, "kept_form": kept,
                                      "csrf_token": csrf_token(client, LOGIN)})
    # The session is new and the page offers to send the form; the form's own action has not happened.
    assert answer.status_code == 200
    fields = hidden_fields(answer.get_data(as_text=True), SEND_AGAIN_FORM)
    assert fields[2:] == [("next", "/de/staff/audit")]
    assert client.post("/de/staff/session", data=dict(fields)).headers["Location"] == "/de/staff/audit"


def test_a_post_without_a_valid_token_or_fields_is_not_kept(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    token = csrf_token(client, DASHBOARD)
    age_session(db, editor, idle=timedelta(minutes=31))
    # A page elsewhere cannot make the sign-in page carry a form: without this browser's token it is refused.
    assert client.post("/de/staff/session", data={"next": "/de/staff/audit"}).status_code == 400
    # Nothing typed: the login, as for a page.
    response = client.post("/de/staff/session", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == LOGIN


@pytest.mark.parametrize("kept", ['{"action": "https://evil.example/x", "fields": [], "left_out": false}',
                                  '{"action": "/de/staff/", "fields": "x", "left_out": false}', "[1, 2]", "{"])
def test_a_kept_form_that_is_not_one_is_ignored(client, make_staff, kept):
    editor = make_staff("editor")
    response = client.post(LOGIN, data={"email": editor.email, "password": TEST_PASSWORD, "kept_form": kept,
                                        "csrf_token": csrf_token(client, LOGIN)})
    assert response.status_code == 302 and response.headers["Location"] == DASHBOARD


def test_the_login_returns_to_the_page_under_the_path_prefix(client, make_staff):
    editor = make_staff("editor")
    prefixed = "http://localhost/amt"
    response = client.get("/de/staff/?page=2", base_url=prefixed)
    assert response.headers["Location"] == "/amt/de/staff/login?next=/amt/de/staff/?page%3D2"
    token = csrf_token(client, LOGIN)
    signed_in = client.post("/de/staff/login?next=/amt/de/staff/?page%3D2", base_url=prefixed,
                            data={"email": editor.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert signed_in.headers["Location"] == "/amt/de/staff/?page=2"


def test_an_htmx_request_of_an_ended_session_sends_the_window_to_the_login(client, make_staff, db):
    editor = make_staff("editor")
    sign_in(client, editor)
    token = csrf_token(client, DASHBOARD)
    age_session(db, editor, idle=timedelta(minutes=31))
    response = client.post("/de/staff/session", data={"csrf_token": token, "next": "/de/staff/"}, headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost/de/staff/?page=2"})
    # No sign-in page to put into the part htmx updates: the whole window goes to it, and comes back.
    assert response.status_code == 401 and response.get_data() == b""
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert response.headers["HX-Redirect"] == "/de/staff/login?next=/de/staff/?page%3D2"
    # Only a path on this site is taken as the way back: "//evil.example/" would leave it.
    elsewhere = client.post("/de/staff/session", data={"csrf_token": token}, headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost//evil.example/"})
    assert elsewhere.headers["HX-Redirect"] == LOGIN


SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def test_a_sign_in_page_from_before_signing_in_in_another_window_leads_where_it_was_going(client, make_staff):
    editor = make_staff("editor")
    token = csrf_token(client, f"{LOGIN}?next=/de/staff/translations/")
    sign_in(client, editor)  # in another window of the same browser: a new session, the first page's token is stale
    response = client.post(f"{LOGIN}?next=/de/staff/translations/", headers=SAME_SITE,
                           data={"email": editor.email, "password": "", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/de/staff/translations/"


def test_a_sign_in_page_whose_session_ended_asks_for_the_password_again_with_the_address_kept(app, make_staff):
    editor = make_staff("editor")
    token = csrf_token(app.test_client(), LOGIN)
    stale = app.test_client()  # a browser that lost the cookie the page's token went with
    response = stale.post(LOGIN, headers=SAME_SITE,
                          data={"email": editor.email, "password": "geheim-und-falsch", "csrf_token": token})
    assert response.status_code == 400
    page = lxml.html.fromstring(response.get_data(as_text=True))
    assert "Bitte geben Sie Ihr Passwort noch einmal ein." in page.xpath("string(//main//div[@class='callout'])")
    assert page.get_element_by_id("email").get("value") == editor.email
    assert not page.get_element_by_id("password").get("value")
    assert "geheim-und-falsch" not in response.get_data(as_text=True)
    # The page's new token goes with the new session: the sign-in goes through.
    fields = dict(page.xpath("//main//form")[0].form_values())
    fields["password"] = TEST_PASSWORD
    assert stale.post(LOGIN, data=fields).headers["Location"] == DASHBOARD


def test_a_sign_in_another_site_sent_gets_the_plain_error_and_no_address_back(app, make_staff):
    token = csrf_token(app.test_client(), LOGIN)
    response = app.test_client().post(LOGIN, headers={"Sec-Fetch-Site": "cross-site"},
                                      data={"email": "angreifer@example.org", "password": "x", "csrf_token": token})
    assert response.status_code == 400
    assert "angreifer@example.org" not in response.get_data(as_text=True)
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)


NEW_PASSWORD = "Schwalbe-Fenster-Laterne-9"


def test_staff_change_their_own_password_and_their_other_sessions_end(app, make_staff, staff_client):
    account = make_staff("editor")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, account)
    sign_in(elsewhere, account)
    url = "/de/staff/password"

    def change(**fields):
        return here.post(url, data={"csrf_token": csrf_token(here, url), "current_password": TEST_PASSWORD,
                                    "new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD, **fields})

    for fields, reason in (({"current_password": "falsch-geraten-1234"}, "Das bisherige Passwort stimmt nicht."),
                           ({"repeated": NEW_PASSWORD + "x"}, "Die beiden Eingaben sind nicht gleich."),
                           ({"new_password": "passwort1234", "repeated": "passwort1234"}, "zu verbreitet")):
        refused = change(**fields)
        assert refused.status_code == 422 and reason in refused.get_data(as_text=True)
    # Every error at once, not one per round.
    page = change(current_password="falsch-geraten-1234", new_password="kurz", repeated="anders").get_data(
        as_text=True)
    assert "Das bisherige Passwort stimmt nicht." in page and "Die beiden Eingaben sind nicht gleich." in page
    assert 'id="new_password-error"' in page
    assert elsewhere.get(DASHBOARD).status_code == 200, "a refused change ends no session"
    changed = change()
    assert changed.status_code == 302 and changed.headers["Location"] == DASHBOARD
    assert here.get(DASHBOARD).status_code == 200
    assert elsewhere.get(DASHBOARD).status_code == 302, "the other device is signed out"
    assert post_login(app.test_client(), account.email, TEST_PASSWORD).status_code == 422
    assert post_login(app.test_client(), account.email, NEW_PASSWORD).status_code == 302
    [entry] = [entry for entry in audit_log(staff_client("admin")) if "Passwort" in entry.what]
    assert entry.what.startswith("Eigenes Passwort geändert") and NEW_PASSWORD not in str(entry)


def test_an_admin_sets_a_new_password_for_a_colleague(app, make_staff, staff_client):
    colleague = make_staff("caseworker")
    signed_in = app.test_client()
    sign_in(signed_in, colleague)
    admin = staff_client("admin")
    url = f"/de/staff/accounts/{colleague.id}/password"
    assert f'href="{url}"' in admin.get("/de/staff/accounts").get_data(as_text=True)
    assert staff_client("caseworker").get(url).status_code == 403
    weak = admin.post(url, data={"csrf_token": csrf_token(admin, url), "new_password": "aaaaaaaaaaaaab",
                                 "repeated": "aaaaaaaaaaaaab"})
    assert weak.status_code == 422 and "zu wenige verschiedene Zeichen" in weak.get_data(as_text=True)
    done = admin.post(url, data={"csrf_token": csrf_token(admin, url), "new_password": NEW_PASSWORD,
                                 "repeated": NEW_PASSWORD})
    assert done.status_code == 302
    assert signed_in.get(DASHBOARD).status_code == 302
    assert post_login(app.test_client(), colleague.email, NEW_PASSWORD).status_code == 302
    assert [entry.what for entry in audit_log(admin) if "Passwort" in entry.what][0].startswith(
        "Passwort neu gesetzt")


def test_guessing_the_current_password_is_stopped_after_ten_tries_an_hour(app, make_staff):
    client = app.test_client()
    sign_in(client, make_staff("editor"))
    url = "/de/staff/password"
    wrong = {"current_password": "falsch-geraten-1234", "new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD}
    codes = [client.post(url, data={"csrf_token": csrf_token(client, url), **wrong}).status_code for _ in range(11)]
    assert codes == [422] * 10 + [429]
