"""Passwords, server-side staff sessions, role checks and the audit trail."""

from __future__ import annotations

import base64
import functools
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import ARGON2_VERSION
from flask import abort, current_app, g, has_request_context, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import null, update

from ..addresses import current_path, local_path
from ..db import session as db_session
from ..db import utcnow
from ..keptforms import KeptForm
from ..templating import is_htmx
from .changes import SYSTEM_ACTOR, undescribed
from .models import AuditEntry, StaffAccount, StaffSession
from .signin import LoginForm, onwards_from_sign_in, sign_in_challenge, sign_in_keeping_form, sign_in_page

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
SESSION_KEY = "staff_sid"
# Writing last_seen on every request would make each staff page a write; a minute is precise enough.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
# A script that polls a staff page to follow live changes sends this header: the poll is shown the page but is not
# the person's activity, so an unattended page does not keep its session alive past the idle timeout.
POLL_HEADER = "Portal-Poll"
# Target ids per statement when the log forgets a purge's records (SQLite takes at most 32,766 parameters).
FORGET_CHUNK = 500

_hasher = PasswordHasher()


def _unmatchable_hash() -> str:
    """Return an argon2 hash in the hasher's parameters with a random digest, which no password matches."""
    def random_base64(size: int) -> str:
        return base64.b64encode(secrets.token_bytes(size)).decode().rstrip("=")

    return (f"$argon2{_hasher.type.name.lower()}$v={ARGON2_VERSION}$m={_hasher.memory_cost},"
            f"t={_hasher.time_cost},p={_hasher.parallelism}${random_base64(_hasher.salt_len)}"
            f"${random_base64(_hasher.hash_len)}")


# Verified against when the account is unknown, so both answers take the same time. Written out, not hashed:
# hashing would cost every server's start half a second (and 64 MiB for that moment).
_DUMMY_HASH = _unmatchable_hash()


@functools.cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common-passwords.txt")
    lines = (line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, email: str = "") -> str | None:
    """Return a translated reason why a password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return ngettext("Das Passwort muss mindestens %(count)d Zeichen lang sein.",
                        "Das Passwort muss mindestens %(count)d Zeichen lang sein.", MIN_PASSWORD_LENGTH,
                        count=MIN_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords():
        return _("Dieses Passwort ist zu verbreitet. Bitte wählen Sie ein anderes.")
    if len(set(lowered)) < 4:
        return _("Das Passwort hat zu wenige verschiedene Zeichen. Bitte wählen Sie ein anderes.")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        # An admin sets a colleague's password: the address is the account's, not the reader's own.
        return _("Das Passwort darf den Teil der E-Mail-Adresse vor dem @ nicht enthalten.")
    return None


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def authenticate(email: str, password: str) -> StaffAccount | None:
    """Return the active account for these credentials, spending the same effort when there is none."""
    account = db_session().query(StaffAccount).filter_by(email=email.strip().lower()).one_or_none()
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


def password_matches(account: StaffAccount, password: str) -> bool:
    """Tell whether this is the account's current password."""
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _timeouts() -> tuple[timedelta, timedelta]:
    staff = current_app.config["PORTAL"]["staff"]
    return timedelta(minutes=staff["idle_timeout_minutes"]), timedelta(hours=staff["absolute_timeout_hours"])


def start_session(account: StaffAccount) -> None:
    """Sign the account in with a fresh session (the old one, if any, is dropped)."""
    end_session()
    session.clear()
    # A form token made earlier in this request belongs to the session just cleared; the next one is made anew.
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
    sid = secrets.token_urlsafe(32)
    record = StaffSession(id=sid, account=account)
    db_session().add(record)
    account.last_login_at = utcnow()
    db_session().commit()
    session[SESSION_KEY] = sid
    g.staff, g.staff_session = account, record


def end_session() -> None:
    """End the current staff session on the server and in the cookie."""
    sid = session.pop(SESSION_KEY, None)
    if sid:
        db_session().query(StaffSession).filter_by(id=sid).delete()
        db_session().commit()


def session_expiry(record: StaffSession):
    """Return when a session ends if nothing more happens: the earlier of idle and absolute limit."""
    idle, absolute = _timeouts()
    return min(record.last_seen_at + idle, record.created_at + absolute)


def is_poll() -> bool:
    """Return whether this request is a script's poll of a followed staff page rather than a person's action."""
    return has_request_context() and request.headers.get(POLL_HEADER) == "1"


def current_staff() -> StaffAccount | None:
    """Return the signed-in account for this request, ending an expired session."""
    if "staff" in g:
        return g.staff
    g.staff = None
    g.staff_session = None
    sid = session.get(SESSION_KEY)
    if not sid:
        return None
    record = db_session().get(StaffSession, sid)
    now = utcnow()
    if record is None or not record.account.active or session_expiry(record) <= now:
        if record is not None:
            db_session().delete(record)
            db_session().commit()
        session.pop(SESSION_KEY, None)
        return None
    if now - record.last_seen_at >= LAST_SEEN_RESOLUTION and not is_poll():
        record.last_seen_at = now
        db_session().commit()
    g.staff, g.staff_session = record.account, record
    return record.account


def end_sessions_of(account: StaffAccount, keep: StaffSession | None = None) -> int:
    """End every session of an account (but `keep`, the one in use); return how many ended."""
    sessions = db_session().query(StaffSession).filter_by(account_id=account.id)
    if keep is not None:
        sessions = sessions.filter(StaffSession.id != keep.id)
    return sessions.delete()


def _to_sign_in():
    """Answer a request whose session has ended: the sign-in page, coming back to where the person was."""
    if is_poll() or is_htmx():
        # A script asked, not a person: the polling script reloads the page, which leads to the sign-in; htmx
        # would put the sign-in page into the part it updates, so the whole window goes there instead.
        response = make_response("", 401, {"WWW-Authenticate": sign_in_challenge()})
        if is_htmx():
            where = urlsplit(request.headers.get("HX-Current-URL", ""))
            response.headers["HX-Redirect"] = url_for("staff.login", next=local_path(
                urlunsplit(("", "", where.path, where.query, ""))))
        return response
    if request.method == "POST":
        return sign_in_keeping_form() or redirect(url_for("staff.login"))
    return redirect(url_for("staff.login", next=current_path()))


def sign_in_again():
    """Answer a sign-in whose form token went with an earlier session, as after one in another window."""
    kept = KeptForm.sent_back()
    if current_staff() is not None:
        # Signed in meanwhile in another window of this browser: the person is where they wanted to be.
        return onwards_from_sign_in(kept, current_staff())
    form = LoginForm(formdata=None, email=request.form.get("email", ""))
    return sign_in_page(form, kept, 400, _(
        "Diese Anmeldeseite war nicht mehr gültig, weil sich Ihre Sitzung inzwischen geändert hat, zum Beispiel "
        "durch eine Abmeldung in einem anderen Fenster. Bitte geben Sie Ihr Passwort noch einmal ein."))


def _require(role: str | None):
    account = current_staff()
    if account is None:
        return _to_sign_in()
    if role is not None and not account.has_role(role):
        abort(403)
    return None


def guard_blueprint(blueprint, role: str) -> None:
    """Make every route of a blueprint require a signed-in account with `role`."""
    blueprint.before_request(lambda: _require(role))
    # Read by the test that walks the URL map, like a view's required_role.
    blueprint.required_role = role


def requires_role(role: str | None):
    """Decorate a view so it needs a signed-in account with `role` (None: any staff role)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            return _require(role) or view(*args, **kwargs)
        # Read by the test that walks the URL map to know who must be turned away.
        wrapped.required_role = role
        return wrapped
    return decorator


def forget_audit_details(target_type: str, target_ids: Iterable) -> int:
    """Clear what the log says of records purged for good; who did what to which target, and when, stays."""
    ids = [str(target_id) for target_id in target_ids]
    forgotten = 0
    # In chunks: a purge may delete thousands of records, more than a statement takes parameters on SQLite.
    for start in range(0, len(ids), FORGET_CHUNK):
        forgotten += db_session().execute(
            update(AuditEntry).where(AuditEntry.target_type == target_type,
                                     AuditEntry.target_id.in_(ids[start:start + FORGET_CHUNK]))
            .values(before=null(), after=null(), summary="").execution_options(synchronize_session=False)).rowcount
    return forgotten


def audit(action: str, target_type: str, target_id, *, before: dict | None = None,
          after: dict | None = None, summary: str = "", actor: str | None = None) -> AuditEntry:
    """Record a staff change in the audit log (committed with the caller's transaction)."""
    # The target type is namespaced like tables: '<plugin>_<thing>', or the core's 'core_…'/'staff_…'.
    owners = ("core", "staff", *current_app.config["PORTAL"]["plugins"])
    if not any(target_type.startswith(f"{owner}_") for owner in owners):
        raise ValueError(f"audit target type '{target_type}' must start with '<plugin-name>_'")
    # An entry the log cannot put in words (toolkit.AuditTarget) fails a test; in service the staff member's change
    # is kept all the same, and the log shows the code's names where words are missing.
    missing = undescribed(action, target_type, before, after)
    if missing:
        problem = f"the audit log has no words for {', '.join(missing)}: declare them in PluginInfo(audit_targets=...)"
        if current_app.testing:
            raise ValueError(problem)
        log.warning(problem)
    if actor is None:
        account = current_staff() if has_request_context() else None
        actor = account.email if account else SYSTEM_ACTOR
    entry = AuditEntry(actor=actor, action=action, target_type=target_type,
                       target_id=str(target_id), before=before, after=after, summary=summary)
    db_session().add(entry)
    return entry
