"""The sign-in form, and a staff form sent after its session had ended, kept through signing in again.

Nothing is stored on the server: the sign-in page carries the form's fields back
to the same browser, and after signing in the person sends them once more. Only
a form that passed the CSRF check gets here, so the fields are the person's own;
sending them again still takes their click, so whoever signs in sees them first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from ..addresses import current_path, local_path

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Passwort"), validators=[DataRequired()])


def _is_kept(name: str) -> bool:
    # The token belongs to the ended session; a password is typed again rather than written into a page.
    return name != "csrf_token" and "password" not in name.lower()


@dataclass(frozen=True)
class KeptForm:
    """A form sent when its session had ended: its address, its fields, and whether some could not be kept."""

    action: str
    fields: tuple[tuple[str, str], ...]
    left_out: bool
    # The sign-in form's hidden field that carries it.
    FIELD: ClassVar[str] = "kept_form"

    @classmethod
    def of_request(cls) -> KeptForm | None:
        """Return this request's form to keep, or None when it sent no form fields a person typed or chose."""
        if request.method != "POST" or request.mimetype not in FORM_TYPES:
            return None
        sent = [(name, value) for name, value in request.form.items(multi=True) if name != "csrf_token"]
        if not sent and not request.files:
            return None
        fields = tuple((name, value) for name, value in sent if _is_kept(name))
        return cls(current_path(), fields, left_out=len(fields) < len(sent) or bool(request.files))

    @classmethod
    def sent_back(cls) -> KeptForm | None:
        """Return the kept form the sign-in page sent back, or None when there is none or it is not one."""
        text = request.form.get(cls.FIELD)
        if not text:
            return None
        try:
            data = json.loads(text)
            action = local_path(data["action"])
            fields = tuple((name, value) for name, value in data["fields"]
                           if isinstance(name, str) and isinstance(value, str) and _is_kept(name))
            left_out = data["left_out"] is True
        except (ValueError, TypeError, KeyError):
            return None
        return cls(action, fields, left_out) if action else None

    def encoded(self) -> str:
        """Return the form as the sign-in page's hidden field holds it."""
        return json.dumps({"action": self.action, "fields": self.fields, "left_out": self.left_out})


def sign_in_page(form: LoginForm, kept: KeptForm | None = None, status: int = 200):
    """Return the sign-in page, carrying a kept form when there is one."""
    return render_template("staff/login.html", form=form, kept=kept), status


def sign_in_keeping_form():
    """Answer a form sent after the session ended with the sign-in page that keeps it, or None when there is none."""
    kept = KeptForm.of_request()
    # A fresh, empty form: the sent fields are the staff page's, not the sign-in's.
    return sign_in_page(LoginForm(formdata=None), kept, 401) if kept else None
