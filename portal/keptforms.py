"""A sent form carried back to the same browser, to be sent again or to be shown again in another language.

Nothing is stored on the server: the answer's page holds the form's fields, and the
person sends them once more with a click, after signing in again (staff), once the
database is back (503) or the rate limit allows (429), or with a fresh form token (a
public page whose token had expired). Passwords are never written into a page and files cannot be; the page says so.
A public form answered with errors carries its fields in the header's language switch, so that the form comes
back in the other language as it was filled in (also without JavaScript); such a copy is never acted on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

from flask import request

from .addresses import current_path, local_path

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


@dataclass(frozen=True)
class KeptForm:
    """A sent form: its address, its fields, and whether some could not be kept."""

    action: str
    fields: tuple[tuple[str, str], ...]
    left_out: bool
    # The hidden field of the sign-in form that carries a kept form through signing in.
    FIELD: ClassVar[str] = "kept_form"
    # The hidden field that marks a form sent again from a kept copy.
    SENT_AGAIN: ClassVar[str] = "sent_again"
    # The hidden field that marks a form carried into another language: shown again there, never acted on.
    LANGUAGE_SWITCH: ClassVar[str] = "language_switch"
    # Fields the form's page or its copy adds, not the person.
    CONTROLS: ClassVar[tuple[str, ...]] = ("csrf_token", SENT_AGAIN, LANGUAGE_SWITCH)

    @classmethod
    def is_kept(cls, name: str) -> bool:
        """Tell whether a field is carried back: one the person filled in, other than a password."""
        return name not in cls.CONTROLS and "password" not in name.lower()

    @classmethod
    def of_request(cls) -> KeptForm | None:
        """Return this request's form to keep, or None when it sent no form fields a person typed or chose."""
        if request.method != "POST" or request.mimetype not in FORM_TYPES:
            return None
        sent = [(name, value) for name, value in request.form.items(multi=True) if name not in cls.CONTROLS]
        if not sent and not request.files:
            return None
        fields = tuple((name, value) for name, value in sent if cls.is_kept(name))
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
                           if isinstance(name, str) and isinstance(value, str) and cls.is_kept(name))
            left_out = data["left_out"] is True
        except (ValueError, TypeError, KeyError):
            return None
        return cls(action, fields, left_out) if action else None

    @classmethod
    def is_copy(cls) -> bool:
        """Tell whether this request is a form sent again from a kept copy."""
        return bool(request.form.get(cls.SENT_AGAIN))

    def encoded(self) -> str:
        """Return the form as the sign-in page's hidden field holds it."""
        return json.dumps({"action": self.action, "fields": self.fields, "left_out": self.left_out})


def is_language_switch() -> bool:
    """Tell whether this request carries a form into another language, to be shown there and not acted on."""
    # The switch is a plain form: a JSON body (an API's) is not read as a form to find out, on every API request.
    return (request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded"
            and bool(request.form.get(KeptForm.LANGUAGE_SWITCH)))
