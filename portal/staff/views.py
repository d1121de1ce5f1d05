"""The staff area's own pages: sign-in, dashboard, accounts and the audit log."""

from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..addresses import current_path, local_path
from ..blueprints import ROLES, PortalBlueprint, role_label
from ..db import session as db_session
from ..db import utcnow
from ..extensions import limiter
from ..forms import Form, MailAddress, strip_spaces
from ..keptforms import KeptForm
from ..lookups import SignedTokens, limit_storage_reachable
from ..pagination import paginate
from ..ratelimits import client_network
from ..submissions import SendingKeyField, claim_sending
from ..templating import staff_menu
from .auth import (
    audit,
    authenticate,
    current_staff,
    end_session,
    end_sessions_of,
    hash_password,
    password_matches,
    password_problem,
    requires_role,
    session_expiry,
    start_session,
)
from .changes import actor_name, audit_areas, readable_changes, what_happened
from .models import AuditEntry, StaffAccount
from .signin import EMAIL_INVALID, EMAIL_REQUIRED, PASSWORD_REQUIRED, LoginForm, onwards_from_sign_in, sign_in_page

bp = PortalBlueprint("staff", __name__, kind="staff", url_prefix="/<lang:lang>/staff")
bp.add_app_template_filter(readable_changes)
bp.add_app_template_filter(what_happened)
bp.add_app_template_filter(actor_name)

AUDIT_PAGE_SIZE = 50


class AuditFilterForm(Form):
    """Narrow the audit log to one area of the portal or one person; sent by GET, so it carries no CSRF token."""

    class Meta:
        csrf = False

    area = SelectField(_l("Bereich"), choices=[], invalid_choice_message=_l("Bitte aus der Liste wählen."))
    actor = StringField(_l("Wer"), validators=[Optional(), Length(max=254)])


class AccountForm(Form):
    # In the order the page shows them, which the error summary follows.
    display_name = StringField(_l("Name"), validators=[DataRequired(_l("Bitte geben Sie den Namen ein.")),
                                                      Length(max=120)])
    email = EmailField(_l("E-Mail-Adresse"), filters=[strip_spaces], validators=[
        DataRequired(EMAIL_REQUIRED), MailAddress(EMAIL_INVALID), Length(max=254)])
    # No role is chosen for the admin: Enter in a half-filled form must never create an administrator.
    role = SelectField(_l("Rolle"), choices=[], validators=[DataRequired(_l("Bitte wählen Sie eine Rolle."))],
                       invalid_choice_message=_l("Bitte aus der Liste wählen."))
    password = PasswordField(_l("Passwort"), validators=[DataRequired(PASSWORD_REQUIRED)])
    sending_key = SendingKeyField()


class RoleForm(Form):
    """Another role for a colleague's account."""

    # Every choice is a role, so the list's own check is the only one: a required mark would ask for an empty first
    # choice that is no role.
    role = SelectField(_l("Rolle"), choices=[], invalid_choice_message=_l("Bitte aus der Liste wählen."))


# Made before the new password's fields: WTForms orders a form's fields as they were made, and the error summary
# follows that order, which must be the page's, where the current password comes first.
CURRENT_PASSWORD = PasswordField(_l("Bisheriges Passwort"), validators=[DataRequired(PASSWORD_REQUIRED)])


class NewPasswordForm(Form):
    """A new password, typed twice; an admin sets one this way for a colleague who has forgotten theirs."""

    new_password = PasswordField(_l("Neues Passwort"), validators=[DataRequired(PASSWORD_REQUIRED)])
    repeated = PasswordField(_l("Neues Passwort noch einmal"), validators=[DataRequired(PASSWORD_REQUIRED)])

    def check(self, email: str) -> bool:
        """Add the password rules' and the repetition's errors, all at once; tell whether the password may be set."""
        problem = password_problem(self.new_password.data, email) if self.new_password.data else None
        if problem:
            self.new_password.errors.append(problem)
        if self.new_password.data and self.repeated.data and self.repeated.data != self.new_password.data:
            self.repeated.errors.append(_("Die beiden Eingaben sind nicht gleich."))
        return not (self.new_password.errors or self.repeated.errors)


class PasswordChangeForm(NewPasswordForm):
    """One's own new password, with the current one as proof."""

    current_password = CURRENT_PASSWORD


def _login_account_key() -> str:
    return "staff-login:" + (request.form.get("email") or "").strip().lower()


def _login_account_and_address_key() -> str:
    return f"{_login_account_key()}:{client_network()}"


def _login_failed(response) -> bool:
    # Only failed attempts count, so a whole office signing in behind one address is never locked out.
    return response.status_code == 422


# A browser that signed in to an account before carries its id, signed: the count of an account's failed sign-ins
# from all addresses does not apply to it, so guessing from many addresses cannot lock that account's own people out.
KNOWN_DEVICE_COOKIE = "portal_staff_device"
KNOWN_DEVICE_DAYS = 180
KNOWN_DEVICES = SignedTokens("staff-known-device")


def _known_device() -> bool:
    """Tell whether this browser signed in before to the account a sign-in now names."""
    known = KNOWN_DEVICES.loads(request.cookies.get(KNOWN_DEVICE_COOKIE), KNOWN_DEVICE_DAYS * 86400)
    if not isinstance(known, list) or not known:
        return False
    email = (request.form.get("email") or "").strip().lower()
    return db_session().scalar(select(StaffAccount.id).filter_by(email=email)) in known


def _remember_device(response, account: StaffAccount):
    """Mark the browser as one this account signed in from (the last five accounts of a shared desk computer)."""
    known = KNOWN_DEVICES.loads(request.cookies.get(KNOWN_DEVICE_COOKIE), KNOWN_DEVICE_DAYS * 86400)
    known = [number for number in known if number != account.id][-4:] if isinstance(known, list) else []
    response.set_cookie(KNOWN_DEVICE_COOKIE, KNOWN_DEVICES.dumps([*known, account.id]),
                        max_age=KNOWN_DEVICE_DAYS * 86400, secure=request.is_secure, httponly=True, samesite="Lax")
    return response


@bp.route("/login", methods=["GET", "POST"])
# Per address; per account from one address; and, higher so that nobody can lock an account out by guessing
# from a few addresses, per account from all addresses together.
@limiter.limit("20 per 10 minutes", methods=["POST"], deduct_when=_login_failed)
@limiter.limit("5 per 10 minutes", methods=["POST"], key_func=_login_account_and_address_key,
               deduct_when=_login_failed)
@limiter.limit("30 per 10 minutes", methods=["POST"], key_func=_login_account_key, deduct_when=_login_failed,
               exempt_when=_known_device)
def login():
    form = LoginForm()
    kept = KeptForm.sent_back()
    if form.validate_on_submit():
        account = authenticate(form.email.data, form.password.data)
        if account is not None:
            start_session(account)
            return _remember_device(make_response(onwards_from_sign_in(kept, account)), account)
        # Not the password's alone: which of the two is wrong is not told, nor whether the account exists.
        form.form_errors.append(_("E-Mail-Adresse oder Passwort ist falsch, oder das Konto ist gesperrt."))
    return sign_in_page(form, kept, 200 if request.method == "GET" or form.errors == {} else 422)


@bp.route("/logout", methods=["POST"])
def logout():
    end_session()
    flash(_("Sie sind abgemeldet."), "success")
    return redirect(url_for("staff.login"))


@bp.route("/")
@requires_role(None)
def dashboard():
    return render_template("staff/dashboard.html", limit_storage_down=not limit_storage_reachable())


@bp.route("/session", methods=["POST"])
@requires_role(None)
def extend_session():
    """Keep the session alive; answer with the new expiry."""
    g.staff_session.last_seen_at = utcnow()
    db_session().commit()
    if request.headers.get("HX-Request"):
        return render_template("staff/_session_status.html")
    flash(_("Ihre Sitzung wurde verlängert."), "success")
    return redirect(local_path(request.form.get("next")) or url_for("staff.dashboard"))


def _own_password_key() -> str:
    # Checked before the view asks for a session: a request without one is counted by its address instead.
    account = current_staff()
    return f"staff-password:{account.id if account else client_network()}"


@bp.route("/password", methods=["GET", "POST"])
@requires_role(None)
@limiter.limit("10 per hour", key_func=_own_password_key, methods=["POST"],
               deduct_when=lambda response: response.status_code == 422)
def change_password():
    """Let a signed-in member of staff set a new password; their other sessions end."""
    account, form = current_staff(), PasswordChangeForm()
    if form.is_submitted():
        # Every error at once: the form's own, the current password's and the new one's.
        valid = form.validate()
        if form.current_password.data and not password_matches(account, form.current_password.data):
            form.current_password.errors.append(_("Das bisherige Passwort stimmt nicht."))
            valid = False
        if form.check(account.email) and valid:
            account.password_hash = hash_password(form.new_password.data)
            ended = end_sessions_of(account, keep=g.staff_session)
            audit("change_password", "staff_account", account.id, after={"sessions_ended": ended})
            db_session().commit()
            flash(_("Ihr Passwort ist geändert. Ihre anderen Sitzungen sind beendet."), "success")
            return redirect(url_for("staff.dashboard"))
    return render_template("staff/password.html", form=form, account=None), 422 if form.errors else 200


@bp.route("/accounts/<int:account_id>/password", methods=["GET", "POST"])
@requires_role("admin")
def reset_password(account_id: int):
    """Set a new password for a colleague who has forgotten theirs; all their sessions end."""
    account = db_session().get(StaffAccount, account_id) or abort(404)
    if account.id == current_staff().id:
        return redirect(url_for("staff.change_password"))
    form = NewPasswordForm()
    if form.is_submitted():
        valid = form.validate()
        if form.check(account.email) and valid:
            account.password_hash = hash_password(form.new_password.data)
            ended = end_sessions_of(account)
            audit("reset_password", "staff_account", account.id, after={"sessions_ended": ended},
                  summary=account.email)
            db_session().commit()
            flash(_("Das Passwort für %(email)s ist neu gesetzt; seine Sitzungen sind beendet. Bitte geben Sie es "
                    "der Person persönlich weiter.", email=account.email), "success")
            return redirect(url_for("staff.accounts"))
    return render_template("staff/password.html", form=form, account=account), 422 if form.errors else 200


@bp.route("/accounts/<int:account_id>/role", methods=["GET", "POST"])
@requires_role("admin")
def change_role(account_id: int):
    """Give a colleague's account another role: what its pages allow changes with the next request."""
    account = db_session().get(StaffAccount, account_id) or abort(404)
    if account.id == current_staff().id:
        # An admin who took their own role away could leave the office without anyone to manage accounts.
        flash(_("Ihre eigene Rolle kann nur eine andere Person mit der Rolle %(role)s ändern.",
                role=role_label("admin")), "error")
        return redirect(url_for("staff.accounts"))
    form = RoleForm(data={"role": account.role} if request.method == "GET" else None)
    form.role.choices = [(role, role_label(role)) for role in ROLES]
    if form.validate_on_submit():
        if form.role.data != account.role:
            before = {"role": account.role}
            account.role = form.role.data
            audit("change_role", "staff_account", account.id, before=before, after={"role": account.role},
                  summary=account.email)
            db_session().commit()
        flash(_("%(email)s hat jetzt die Rolle: %(role)s.", email=account.email, role=role_label(account.role)),
              "success")
        return redirect(url_for("staff.accounts"))
    return render_template("staff/role.html", form=form, account=account), 422 if form.errors else 200


@bp.route("/accounts", methods=["GET", "POST"])
@requires_role("admin")
def accounts():
    form = AccountForm()
    form.role.choices = [("", _("Bitte wählen")), *((role, role_label(role)) for role in ROLES)]
    if form.is_submitted():
        # Every error at once: the form's own, the password rules' and an address already taken.
        valid = form.validate()
        email = (form.email.data or "").strip().lower()
        if valid and claim_sending(form) is not None:
            # The same page sent again (a double tap): its account exists; answer as its first sending did.
            flash(_("Das Konto für %(email)s wurde angelegt.", email=email), "success")
            return redirect(url_for("staff.accounts"), 303)
        problem = password_problem(form.password.data, email) if form.password.data else None
        if problem:
            form.password.errors.append(problem)
        if email and not form.email.errors and db_session().scalar(select(StaffAccount).filter_by(email=email)):
            form.email.errors.append(_("Für diese E-Mail-Adresse gibt es schon ein Konto."))
        if valid and not (problem or form.email.errors) and _created(form, email):
            flash(_("Das Konto für %(email)s wurde angelegt.", email=email), "success")
            return redirect(url_for("staff.accounts"))
    all_accounts = db_session().scalars(select(StaffAccount).order_by(StaffAccount.email)).all()
    status = 422 if form.errors else 200
    return render_template("staff/accounts.html", form=form, accounts=all_accounts), status


def _created(form: AccountForm, email: str) -> bool:
    """Create the account the form describes; tell the form instead if another admin took its address meanwhile."""
    account = StaffAccount(email=email, display_name=form.display_name.data.strip(), role=form.role.data,
                           password_hash=hash_password(form.password.data))
    db_session().add(account)
    try:
        db_session().flush()
    except IntegrityError:
        db_session().rollback()
        form.email.errors.append(_("Für diese E-Mail-Adresse gibt es schon ein Konto."))
        return False
    audit("create", "staff_account", account.id,
          after={"email": email, "display_name": account.display_name, "role": account.role}, summary=email)
    db_session().commit()
    return True


@bp.route("/accounts/<int:account_id>/active", methods=["POST"])
@requires_role("admin")
def set_account_active(account_id: int):
    account = db_session().get(StaffAccount, account_id) or abort(404)
    if account.id == current_staff().id:
        flash(_("Sie können Ihr eigenes Konto nicht sperren."), "error")
        return redirect(url_for("staff.accounts"))
    make_active = request.form.get("active") == "1"
    before = {"active": account.active}
    account.active = make_active
    ended = 0 if make_active else end_sessions_of(account)
    audit("activate" if make_active else "deactivate", "staff_account", account.id, before=before,
          after={"active": make_active, "sessions_ended": ended}, summary=account.email)
    db_session().commit()
    if make_active:
        flash(_("Das Konto %(email)s ist wieder aktiv.", email=account.email), "success")
    else:
        flash(_("Das Konto %(email)s ist gesperrt; seine Sitzungen sind beendet.", email=account.email), "success")
    return redirect(url_for("staff.accounts"))


@bp.route("/audit")
@requires_role("admin")
def audit_log():
    areas = audit_areas()
    form = AuditFilterForm(request.args)
    form.area.choices = [("", _("Alle Bereiche"))] + [(name, title) for name, (title, _targets) in areas.items()]
    form.area.data = form.area.data or ""
    actor = (form.actor.data or "").strip().lower()
    query = select(AuditEntry)
    valid = form.validate()
    if valid:
        if form.area.data:
            query = query.where(AuditEntry.target_type.in_(areas[form.area.data][1]))
        if actor:
            # Addresses are stored in lower case; any part of one finds it.
            query = query.where(AuditEntry.actor.contains(actor, autoescape=True))
    # A choice that is not in the list narrows nothing, and the next page's link does not repeat it.
    page = paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), AUDIT_PAGE_SIZE,
                    keep={"area": form.area.data, "actor": actor} if valid else None)
    return render_template("staff/audit.html", entries=page.items, page=page, form=form,
                           filtered=valid and bool(form.area.data or actor)), 200 if valid else 422


@bp.app_context_processor
def _staff_context():
    return {"current_staff": current_staff, "staff_menu": staff_menu, "session_expiry": session_expiry,
            "role_label": role_label, "current_path": current_path}
