"""The sign-in form, and a staff form sent after its session had ended, kept through signing in again.

The sign-in page carries the form's fields back to the same browser (portal/keptforms.py),
and after signing in the person sends them once more. Only a form that passed the CSRF
check gets here, so the fields are the person's own; sending them again still takes their
click, so whoever signs in sees them first.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from ..addresses import local_path
from ..forms import Form, strip_spaces
from ..keptforms import KeptForm
from ..templating import staff_menu

# Staff forms are sent unchecked by the browser (novalidate): every message is the portal's, in the page's language,
# also where WTForms has no catalog of its own (Kurdish, Pashto, Tigrinya).
EMAIL_REQUIRED = _l("Bitte geben Sie die E-Mail-Adresse ein.")
EMAIL_INVALID = _l("Bitte geben Sie eine E-Mail-Adresse wie name@example.org ein.")
PASSWORD_REQUIRED = _l("Bitte geben Sie das Passwort ein.")


class LoginForm(Form):
    email = EmailField(_l("E-Mail-Adresse"), filters=[strip_spaces], validators=[DataRequired(EMAIL_REQUIRED),
                                                                                 Email(EMAIL_INVALID)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(PASSWORD_REQUIRED)])


def sign_in_page(form: LoginForm, kept: KeptForm | None = None, status: int = 200, note: str = ""):
    """Return the sign-in page, carrying a kept form when there is one."""
    headers = {"WWW-Authenticate": sign_in_challenge()} if status == 401 else {}
    return render_template("staff/login.html", form=form, kept=kept, note=note), status, headers


def sign_in_challenge() -> str:
    """Return the challenge of a 401 answer: sign in with the form on the staff sign-in page."""
    # RFC 9110 asks every 401 for one. No registered scheme describes a sign-in form with a session cookie, so the
    # challenge names that way and the form's address; a browser shows no password dialog for a scheme it lacks.
    return f'Cookie realm="staff", form-action="{url_for("staff.login")}"'


def onwards_from_sign_in(kept: KeptForm | None, account):
    """Answer a signed-in person: the offer to send a kept form again, else the page they asked for or start on."""
    if kept:
        return render_template("staff/send_again.html", kept=kept)
    asked = local_path(request.args.get("next"))
    if asked:
        return redirect(asked)
    # A role with a single task (the door's check-in) starts on its page: a phone at the entrance needs it at once.
    tasks = staff_menu(account)
    return redirect(url_for(tasks[0].endpoint) if len(tasks) == 1
                    else url_for("staff.dashboard"))


def sign_in_keeping_form():
    """Answer a form sent after the session ended with the sign-in page that keeps it, or None when there is none."""
    kept = KeptForm.of_request()
    # A fresh, empty form: the sent fields are the staff page's, not the sign-in's.
    return sign_in_page(LoginForm(formdata=None), kept, 401) if kept else None
